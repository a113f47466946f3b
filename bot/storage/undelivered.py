"""Messages Telegram did not take after every retry, kept per chat until they go.

The sender stores the rest of a reply here when Telegram keeps failing (5xx,
timeouts, flood control beyond its patience), and sends it first the next time it
writes to that chat. The message is the sender's own JSON text: the storage does
not read it. Rows go when they are delivered, and with the person when erased.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import utc_now
from bot.storage.database import Database, to_iso


async def keep(
    db: Database, chat_id: int, messages: Sequence[str], *, now: datetime | None = None
) -> None:
    """Add messages, in order, after those already waiting for this chat."""
    at = to_iso(now or utc_now())
    async with db.transaction():
        await db.execute_many(
            "INSERT INTO undelivered (chat_id, message, created_at) VALUES (?, ?, ?)",
            [(chat_id, message, at) for message in messages],
        )


async def waiting(db: Database, chat_id: int) -> list[tuple[int, str]]:
    """The messages waiting for this chat, oldest first, as (row id, message)."""
    rows = await db.fetch_all(
        "SELECT id, message FROM undelivered WHERE chat_id = ? ORDER BY id", (chat_id,)
    )
    return [(int(row["id"]), str(row["message"])) for row in rows]


async def delivered(db: Database, row_ids: Sequence[int]) -> None:
    """These rows reached the chat."""
    if row_ids:
        marks = ", ".join("?" for _ in row_ids)
        await db.execute(f"DELETE FROM undelivered WHERE id IN ({marks})", tuple(row_ids))


async def chats(db: Database) -> set[int]:
    """The chats that have messages waiting (read once at start)."""
    rows = await db.fetch_all("SELECT DISTINCT chat_id FROM undelivered")
    return {int(row["chat_id"]) for row in rows}
