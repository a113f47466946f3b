"""What coaches do about one participant: actions (audited), notes, pauses, early weeks.

Every action is one row of ``coach_actions`` with who and when, written in the
same transaction as the change it records, so the log and the state cannot
disagree. A participant's detail shows their rows to the coaches of their
group; the whole table is read by the admin only (``python -m bot audit``).
Notes are private to the coach who wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.clock import utc_now
from bot.storage import reminders
from bot.storage.database import Database, Row, from_iso, to_iso
from bot.storage.progress import SAVE_STANDING, standing_row
from bot.storage.records import Standing
from bot.storage.reminders import PausedBy

MAX_NOTE_CHARS = 2000


class ActionKind(StrEnum):
    NUDGE = "nudge"
    PAUSE = "pause"
    OPEN_WEEK = "open_week"
    RESET_QUIZ = "reset_quiz"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Action:
    coach_id: int | None
    coach_name: str | None
    participant_id: int
    kind: ActionKind
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    written_at: datetime


_SELECT_ACTIONS = (
    "SELECT a.coach_id, c.first_name, a.participant_id, a.kind, a.detail, a.at"
    " FROM coach_actions a LEFT JOIN coaches c ON c.id = a.coach_id"
)


async def log_action(
    db: Database,
    coach_id: int,
    participant_id: int,
    kind: ActionKind,
    detail: str = "",
    *,
    now: datetime | None = None,
) -> None:
    await db.execute(
        "INSERT INTO coach_actions (coach_id, participant_id, kind, detail, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (coach_id, participant_id, str(kind), detail, to_iso(now or utc_now())),
    )


def _action(r: Row) -> Action:
    return Action(
        coach_id=r[0],
        coach_name=r[1],
        participant_id=int(r[2]),
        kind=ActionKind(r[3]),
        detail=str(r[4]),
        at=from_iso(r[5]),
    )


async def actions_for(db: Database, participant_id: int, limit: int = 10) -> list[Action]:
    """The newest actions about one participant, newest first."""
    rows = await db.fetch_all(
        f"{_SELECT_ACTIONS} WHERE a.participant_id = ? ORDER BY a.at DESC, a.id DESC LIMIT ?",
        (participant_id, limit),
    )
    return [_action(r) for r in rows]


async def audit(db: Database, since: datetime | None = None) -> list[Action]:
    """Every action, oldest first: for the administrator only."""
    rows = await db.fetch_all(
        f"{_SELECT_ACTIONS} WHERE a.at >= ? ORDER BY a.at, a.id",
        (to_iso(since or datetime.fromtimestamp(0).astimezone()),),
    )
    return [_action(r) for r in rows]


async def add_note(
    db: Database, coach_id: int, participant_id: int, text: str, *, now: datetime | None = None
) -> None:
    at = now or utc_now()
    async with db.transaction():
        await db.execute(
            "INSERT INTO coach_notes (coach_id, participant_id, text, written_at)"
            " VALUES (?, ?, ?, ?)",
            (coach_id, participant_id, text[:MAX_NOTE_CHARS], to_iso(at)),
        )
        await log_action(db, coach_id, participant_id, ActionKind.NOTE, now=at)


async def notes_of(db: Database, coach_id: int, participant_id: int) -> list[Note]:
    """The coach's own notes on the participant, oldest first; never another coach's."""
    rows = await db.fetch_all(
        "SELECT text, written_at FROM coach_notes WHERE coach_id = ? AND participant_id = ?"
        " ORDER BY written_at, id",
        (coach_id, participant_id),
    )
    return [Note(str(r[0]), from_iso(r[1])) for r in rows]


async def set_pause(
    db: Database, coach_id: int, participant_id: int, until: date, *, now: datetime | None = None
) -> None:
    """Pause reminders to the participant up to and including ``until``, and log it.

    The pause is the scheduler's own (bot.storage.reminders.set_pause, by the coach):
    the reminders, the participant's /settings and the coach's views read that one.
    """
    at = now or utc_now()
    async with db.transaction():
        await reminders.set_pause(db, participant_id, until, None, PausedBy.COACH, at=at)
        await log_action(db, coach_id, participant_id, ActionKind.PAUSE, until.isoformat(), now=at)


async def open_next_week(
    db: Database, coach_id: int, participant_id: int, *, now: datetime | None = None
) -> int:
    """One more week open to the participant than the group's pacing; returns the extra."""
    at = now or utc_now()
    async with db.transaction():
        await db.execute(
            "UPDATE participants SET extra_weeks = extra_weeks + 1 WHERE id = ?",
            (participant_id,),
        )
        extra = int(
            await db.fetch_value(
                "SELECT extra_weeks FROM participants WHERE id = ?", (participant_id,)
            )
        )
        await log_action(db, coach_id, participant_id, ActionKind.OPEN_WEEK, str(extra), now=at)
    return extra


async def extra_weeks(db: Database, participant_id: int) -> int:
    value = await db.fetch_value(
        "SELECT extra_weeks FROM participants WHERE id = ?", (participant_id,)
    )
    return int(value or 0)


async def reset_quiz(
    db: Database,
    coach_id: int,
    participant_id: int,
    lesson_id: str,
    progress_state: str | None,
    standing: Standing | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Store the progress with the lesson's quiz reset, and its standing (migration 012),
    and log it: the failures before the reset no longer make the participant "stuck" on
    it (see bot.reports.progress)."""
    at = now or utc_now()
    async with db.transaction():
        if progress_state is not None:
            await db.execute(
                "UPDATE progress SET state = ?, updated_at = ? WHERE participant_id = ?",
                (progress_state, to_iso(at), participant_id),
            )
            if standing is not None:
                await db.execute(SAVE_STANDING, standing_row(participant_id, standing, to_iso(at)))
        await log_action(db, coach_id, participant_id, ActionKind.RESET_QUIZ, lesson_id, now=at)
