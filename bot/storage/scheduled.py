"""The scheduler's due items: one row per message to one recipient.

An item is added once (its ``key`` is unique, and a participant's unasked
messages share one ``nudge_day`` slot a day), claimed in a transaction before
it is sent, and marked sent after. A claimed item whose claim is older than
the stale limit (the process died between claim and mark) is claimed again,
so nothing planned is ever skipped; an item marked sent is never sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.storage.database import Database, from_iso, from_iso_or_none, to_iso

REPLY, BROADCAST = 0, 1
"""Priorities: lower is sooner (a coach's alert goes before a week's broadcast)."""
REMINDER = "reminder"
"""The kind of a reminder-ladder item: the ladder counts them, and so do the coach's views."""
UNANSWERED_REMINDERS = (
    "SELECT COUNT(*) FROM scheduled_items s WHERE s.participant_id = p.id"
    f" AND s.kind = '{REMINDER}' AND s.status = 'sent' AND s.anchor = p.last_active_at"
)
"""A subquery over ``participants p``: reminders sent since the participant's last own
action (each reminder is planned from that moment, its anchor). The one count of them."""


@dataclass(frozen=True, slots=True)
class NewItem:
    key: str
    kind: str
    chat_id: int
    due_at: datetime
    participant_id: int | None = None
    coach_id: int | None = None
    nudge_day: str | None = None
    anchor: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    priority: int = BROADCAST


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    key: str
    kind: str
    chat_id: int
    participant_id: int | None
    coach_id: int | None
    anchor: datetime | None
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    """Tries so far, this one included."""


_COLUMNS = "id, key, kind, chat_id, participant_id, coach_id, anchor, payload, due_at, attempts"


def _item(row: Any) -> Item:
    return Item(
        id=row["id"],
        key=row["key"],
        kind=row["kind"],
        chat_id=row["chat_id"],
        participant_id=row["participant_id"],
        coach_id=row["coach_id"],
        anchor=from_iso_or_none(row["anchor"]),
        payload=json.loads(row["payload"]),
        due_at=from_iso(row["due_at"]),
        attempts=row["attempts"],
    )


async def add(db: Database, items: list[NewItem], now: datetime) -> int:
    """Add the items not planned before; returns how many are new."""
    added = 0
    for item in items:
        changed = await db.execute(
            "INSERT INTO scheduled_items (key, kind, chat_id, participant_id, coach_id,"
            " nudge_day, anchor, payload, priority, due_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                item.key,
                item.kind,
                item.chat_id,
                item.participant_id,
                item.coach_id,
                item.nudge_day,
                None if item.anchor is None else to_iso(item.anchor),
                json.dumps(item.payload, ensure_ascii=False, sort_keys=True),
                item.priority,
                to_iso(item.due_at),
                to_iso(now),
            ),
        )
        added += changed
    return added


async def claim_next(db: Database, now: datetime, stale_before: datetime) -> Item | None:
    """Take the most urgent due item (or one whose claim went stale) for sending."""
    async with db.transaction():
        rows = list(
            await db.fetch_all(
                f"SELECT {_COLUMNS} FROM scheduled_items"
                " WHERE (status = 'due' AND due_at <= ?)"
                " OR (status = 'claimed' AND claimed_at < ?)"
                " ORDER BY priority, due_at, id LIMIT 1",
                (to_iso(now), to_iso(stale_before)),
            )
        )
        if not rows:
            return None
        await db.execute(
            "UPDATE scheduled_items SET status = 'claimed', claimed_at = ?,"
            " attempts = attempts + 1 WHERE id = ?",
            (to_iso(now), rows[0]["id"]),
        )
    claimed = _item(rows[0])
    return replace(claimed, attempts=claimed.attempts + 1)


async def mark_sent(db: Database, item_id: int, now: datetime) -> None:
    await db.execute(
        "UPDATE scheduled_items SET status = 'sent', sent_at = ?, error = NULL WHERE id = ?",
        (to_iso(now), item_id),
    )


async def retry_at(db: Database, item_id: int, at: datetime, error: str) -> None:
    await db.execute(
        "UPDATE scheduled_items SET status = 'due', due_at = ?, claimed_at = NULL, error = ?"
        " WHERE id = ?",
        (to_iso(at), error, item_id),
    )


async def finish(db: Database, item_id: int, status: str, error: str) -> None:
    """End an item unsent: ``failed`` (counted) or ``dropped`` (no longer wanted)."""
    await db.execute(
        "UPDATE scheduled_items SET status = ?, error = ? WHERE id = ?", (status, error, item_id)
    )


async def count_sent(db: Database, participant_id: int, kind: str, anchor: datetime) -> int:
    """How many items of ``kind`` planned from ``anchor`` were sent (or gave up)."""
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM scheduled_items WHERE participant_id = ? AND kind = ?"
        " AND anchor = ? AND status IN ('sent', 'failed')",
        (participant_id, kind, to_iso(anchor)),
    )
    return int(value or 0)


async def last_nudge_at(db: Database, participant_id: int) -> datetime | None:
    value = await db.fetch_value(
        "SELECT MAX(sent_at) FROM scheduled_items"
        " WHERE participant_id = ? AND nudge_day IS NOT NULL AND status = 'sent'",
        (participant_id,),
    )
    return from_iso_or_none(value)


async def status_counts(db: Database) -> dict[str, int]:
    rows = await db.fetch_all("SELECT status, COUNT(*) FROM scheduled_items GROUP BY status")
    return {row[0]: int(row[1]) for row in rows}


async def purge_finished(db: Database, older_than: datetime) -> int:
    changed = await db.execute(
        "DELETE FROM scheduled_items WHERE status IN ('sent', 'failed', 'dropped') AND due_at < ?",
        (to_iso(older_than),),
    )
    return changed
