"""Participants: the people taking the course, and their right to see and erase their data."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.clock import utc_now
from bot.storage.database import Database, from_iso, to_iso
from bot.storage.records import AlreadyExists, ParticipantRecord

_SELECT = f"SELECT {ParticipantRecord.COLUMNS} FROM participants"
_PREFIXED = ", ".join(f"p.{c.strip()}" for c in ParticipantRecord.COLUMNS.split(","))


async def get_by_telegram_id(db: Database, telegram_id: int) -> ParticipantRecord | None:
    row = await db.fetch_one(f"{_SELECT} WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else ParticipantRecord.from_row(row)


async def get_with_progress(
    db: Database, telegram_id: int
) -> tuple[ParticipantRecord, str | None] | None:
    """The participant and their saved progress in one query: what a handler needs first."""
    row = await db.fetch_one(
        f"SELECT {_PREFIXED}, pr.state FROM participants p"
        " LEFT JOIN progress pr ON pr.participant_id = p.id WHERE p.telegram_id = ?",
        (telegram_id,),
    )
    return None if row is None else (ParticipantRecord.from_row(row), row["state"])


async def get(db: Database, participant_id: int) -> ParticipantRecord | None:
    row = await db.fetch_one(f"{_SELECT} WHERE id = ?", (participant_id,))
    return None if row is None else ParticipantRecord.from_row(row)


async def create(
    db: Database,
    telegram_id: int,
    first_name: str,
    language: str | None,
    *,
    group_id: int | None = None,
    consented: bool = False,
    last_initial: str | None = None,
    now: datetime | None = None,
) -> ParticipantRecord:
    """Store a new participant; :class:`AlreadyExists` if the Telegram id is taken.

    The bot calls it with ``consented=True`` at the moment the person agrees, and
    the newcomer row that stood for them until then goes in the same transaction.
    """
    at = to_iso(now or utc_now())
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO participants (telegram_id, first_name, last_initial, language, group_id,"
            " consent_at, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (telegram_id) DO NOTHING",
            (
                telegram_id,
                first_name,
                last_initial[:1] if last_initial and consented else None,
                language,
                group_id,
                at if consented else None,
                at,
                at,
            ),
        )
        if cursor.rowcount == 0 or cursor.lastrowid is None:
            raise AlreadyExists(f"participant with Telegram id {telegram_id}")
        await conn.execute("DELETE FROM newcomers WHERE telegram_id = ?", (telegram_id,))
    return ParticipantRecord(
        id=cursor.lastrowid,
        telegram_id=telegram_id,
        first_name=first_name,
        language=language,
        group_id=group_id,
        consent_at=from_iso(at) if consented else None,
        created_at=from_iso(at),
        last_active_at=from_iso(at),
        blocked_at=None,
    )


async def set_language(db: Database, participant_id: int, language: str | None) -> None:
    await db.execute(
        "UPDATE participants SET language = ? WHERE id = ?", (language, participant_id)
    )


async def set_consent(
    db: Database, participant_id: int, at: datetime | None = None, last_initial: str | None = None
) -> None:
    """Record when the participant agreed to the storing of their data.

    ``last_initial``, the first letter of the last name Telegram gave, is kept
    only from this moment on: it lets a coach tell two people of the same first
    name apart, and is never more than one letter.
    """
    await db.execute(
        "UPDATE participants SET consent_at = ?, last_initial = ? WHERE id = ?",
        (to_iso(at or utc_now()), last_initial[:1] if last_initial else None, participant_id),
    )


async def set_group(db: Database, participant_id: int, group_id: int | None) -> None:
    await db.execute(
        "UPDATE participants SET group_id = ? WHERE id = ?", (group_id, participant_id)
    )


async def mark_blocked(db: Database, telegram_id: int, at: datetime | None = None) -> None:
    """The participant blocked the bot: stop sending until they write again."""
    await db.execute(
        "UPDATE participants SET blocked_at = ? WHERE telegram_id = ? AND blocked_at IS NULL",
        (to_iso(at or utc_now()), telegram_id),
    )


async def touch(db: Database, participant_id: int, at: datetime | None = None) -> None:
    """The participant was active: a message from them also means they unblocked the bot."""
    await db.execute(
        "UPDATE participants SET last_active_at = ?, blocked_at = NULL WHERE id = ?",
        (to_iso(at or utc_now()), participant_id),
    )


async def erase(db: Database, telegram_id: int, *, now: datetime | None = None) -> int | None:
    """Delete everything stored about a participant, for good.

    Progress, answers and quiz results go with the participant (ON DELETE
    CASCADE); wrong invite codes they tried, their updates still in the inbox and
    messages waiting to be sent to them go too. Their group keeps only a
    departure row: that someone left, and when. Returns the group they were in,
    or None (no group, or nothing stored).
    """
    async with db.transaction() as conn:
        rows = list(
            await conn.execute_fetchall(
                "SELECT id, group_id FROM participants WHERE telegram_id = ?", (telegram_id,)
            )
        )
        for table in ("start_attempts", "newcomers", "prompts", "inbox"):
            await conn.execute(f"DELETE FROM {table} WHERE telegram_id = ?", (telegram_id,))
        await conn.execute("DELETE FROM undelivered WHERE chat_id = ?", (telegram_id,))
        if not rows:
            return None
        participant_id, group_id = rows[0]["id"], rows[0]["group_id"]
        await conn.execute("DELETE FROM participants WHERE id = ?", (participant_id,))
        if group_id is not None:
            await conn.execute(
                "INSERT INTO departures (group_id, left_at) VALUES (?, ?)",
                (group_id, to_iso(now or utc_now())),
            )
    await db.checkpoint()  # the WAL still held their rows: erased means gone from disk
    return None if group_id is None else int(group_id)


async def export(db: Database, telegram_id: int) -> dict[str, Any] | None:
    """Everything stored about a participant, as plain JSON-ready values (for /mydata).

    None when nothing is stored about this Telegram id.
    """
    async with db.transaction(write=False):
        profile = await db.fetch_one(
            "SELECT p.id, p.telegram_id, p.first_name, p.language, g.name AS group_name,"
            " p.consent_at, p.created_at, p.last_active_at, p.blocked_at, p.last_initial,"
            " p.extra_weeks"
            " FROM participants p LEFT JOIN groups g ON g.id = p.group_id"
            " WHERE p.telegram_id = ?",
            (telegram_id,),
        )
        attempts = await db.fetch_all(
            "SELECT attempted_at FROM start_attempts WHERE telegram_id = ? ORDER BY attempted_at",
            (telegram_id,),
        )
        if profile is None:
            if not attempts:
                return None
            return {
                "profile": None,
                "progress": None,
                "answers": [],
                "quiz_results": [],
                "start_attempts": [row["attempted_at"] for row in attempts],
            }
        pid = profile["id"]
        progress = await db.fetch_one(
            "SELECT state, updated_at FROM progress WHERE participant_id = ?", (pid,)
        )
        answers = await db.fetch_all(
            "SELECT week_id, lesson_id, question_id, attempt, correct, answer, answered_at"
            " FROM answers WHERE participant_id = ? ORDER BY id",
            (pid,),
        )
        results = await db.fetch_all(
            "SELECT week_id, lesson_id, run, score_percent, passed, finished_at"
            " FROM quiz_results WHERE participant_id = ? ORDER BY id",
            (pid,),
        )
        choices = await db.fetch_one(
            "SELECT reminder_window, paused_at, paused_until, pause_reason, paused_by"
            " FROM participant_settings WHERE participant_id = ?",
            (pid,),
        )
        cards = await db.fetch_all(
            "SELECT lesson_id, question_id, box, due_on FROM review_cards"
            " WHERE participant_id = ? ORDER BY lesson_id, question_id",
            (pid,),
        )
        sure = await db.fetch_all(
            "SELECT lesson_id, question_id, correct, confidence, answered_at"
            " FROM review_confidence WHERE participant_id = ? ORDER BY id",
            (pid,),
        )
    return {
        "profile": {
            "telegram_id": profile["telegram_id"],
            "first_name": profile["first_name"],
            "language": profile["language"],
            "group": profile["group_name"],
            "consent_at": profile["consent_at"],
            "created_at": profile["created_at"],
            "last_active_at": profile["last_active_at"],
            "blocked_at": profile["blocked_at"],
            "last_name_initial": profile["last_initial"],
            "weeks_opened_early": profile["extra_weeks"],
        },
        "progress": None if progress is None else dict(zip(progress.keys(), progress, strict=True)),
        "answers": [
            {**dict(zip(row.keys(), row, strict=True)), "correct": bool(row["correct"])}
            for row in answers
        ],
        "quiz_results": [
            {**dict(zip(row.keys(), row, strict=True)), "passed": bool(row["passed"])}
            for row in results
        ],
        "start_attempts": [row["attempted_at"] for row in attempts],
        "reminders": None if choices is None else _plain(choices),
        "memory_checks": [_plain(row) for row in cards],
        "confidence": [{**_plain(row), "correct": bool(row["correct"])} for row in sure],
    }


async def count_active_since(db: Database, since: datetime) -> int:
    """How many participants did something since ``since`` (a number, for /metrics)."""
    value = await db.fetch_value(
        "SELECT count(*) FROM participants WHERE last_active_at >= ?", (to_iso(since),)
    )
    return int(value or 0)


def _plain(row: sqlite3.Row) -> dict[str, Any]:
    return dict(zip(row.keys(), row, strict=True))
