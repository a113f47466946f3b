"""The reads under the coaches' reports: one group's rows in one consistent snapshot.

What is read here is handed as plain rows to :mod:`bot.reports.progress`, the one
aggregation layer every report is built on. Only first names leave the database
this way: no Telegram ids, so an export can never carry one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from bot.storage import reviews
from bot.storage.database import Database, Row, Step, from_iso, from_iso_or_none, to_iso
from bot.storage.records import (
    AnswerCount,
    AnswerFact,
    GroupFacts,
    GroupRecord,
    Member,
    QuizFact,
    QuizTally,
    SureMistake,
    Tallies,
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

_ANSWER_COUNTS = (
    "SELECT lesson_id, question_id, answer, correct, people FROM answer_counts"
    " WHERE group_id = ? AND people > 0"
)
_QUIZ_TALLIES = (
    "SELECT t.participant_id, t.lesson_id, t.failed_since_reset, t.last_passed_at"
    " FROM participants p JOIN quiz_tallies t ON t.participant_id = p.id"
    " WHERE p.group_id = ? AND (t.failed_since_reset >= ? OR t.last_passed_at > ?)"
)
_OWN_ANSWERS = (
    "SELECT participant_id, lesson_id, question_id, attempt, correct, answer"
    " FROM answers WHERE participant_id = ? ORDER BY id"
)


def _members_of(only: Collection[int] | None) -> tuple[str, tuple[int, ...]]:
    """The members query; with ``only``, the progress of those participants alone."""
    if only is None:
        return _MEMBERS, ()
    ids = tuple(only)
    wanted = f"CASE WHEN p.id IN ({', '.join('?' * len(ids))}) THEN pr.state END" if ids else "NULL"
    return _MEMBERS.replace("pr.state", wanted, 1), ids


async def report_facts(
    db: Database,
    group: GroupRecord,
    *,
    failed_runs: int,
    passed_since: datetime,
    only: Collection[int] | None = None,
) -> GroupFacts:
    """The group's members and the figures kept with every answer (migration 010).

    What a coach's view reads: one indexed SELECT per table in one hop to the
    database thread, however many answers the group gave. Of the quiz tallies only
    the lessons failed ``failed_runs`` times or passed since ``passed_since`` come.
    ``only``: the participants whose progress is needed (a detail: one; the hard
    questions: none); the others come without it, which is most of the bytes.
    """
    members_sql, ids = _members_of(only)
    tallies_sql = _QUIZ_TALLIES
    if only is not None:
        tallies_sql += (
            f" AND t.participant_id IN ({', '.join('?' * len(ids))})" if ids else " AND 1 = 0"
        )
    members, counts, tallies, departures, waiting = await db.run_steps(
        [
            Step(members_sql, (*ids, group.id), fetch=True),
            Step(_ANSWER_COUNTS, (group.id,), fetch=True),
            Step(tallies_sql, (group.id, failed_runs, to_iso(passed_since), *ids), fetch=True),
            Step(_DEPARTURES, (group.id,), fetch=True),
            Step(_NEWCOMERS, (group.id,), fetch=True),
        ],
        write=False,
    )
    assert isinstance(members, list) and isinstance(counts, list)
    assert isinstance(tallies, list) and isinstance(departures, list)
    assert isinstance(waiting, list)
    kept = Tallies(
        answer_counts=tuple(
            AnswerCount(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), int(r[4])) for r in counts
        ),
        quiz_tallies=tuple(
            QuizTally(int(r[0]), str(r[1]), int(r[2]), from_iso_or_none(r[3])) for r in tallies
        ),
    )
    return GroupFacts(
        group_id=group.id,
        name=group.name,
        start_date=group.start_date,
        self_paced=group.self_paced,
        members=_members(members),
        answers=(),
        quiz_results=(),
        departures=tuple(from_iso(r[0]) for r in departures),
        newcomers=int(waiting[0][0]) if waiting else 0,
        tallies=kept,
        sure_mistakes=await _sure_mistakes(db, group.id),
    )


async def own_answers(db: Database, participant_id: int) -> tuple[AnswerFact, ...]:
    """One participant's answers in the order given: their detail reads only these."""
    rows = await db.fetch_all(_OWN_ANSWERS, (participant_id,))
    return tuple(_answer(r) for r in rows)


def _answer(r: Row) -> AnswerFact:
    return AnswerFact(int(r[0]), str(r[1]), str(r[2]), int(r[3]), bool(r[4]), str(r[5]))


def _members(rows: list[Row]) -> tuple[Member, ...]:
    return tuple(
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
        for r in rows
    )


async def group_facts(db: Database, group: GroupRecord) -> GroupFacts:
    """The group's participants and every answer, quiz run and departure, read together.

    The raw rows: what the kept figures of :func:`report_facts` are checked against.
    """
    async with db.transaction(write=False):
        members = await db.fetch_all(_MEMBERS, (group.id,))
        answers = await db.fetch_all(_ANSWERS, (group.id,))
        results = await db.fetch_all(_QUIZ_RESULTS, (group.id,))
        departures = await db.fetch_all(_DEPARTURES, (group.id,))
        waiting = await db.fetch_one(_NEWCOMERS, (group.id,))
        resets = await db.fetch_all(_RESETS, (group.id,))
    return GroupFacts(
        group_id=group.id,
        name=group.name,
        start_date=group.start_date,
        self_paced=group.self_paced,
        members=_members(members),
        answers=tuple(_answer(r) for r in answers),
        quiz_results=tuple(
            QuizFact(int(r[0]), str(r[1]), bool(r[2]), from_iso(r[3])) for r in results
        ),
        departures=tuple(from_iso(r[0]) for r in departures),
        newcomers=int(waiting[0]) if waiting else 0,
        resets=tuple((int(r[0]), str(r[1]), from_iso(r[2])) for r in resets),
        sure_mistakes=await _sure_mistakes(db, group.id),
    )


async def _sure_mistakes(db: Database, group_id: int) -> tuple[SureMistake, ...]:
    """Safety questions answered wrong with high confidence (the memory checks' taps)."""
    return tuple(
        SureMistake(m.participant_id, m.lesson_id, m.question_id, m.answered_at)
        for m in await reviews.confident_mistakes(db, group_id)
    )


async def participant_in_group(db: Database, participant_id: int, group_id: int) -> bool:
    """Whether the participant is in that group: every press naming one is checked."""
    row = await db.fetch_one(
        "SELECT 1 FROM participants WHERE id = ? AND group_id = ?", (participant_id, group_id)
    )
    return row is not None
