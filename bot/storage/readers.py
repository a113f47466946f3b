"""Readers (who may record the course aloud, in which language) and their open sessions.

A reader's recordings are course content, so their voice notes are fetched; a
participant's uploads never are. The role is given and taken by the administrator
only (``python -m bot readers``), never from inside Telegram.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import utc_now
from bot.storage.database import Database, from_iso, to_iso


@dataclass(frozen=True, slots=True)
class ReaderRecord:
    telegram_id: int
    language: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """What the reader was shown last (None: nothing left) and what they skipped."""

    telegram_id: int
    language: str
    card_key: str | None
    wording_hash: str | None
    skipped: tuple[str, ...] = field(default=())


async def add(db: Database, telegram_id: int, language: str) -> bool:
    """Give the role; False when this person already reads this language."""
    changed = await db.execute(
        "INSERT INTO readers (telegram_id, language, added_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (telegram_id, language, to_iso(utc_now())),
    )
    return changed > 0


async def remove(db: Database, telegram_id: int, language: str) -> bool:
    """Take the role (and an open session in that language); False when there was none."""
    async with db.transaction():
        changed = await db.execute(
            "DELETE FROM readers WHERE telegram_id = ? AND language = ?", (telegram_id, language)
        )
        await db.execute(
            "DELETE FROM recording_sessions WHERE telegram_id = ? AND language = ?",
            (telegram_id, language),
        )
    return changed > 0


async def list_readers(db: Database) -> list[ReaderRecord]:
    rows = await db.fetch_all(
        "SELECT telegram_id, language, added_at FROM readers ORDER BY language, telegram_id"
    )
    return [ReaderRecord(r["telegram_id"], r["language"], from_iso(r["added_at"])) for r in rows]


async def languages_of(db: Database, telegram_id: int) -> list[str]:
    rows = await db.fetch_all(
        "SELECT language FROM readers WHERE telegram_id = ? ORDER BY language", (telegram_id,)
    )
    return [row["language"] for row in rows]


async def session(db: Database, telegram_id: int) -> Session | None:
    row = await db.fetch_one(
        "SELECT s.language, s.card_key, s.wording_hash, s.skipped FROM recording_sessions s"
        " JOIN readers r ON r.telegram_id = s.telegram_id AND r.language = s.language"
        " WHERE s.telegram_id = ?",
        (telegram_id,),
    )
    if row is None:
        return None
    skipped = tuple(str(key) for key in json.loads(row["skipped"]))
    return Session(telegram_id, row["language"], row["card_key"], row["wording_hash"], skipped)


async def show(
    db: Database,
    telegram_id: int,
    language: str,
    key: str | None,
    wording: str | None,
    skipped: tuple[str, ...],
) -> None:
    """Open or move the session: the reader is now shown ``key`` (None: nothing left)."""
    await db.execute(
        "INSERT INTO recording_sessions"
        " (telegram_id, language, card_key, wording_hash, skipped, started_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET language = excluded.language,"
        " card_key = excluded.card_key, wording_hash = excluded.wording_hash,"
        " skipped = excluded.skipped",
        (telegram_id, language, key, wording, json.dumps(list(skipped)), to_iso(utc_now())),
    )


async def stop(db: Database, telegram_id: int) -> bool:
    changed = await db.execute(
        "DELETE FROM recording_sessions WHERE telegram_id = ?", (telegram_id,)
    )
    return changed > 0
