"""The durable inbox: updates stored before Telegram hears they arrived, until handled.

Polling: a fetched batch and the offset that will confirm it are committed in
one transaction; only then does the next getUpdates send that offset. Webhook:
the update is committed before the answer 200. Handling deletes the row, so
after a crash :func:`pending` is exactly what was fetched but not handled.
The payload is the update's JSON text as received; the storage does not read it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import utc_now
from bot.storage.database import Database, Step, to_iso


@dataclass(frozen=True, slots=True)
class Received:
    """One update as it came: its id, its sender's Telegram id, and its JSON text."""

    update_id: int
    telegram_id: int | None
    payload: str


_INSERT = (
    "INSERT INTO inbox (update_id, telegram_id, payload, received_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (update_id) DO NOTHING"
)
_SET_OFFSET = (
    "INSERT INTO inbox_offset (id, next_update_id) VALUES (1, ?)"
    " ON CONFLICT (id) DO UPDATE SET next_update_id = excluded.next_update_id"
)


async def store(
    db: Database,
    updates: Sequence[Received],
    *,
    next_offset: int | None = None,
    now: datetime | None = None,
) -> list[Received]:
    """Commit the updates (and, polling, the offset that confirms them); returns the new ones.

    An update already in the inbox (a webhook redelivery) is not stored twice and is
    not returned: it is on its way to the handlers already.
    """
    at = to_iso(now or utc_now())
    steps = [Step(_INSERT, (u.update_id, u.telegram_id, u.payload, at)) for u in updates]
    if next_offset is not None:
        steps.append(Step(_SET_OFFSET, (next_offset,)))
    changed = await db.run_steps(steps, quick=True)  # one transaction, no hop
    return [update for update, rows in zip(updates, changed, strict=False) if rows]


async def next_offset(db: Database) -> int | None:
    """The offset the next getUpdates sends, or None before the first batch."""
    value = await db.fetch_value("SELECT next_update_id FROM inbox_offset WHERE id = 1")
    return None if value is None else int(value)


async def pending(db: Database) -> list[Received]:
    """Every update stored and not handled yet, oldest first."""
    rows = await db.fetch_all(
        "SELECT update_id, telegram_id, payload FROM inbox ORDER BY update_id"
    )
    return [Received(int(r["update_id"]), r["telegram_id"], str(r["payload"])) for r in rows]


async def is_pending(db: Database, update_id: int) -> bool:
    """Still in the inbox: no process has handled it yet."""
    return await db.fetch_one("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,)) is not None


# Well below any database's limit on the parameters of one statement.
_DONE_AT_ONCE = 500


async def done(db: Database, update_ids: Collection[int]) -> None:
    """These updates are handled: they leave the inbox, in one statement (per 500)."""
    ordered = sorted(update_ids)
    steps = []
    for start in range(0, len(ordered), _DONE_AT_ONCE):
        chunk = ordered[start : start + _DONE_AT_ONCE]
        marks = ", ".join("?" * len(chunk))
        steps.append(Step(f"DELETE FROM inbox WHERE update_id IN ({marks})", chunk))
    if steps:
        await db.run_steps(steps, quick=True)  # on the hot path: after every update
