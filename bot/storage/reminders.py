"""A participant's reminder choices and pauses, and who is due a nudge.

``set_pause`` is the one way to pause anyone: the participant's own settings
menu, a coach's command and the scheduler (after three reminders, or a 403)
all call it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.clock import utc_now
from bot.storage.database import Database, Row, from_iso, to_iso


class PausedBy(StrEnum):
    PARTICIPANT = "participant"
    COACH = "coach"
    LADDER = "ladder"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class Pause:
    at: datetime
    until: date | None
    """The last day of the pause; None: until the participant writes again."""
    reason: str | None
    by: PausedBy


@dataclass(frozen=True, slots=True)
class Candidate:
    """A consented participant who has not blocked the bot, as the planner needs them."""

    participant_id: int
    telegram_id: int
    first_name: str
    language: str | None
    group_id: int | None
    created_at: datetime
    last_active_at: datetime
    progress: str | None
    window: str | None
    pause: Pause | None
    group_start: date | None
    self_paced: bool


async def set_window(db: Database, participant_id: int, window: str) -> None:
    await db.execute(
        "INSERT INTO participant_settings (participant_id, reminder_window) VALUES (?, ?)"
        " ON CONFLICT (participant_id) DO UPDATE SET reminder_window = excluded.reminder_window",
        (participant_id, window),
    )


async def get_window(db: Database, participant_id: int) -> str | None:
    value = await db.fetch_value(
        "SELECT reminder_window FROM participant_settings WHERE participant_id = ?",
        (participant_id,),
    )
    return None if value is None else str(value)


async def set_pause(
    db: Database,
    participant_id: int,
    until: date | None,
    reason: str | None,
    by: PausedBy | str,
    *,
    at: datetime | None = None,
) -> None:
    """Pause unasked messages to a participant through ``until`` (inclusive)."""
    await db.execute(
        "INSERT INTO participant_settings"
        " (participant_id, paused_at, paused_until, pause_reason, paused_by)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
        " paused_at = excluded.paused_at, paused_until = excluded.paused_until,"
        " pause_reason = excluded.pause_reason, paused_by = excluded.paused_by",
        (
            participant_id,
            to_iso(at or utc_now()),
            None if until is None else until.isoformat(),
            reason,
            PausedBy(by).value,
        ),
    )


async def clear_pause(db: Database, participant_id: int) -> None:
    await db.execute(
        "UPDATE participant_settings SET paused_at = NULL, paused_until = NULL,"
        " pause_reason = NULL, paused_by = NULL WHERE participant_id = ?",
        (participant_id,),
    )


async def get_pause(db: Database, participant_id: int) -> Pause | None:
    row = await db.fetch_one(
        "SELECT paused_at, paused_until, pause_reason, paused_by FROM participant_settings"
        " WHERE participant_id = ?",
        (participant_id,),
    )
    return None if row is None else _pause(row)


def _pause(row: Row) -> Pause | None:
    at, until, by = row["paused_at"], row["paused_until"], row["paused_by"]
    if at is None or by is None:
        return None
    day = None if until is None else date.fromisoformat(until)
    return Pause(from_iso(at), day, row["pause_reason"], PausedBy(by))


async def candidates(db: Database) -> Iterator[Candidate]:
    """Everyone who may be sent something unasked (before windows and pauses are applied).

    Read in one query, made into candidates one by one as the caller goes: at 10,000
    participants making them all at once held the event loop for a tenth of a second,
    and the planner yields between people.
    """
    rows = await db.fetch_all(
        "SELECT p.id, p.telegram_id, p.first_name, p.language, p.group_id, p.created_at,"
        " p.last_active_at, pr.state, s.reminder_window, s.paused_at, s.paused_until,"
        " s.pause_reason, s.paused_by, g.start_date, g.self_paced"
        " FROM participants p"
        " LEFT JOIN progress pr ON pr.participant_id = p.id"
        " LEFT JOIN participant_settings s ON s.participant_id = p.id"
        " LEFT JOIN groups g ON g.id = p.group_id"
        " WHERE p.consent_at IS NOT NULL AND p.blocked_at IS NULL"
        " AND (g.id IS NULL OR g.ended_at IS NULL)"
        " ORDER BY p.id"
    )
    return (
        Candidate(
            participant_id=row["id"],
            telegram_id=row["telegram_id"],
            first_name=row["first_name"],
            language=row["language"],
            group_id=row["group_id"],
            created_at=from_iso(row["created_at"]),
            last_active_at=from_iso(row["last_active_at"]),
            progress=row["state"],
            window=row["reminder_window"],
            pause=_pause(row),
            group_start=None
            if row["start_date"] is None
            else date.fromisoformat(row["start_date"]),
            self_paced=bool(row["self_paced"]) if row["self_paced"] is not None else True,
        )
        for row in rows
    )


async def paused_participants(db: Database, group_id: int) -> list[tuple[int, Pause]]:
    """The group's paused participants, for the coach's view."""
    rows = await db.fetch_all(
        "SELECT s.participant_id, s.paused_at, s.paused_until, s.pause_reason, s.paused_by"
        " FROM participant_settings s JOIN participants p ON p.id = s.participant_id"
        " WHERE p.group_id = ? AND s.paused_at IS NOT NULL ORDER BY s.participant_id",
        (group_id,),
    )
    found = [(int(row["participant_id"]), _pause(row)) for row in rows]
    return [(pid, pause) for pid, pause in found if pause is not None]
