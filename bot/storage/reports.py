"""The reads under the coaches' reports: one group's rows in one consistent snapshot.

What is read here is handed as plain rows to :mod:`bot.reports.progress`, the one
aggregation layer every report is built on. Only first names leave the database
this way: no Telegram ids, so an export can never carry one.
"""

from __future__ import annotations

from bot.storage.database import Database, from_iso
from bot.storage.records import AnswerFact, GroupFacts, GroupRecord, Member, QuizFact

_MEMBERS = (
    "SELECT p.id, p.first_name, p.last_active_at, pr.state, p.consent_at IS NOT NULL"
    " FROM participants p"
    " LEFT JOIN progress pr ON pr.participant_id = p.id"
    " WHERE p.group_id = ? ORDER BY p.first_name, p.id"
)
_ANSWERS = (
    "SELECT a.participant_id, a.lesson_id, a.question_id, a.attempt, a.correct FROM answers a"
    " JOIN participants p ON p.id = a.participant_id WHERE p.group_id = ? ORDER BY a.id"
)
_QUIZ_RESULTS = (
    "SELECT q.participant_id, q.lesson_id, q.passed, q.finished_at FROM quiz_results q"
    " JOIN participants p ON p.id = q.participant_id WHERE p.group_id = ? ORDER BY q.id"
)
_DEPARTURES = "SELECT left_at FROM departures WHERE group_id = ? ORDER BY left_at"
_NEWCOMERS = "SELECT COUNT(*) FROM newcomers WHERE group_id = ?"


async def group_facts(db: Database, group: GroupRecord) -> GroupFacts:
    """The group's participants, answers, quiz runs and departures, read together."""
    async with db.transaction(write=False):
        members = await db.fetch_all(_MEMBERS, (group.id,))
        answers = await db.fetch_all(_ANSWERS, (group.id,))
        results = await db.fetch_all(_QUIZ_RESULTS, (group.id,))
        departures = await db.fetch_all(_DEPARTURES, (group.id,))
        waiting = await db.fetch_one(_NEWCOMERS, (group.id,))
    return GroupFacts(
        group_id=group.id,
        name=group.name,
        start_date=group.start_date,
        self_paced=group.self_paced,
        members=tuple(
            Member(
                int(r[0]),
                str(r[1]),
                from_iso(r[2]),
                None if r[3] is None else str(r[3]),
                consented=bool(r[4]),
            )
            for r in members
        ),
        answers=tuple(
            AnswerFact(int(r[0]), str(r[1]), str(r[2]), int(r[3]), bool(r[4])) for r in answers
        ),
        quiz_results=tuple(
            QuizFact(int(r[0]), str(r[1]), bool(r[2]), from_iso(r[3])) for r in results
        ),
        departures=tuple(from_iso(r[0]) for r in departures),
        newcomers=int(waiting[0]) if waiting else 0,
    )


async def participant_in_group(db: Database, participant_id: int, group_id: int) -> bool:
    """Whether the participant is in that group: every press naming one is checked."""
    row = await db.fetch_one(
        "SELECT 1 FROM participants WHERE id = ? AND group_id = ?", (participant_id, group_id)
    )
    return row is not None
