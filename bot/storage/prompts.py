"""Prompts a button answers once: the press must name the prompt it belongs to.

"Yes, erase everything" on an old message, a forged "delete yes", or a second tap
on "move to the other group" find no open prompt and change nothing. A prompt is
consumed by its first answer and expires after a few minutes.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import utc_now
from bot.storage.database import Database, to_iso

LIFETIME = timedelta(minutes=10)
TOKEN_BYTES = 6  # 8 characters: fits callback data beside the other fields


class PromptKind(StrEnum):
    ERASE = "erase"
    MOVE_GROUP = "move"
    BECOME_COACH = "coach"
    LEAVE_QUIZ = "leave"


async def open_prompt(
    db: Database,
    telegram_id: int,
    kind: PromptKind,
    subject: str | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """A new prompt for this person; earlier open prompts of the same kind are closed."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    at = now or utc_now()
    async with db.transaction():
        await db.execute(
            "DELETE FROM prompts WHERE telegram_id = ? AND kind = ?", (telegram_id, str(kind))
        )
        await db.execute(
            "INSERT INTO prompts (token, telegram_id, kind, subject, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token, telegram_id, str(kind), subject, to_iso(at + LIFETIME)),
        )
    return token


async def take(
    db: Database, telegram_id: int, kind: PromptKind, token: str, *, now: datetime | None = None
) -> str | None:
    """Consume the open prompt: its subject ("" when it has none), or None if there is none."""
    async with db.transaction():
        rows = list(
            await db.fetch_all(
                "SELECT subject FROM prompts WHERE token = ? AND telegram_id = ? AND kind = ?"
                " AND expires_at > ?",
                (token, telegram_id, str(kind), to_iso(now or utc_now())),
            )
        )
        await db.execute(
            "DELETE FROM prompts WHERE token = ? AND telegram_id = ?", (token, telegram_id)
        )
    return None if not rows else (rows[0]["subject"] or "")


async def purge(db: Database, *, now: datetime | None = None) -> None:
    await db.execute("DELETE FROM prompts WHERE expires_at <= ?", (to_iso(now or utc_now()),))
