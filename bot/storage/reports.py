"""The reads under the coaches' reports: one group's rows in one consistent snapshot.

What is read here is handed as plain rows to :mod:`bot.reports.progress`, the one
aggregation layer every report is built on. Only first names leave the database
this way: no Telegram ids, so an export can never carry one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date, datetime

from bot.storage import reviews
from bot.storage.database import Database, Row, Step, from_iso, from_iso_or_none, to_iso
from bot.storage.progress import STANDING_COLUMNS, STANDING_UPDATE, standing_row
from bot.storage.records import (
    AnswerCount,
    AnswerFact,
    GroupFacts,
    GroupRecord,
    Member,
    QuizFact,
    QuizTally,
    Standing,
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
_STANDING = (
    "st.course, st.finished, st.week, st.lessons_done, st.quiz_average, st.started,"
    " st.passed, st.recovered, st.grid, st.week_cells"
)
_KEPT_MEMBERS = _MEMBERS.replace(
    " FROM participants p", f", {_STANDING} FROM participants p", 1
).replace(
    " WHERE p.group_id = ?",
    " LEFT JOIN standings st ON st.participant_id = p.id AND st.course = ? WHERE p.group_id = ?",
    1,
)
"""The members with their standings (migration 012), summed up against the running course:
the view's read, after :func:`stale_progress` brought them up to date (a progress saved in
between without one, by a coach's reset, leaves the previous standing until the next view)."""
_STALE = (
    "SELECT pr.participant_id, pr.state, pr.updated_at FROM participants p"
    " JOIN progress pr ON pr.participant_id = p.id"
    " LEFT JOIN standings st ON st.participant_id = p.id"
    " WHERE p.group_id = ? AND (st.participant_id IS NULL OR st.course <> ?"
    " OR st.progress_at <> pr.updated_at)"
)
_REFRESH_STANDING = (
    f"INSERT INTO standings ({STANDING_COLUMNS})"
    " SELECT participant_id, ?, updated_at, CAST(? AS INTEGER), CAST(? AS INTEGER),"
    " CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, ?, ?"
    " FROM progress WHERE participant_id = ? AND updated_at = ?" + STANDING_UPDATE
)
"""Only while the progress is still the one summed up: a press saved meanwhile (with its
own standing) or an erasure wins."""
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
    " WHERE p.group_id = ? AND t.failed_since_reset >= ?"
)
_RECENT_PASSES = (
    "SELECT t.participant_id, COUNT(*) FROM participants p"
    " JOIN quiz_tallies t ON t.participant_id = p.id"
    " WHERE p.group_id = ? AND t.last_passed_at > ?"
)
_OWN_ANSWERS = (
    "SELECT participant_id, lesson_id, question_id, attempt, correct, answer"
    " FROM answers WHERE participant_id = ? ORDER BY id"
)


def _members_of(only: Collection[int] | None, grid: bool) -> tuple[str, tuple[int, ...]]:
    """The members query with their standings; the progress of ``only`` alone; the
    standings' lesson grid and week figures only with ``grid`` (the files show them)."""
    ids = tuple(only or ())
    wanted = f"CASE WHEN p.id IN ({', '.join('?' * len(ids))}) THEN pr.state END" if ids else "NULL"
    sql = _KEPT_MEMBERS.replace("pr.state", wanted, 1)
    if only is not None:  # their lines come from their progress, nobody else's are built
        return sql.replace(_STANDING, ", ".join("NULL" for _ in _STANDING.split(","))), ids
    return (sql if grid else sql.replace("st.grid, st.week_cells", "NULL, NULL", 1)), ids


async def stale_progress(db: Database, group_id: int, course: str) -> list[tuple[int, str, str]]:
    """(participant, progress, saved at) of the group's members whose standing is missing or
    out of date: stored before migration 012, summed up against another course (``course``
    is the running one's key), or progress written by another way than a press."""
    rows = await db.fetch_all(_STALE, (group_id, course))
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


