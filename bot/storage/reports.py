"""The reads under the coaches' reports: one group's rows in one consistent snapshot.

What is read here is handed as plain rows to :mod:`bot.reports.progress`, the one
aggregation layer every report is built on. Only first names leave the database
this way: no Telegram ids, so an export can never carry one.
"""

from __future__ import annotations

from datetime import date

from bot.storage import reviews
from bot.storage.database import Database, from_iso
from bot.storage.records import (
    AnswerFact,
    GroupFacts,
    GroupRecord,
    Member,
    QuizFact,
    SureMistake,
)
from bot.storage.scheduled import UNANSWERED_REMINDERS

_MEMBERS = (
    "SELECT p.id, p.first_name, p.last_active_at, pr.state, p.consent_at,"
    f" p.last_initial, ({UNANSWERED_REMINDERS}), p.extra_weeks, s.paused_until"
    " FROM participants p"
    " LEFT JOIN progress pr ON pr.participant_id = p.id"
    " LEFT JOIN participant_settings s ON s.participant_id = p.id"
    " WHERE p.group_id = ? ORDER BY p.first_name, p.id"
)
_ANSWERS = (
    "SELECT a.participant_id, a.lesson_id, a.question_id, a.attempt, a.correct, a.answer"
    " FROM answers a"
    " JOIN participants p ON p.id = a.participant_id WHERE p.group_id = ? ORDER BY a.id"
)
_QUIZ_RESULTS = (
    "SELECT q.participant_id, q.lesson_id, q.passed, q.finished_at FROM quiz_results q"
    " JOIN participants p ON p.id = q.participant_id WHERE p.group_id = ? ORDER BY q.id"
)
_DEPARTURES = "SELECT left_at FROM departures WHERE group_id = ? ORDER BY left_at"
_NEWCOMERS = "SELECT COUNT(*) FROM newcomers WHERE group_id = ?"
_RESETS = (
    "SELECT a.participant_id, a.detail, a.at FROM coach_actions a"
    " JOIN participants p ON p.id = a.participant_id"
    " WHERE p.group_id = ? AND a.kind = 'reset_quiz' ORDER BY a.at"
)


async def group_facts(db: Database, group: GroupRecord) -> GroupFacts:
    """The group's participants, answers, quiz runs and departures, read together."""
    async with db.transaction(write=False):
        members = await db.fetch_all(_MEMBERS, (group.id,))
        answers = await db.fetch_all(_ANSWERS, (group.id,))
        results = await db.fetch_all(_QUIZ_RESULTS, (group.id,))
        departures = await db.fetch_all(_DEPARTURES, (group.id,))
        waiting = await db.fetch_one(_NEWCOMERS, (group.id,))
        resets = await db.fetch_all(_RESETS, (group.id,))
        mistakes = await reviews.confident_mistakes(db, group.id)
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
                consented=r[4] is not None,
                joined_at=None if r[4] is None else from_iso(r[4]),
                last_initial=r[5],
                reminders_unanswered=int(r[6] or 0),
                extra_weeks=int(r[7] or 0),
                paused_until=None if r[8] is None else date.fromisoformat(r[8]),
            )
            for r in members
        ),
        answers=tuple(
            AnswerFact(int(r[0]), str(r[1]), str(r[2]), int(r[3]), bool(r[4]), str(r[5]))
            for r in answers
        ),
        quiz_results=tuple(
            QuizFact(int(r[0]), str(r[1]), bool(r[2]), from_iso(r[3])) for r in results
        ),
        departures=tuple(from_iso(r[0]) for r in departures),
        newcomers=int(waiting[0]) if waiting else 0,
        resets=tuple((int(r[0]), str(r[1]), from_iso(r[2])) for r in resets),
        sure_mistakes=tuple(
            SureMistake(m.participant_id, m.lesson_id, m.question_id, m.answered_at)
            for m in mistakes
        ),
    )


async def participant_in_group(db: Database, participant_id: int, group_id: int) -> bool:
    """Whether the participant is in that group: every press naming one is checked."""
    row = await db.fetch_one(
        "SELECT 1 FROM participants WHERE id = ? AND group_id = ?", (participant_id, group_id)
    )
    return row is not None
