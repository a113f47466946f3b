"""Who sent an update, read in one hop to the database thread: the hot path's first read.

A press needs the participant (with their progress, their group's start and pace
and their extra weeks), or the coach, or the newcomer: three small indexed
SELECTs sent together as one batch (:meth:`Database.run_steps`), instead of five
round trips queued one after the other behind the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.storage.database import Database, Step
from bot.storage.newcomers import NewcomerRecord
from bot.storage.records import CoachRecord, ParticipantRecord

_PARTICIPANT_COLUMNS = ", ".join(f"p.{c.strip()}" for c in ParticipantRecord.COLUMNS.split(","))
_PARTICIPANT = (
    f"SELECT {_PARTICIPANT_COLUMNS}, pr.state, p.extra_weeks,"
    " g.start_date AS group_start, g.self_paced AS group_self_paced"
    " FROM participants p"
    " LEFT JOIN progress pr ON pr.participant_id = p.id"
    " LEFT JOIN groups g ON g.id = p.group_id"
    " WHERE p.telegram_id = ?"
)
_COACH = f"SELECT {CoachRecord.COLUMNS} FROM coaches WHERE telegram_id = ?"
_NEWCOMER = "SELECT telegram_id, language, group_id FROM newcomers WHERE telegram_id = ?"


@dataclass(frozen=True, slots=True)
class Pace:
    """What decides the weeks open to a participant: their group's start and pace, extra weeks."""

    start_date: date | None
    self_paced: bool
    extra_weeks: int


@dataclass(frozen=True, slots=True)
class Speaker:
    """Everything stored about one Telegram id that a handler reads first."""

    participant: ParticipantRecord | None
    progress: str | None
    pace: Pace | None
    coach: CoachRecord | None
    newcomer: NewcomerRecord | None


async def speaker(db: Database, telegram_id: int) -> Speaker:
    """The participant, coach and newcomer stored for ``telegram_id``, in one batch."""
    found = await db.run_steps(
        [
            Step(_PARTICIPANT, (telegram_id,), fetch=True),
            Step(_COACH, (telegram_id,), fetch=True),
            Step(_NEWCOMER, (telegram_id,), fetch=True),
        ],
        write=False,
    )
    people, coaches, newcomers = (rows if isinstance(rows, list) else [] for rows in found)
    participant = progress = pace = None
    if people:
        row = people[0]
        participant = ParticipantRecord.from_row(row)
        progress = row["state"]
        start = row["group_start"]
        pace = Pace(
            None if start is None else date.fromisoformat(start),
            True if start is None else bool(row["group_self_paced"]),
            int(row["extra_weeks"] or 0),
        )
    coach = CoachRecord.from_row(coaches[0]) if coaches else None
    newcomer = None
    if newcomers and participant is None:
        n = newcomers[0]
        newcomer = NewcomerRecord(int(n["telegram_id"]), n["language"], n["group_id"])
    return Speaker(participant, progress, pace, coach, newcomer)