SAVE_CHUNK = 500
"""Standings saved per transaction: after an upgrade a group's thousands are saved a few
hundred at a time, so participants' presses get the database between two."""


async def save_standings(db: Database, standings: Sequence[tuple[int, Standing, str]]) -> None:
    """Store (participant, standing, the progress's ``updated_at`` it was summed up from)."""
    rows = []
    for pid, standing, at in standings:
        _, course, _, *figures = standing_row(pid, standing, at)
        rows.append((course, *figures, pid, at))
    for start in range(0, len(rows), SAVE_CHUNK):
        await db.run_steps([Step(_REFRESH_STANDING, rows[start : start + SAVE_CHUNK], many=True)])


async def report_facts(
    db: Database,
    group: GroupRecord,
    *,
    course: str,
    failed_runs: int,
    passed_since: datetime,
    only: Collection[int] | None = None,
    grid: bool = False,
) -> GroupFacts:
    """The group's members and the figures kept with every answer (migration 010).

    What a coach's view reads: one indexed SELECT per table in one hop to the
    database thread, however many answers the group gave. Of the quiz tallies only
    the lessons failed ``failed_runs`` times come, and per participant how many were
    passed since ``passed_since``.
    ``only``: the participants whose progress is needed (a detail: one; the hard
    questions: none); the others come with their standing instead (migration 012),
    current for ``course`` (the running course's key) or None: see
    :func:`stale_progress`, which a view calls first. ``grid``: with each standing's
    lesson grid and week figures, which only the files show (parsing them is most of
    the read's time).
    """
    members_sql, ids = _members_of(only, grid)
    ids_param = (*ids, course)
    tallies_sql, recent_sql = _QUIZ_TALLIES, _RECENT_PASSES
    if only is not None:
        of_only = f" AND t.participant_id IN ({', '.join('?' * len(ids))})" if ids else " AND 1 = 0"
        tallies_sql += of_only
        recent_sql += of_only
    recent_sql += " GROUP BY t.participant_id"
    members, counts, tallies, recent, departures, waiting = await db.run_steps(
        [
            Step(members_sql, (*ids_param, group.id), fetch=True),
            Step(_ANSWER_COUNTS, (group.id,), fetch=True),
            Step(tallies_sql, (group.id, failed_runs, *ids), fetch=True),
            Step(recent_sql, (group.id, to_iso(passed_since), *ids), fetch=True),
            Step(_DEPARTURES, (group.id,), fetch=True),
            Step(_NEWCOMERS, (group.id,), fetch=True),
        ],
        write=False,
    )
    assert isinstance(members, list) and isinstance(counts, list)
    assert isinstance(tallies, list) and isinstance(departures, list)
    assert isinstance(recent, list)
    assert isinstance(waiting, list)
    kept = Tallies(
        answer_counts=tuple(
            AnswerCount(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), int(r[4])) for r in counts
        ),
        quiz_tallies=tuple(
            QuizTally(int(r[0]), str(r[1]), int(r[2]), from_iso_or_none(r[3])) for r in tallies
        ),
        recent_passes=tuple((int(r[0]), int(r[1])) for r in recent),
    )
    return GroupFacts(
        group_id=group.id,
        name=group.name,
        start_date=group.start_date,
        self_paced=group.self_paced,
        members=_members(members, kept=True),
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


def _members(rows: list[Row], *, kept: bool = False) -> tuple[Member, ...]:
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
            standing=_standing(r) if kept and r[9] is not None else None,
        )
        for r in rows
    )


def _standing(r: Row) -> Standing:
    return Standing(
        course=str(r[9]),
        finished=bool(r[10]),
        week=None if r[11] is None else int(r[11]),
        lessons_done=int(r[12]),
        quiz_average=None if r[13] is None else int(r[13]),
        started=bool(r[14]),
        passed=tuple(r[15].split(",")) if r[15] else (),
        recovered=tuple(r[16].split(",")) if r[16] else (),
        grid=() if r[17] is None else tuple(json.loads(r[17])),
        week_cells=() if r[18] is None else tuple(json.loads(r[18])),
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
