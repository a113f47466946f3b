"""Newcomers: people who opened the bot but have not agreed to the storing of their data.

Nothing that names them is kept: their Telegram id (to answer them), the language
they picked and the group whose link they opened. The name is read from Telegram
only at the moment they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import utc_now
from bot.storage.database import Database, to_iso


@dataclass(frozen=True, slots=True)
class NewcomerRecord:
    telegram_id: int
    language: str | None
    group_id: int | None


async def get(db: Database, telegram_id: int) -> NewcomerRecord | None:
    row = await db.fetch_one(
        "SELECT telegram_id, language, group_id FROM newcomers WHERE telegram_id = ?",
        (telegram_id,),
    )
    if row is None:
        return None
    return NewcomerRecord(int(row["telegram_id"]), row["language"], row["group_id"])


async def welcome(
    db: Database,
    telegram_id: int,
    language: str | None,
    group_id: int | None = None,
    *,
    now: datetime | None = None,
) -> NewcomerRecord:
    """Note a newcomer (again): a group from a newer link replaces the older one."""
    row = await db.fetch_one(  # one trip: the row as it is now comes back with the write
        "INSERT INTO newcomers (telegram_id, language, group_id, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET"
        " group_id = COALESCE(excluded.group_id, newcomers.group_id)"
        " RETURNING telegram_id, language, group_id",
        (telegram_id, language, group_id, to_iso(now or utc_now())),
    )
    assert row is not None
    return NewcomerRecord(int(row["telegram_id"]), row["language"], row["group_id"])


async def set_language(db: Database, telegram_id: int, language: str) -> None:
    await db.execute(
        "UPDATE newcomers SET language = ? WHERE telegram_id = ?", (language, telegram_id)
    )


async def forget(db: Database, telegram_id: int) -> None:
    await db.execute("DELETE FROM newcomers WHERE telegram_id = ?", (telegram_id,))
