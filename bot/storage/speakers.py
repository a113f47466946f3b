"""Who sent an update, read in one statement: the hot path's first read.

A press needs the participant (with their progress, their group's start and pace
and their extra weeks), or the coach, or the newcomer: one SELECT joins them all
to the Telegram id, so it is one trip to the database thread and one statement
there (a statement is its own consistent snapshot, so no transaction is needed).
Three SELECTs in a batch took five statements on the database thread, each
handing the GIL back and forth with a busy event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.storage.database import Database, Step, from_iso
from bot.storage.newcomers import NewcomerRecord
from bot.storage.records import CoachRecord, ParticipantRecord

_PARTICIPANT_COLUMNS = ", ".join(f"p.{c.strip()}" for c in ParticipantRecord.COLUMNS.split(","))
# Each table holds one row at most per Telegram id, so the joins give one row, whoever it is.
_SPEAKER = (
    f"SELECT {_PARTICIPANT_COLUMNS}, pr.state, p.extra_weeks,"
    " g.start_date AS group_start, g.self_paced AS group_self_paced,"
    " c.id AS coach_id, c.first_name AS coach_first_name, c.language AS coach_language,"
    " c.created_at AS coach_created_at,"
    " n.telegram_id AS newcomer_id, n.language AS newcomer_language,"
    " n.group_id AS newcomer_group_id"
    " FROM (SELECT CAST(? AS BIGINT) AS telegram_id) who"
    " LEFT JOIN participants p ON p.telegram_id = who.telegram_id"
    " LEFT JOIN progress pr ON pr.participant_id = p.id"
    " LEFT JOIN groups g ON g.id = p.group_id"
    " LEFT JOIN coaches c ON c.telegram_id = who.telegram_id"
    " LEFT JOIN newcomers n ON n.telegram_id = who.telegram_id"
)


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
    """The participant, coach and newcomer stored for ``telegram_id``, in one statement."""
    (rows,) = await db.run_steps(
        [Step(_SPEAKER, (telegram_id,), fetch=True)], write=False, quick=True
    )
    assert isinstance(rows, list) and rows  # the inner SELECT always gives its one row
    row = rows[0]
    participant = progress = pace = None
    if row["id"] is not None:
        participant = ParticipantRecord.from_row(row)
        progress = row["state"]
        start = row["group_start"]
        pace = Pace(
            None if start is None else date.fromisoformat(start),
            True if start is None else bool(row["group_self_paced"]),
            int(row["extra_weeks"] or 0),
        )
    coach = None
    if row["coach_id"] is not None:
        coach = CoachRecord(
            id=row["coach_id"],
            telegram_id=telegram_id,
            first_name=row["coach_first_name"],
            language=row["coach_language"],
            created_at=from_iso(row["coach_created_at"]),
        )
    newcomer = None
    if row["newcomer_id"] is not None and participant is None:
        newcomer = NewcomerRecord(telegram_id, row["newcomer_language"], row["newcomer_group_id"])
    return Speaker(participant, progress, pace, coach, newcomer)
