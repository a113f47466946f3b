"""When each scheduled job (the coaches' digests, reminders) is next due.

The scheduler reads the time at start-up and moves it on after each run, so a
restart neither skips a digest nor sends one twice.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Database, from_iso, to_iso


async def get_due(db: Database, name: str) -> datetime | None:
    value = await db.fetch_value("SELECT due_at FROM due_jobs WHERE name = ?", (name,))
    return None if value is None else from_iso(value)


async def set_due(db: Database, name: str, at: datetime) -> None:
    await db.execute(
        "INSERT INTO due_jobs (name, due_at) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at",
        (name, to_iso(at)),
    )
