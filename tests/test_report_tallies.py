"""The figures kept with every answer (migration 010) agree with the raw rows' aggregation.

A random history is written through the storage as the bot writes it (answers,
quiz runs, coach resets, moves between groups, erasures), then every group's
report is built twice: from all its rows (:func:`group_facts`, the reference)
and from the kept figures (:func:`report_facts`, what coaches' views read).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import coach_files
from bot.course.model import Course
from bot.course.progress import LessonResult, Progress
from bot.reports.progress import GroupReport, build_report
from bot.storage import (
    AnswerRow,
    Database,
    GroupRecord,
    QuizResultRow,
    actions,
    commit_update,
    groups,
    open_database,
)
from bot.storage import participants as people
from bot.storage.reports import group_facts
from tests import databases

START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
NOW = START + timedelta(days=27)  # the history's last week is the report's recent week


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(databases.address(tmp_path / "bot.sqlite3"))
    yield database
    await database.close()


async def random_history(db: Database, course: Course, rng: random.Random) -> list[int]:
    """Two groups, thirty participants, a few hundred answers; returns the group ids."""
    first = await groups.create_group(db, "Vetlanda", START.date(), now=START)
    second = await groups.create_group(db, "Eksjö", START.date(), self_paced=True, now=START)
    coach = await groups.add_coach(db, 900, "Karin", "sv")
    ids = [first.id, second.id]
    persons = []
    for n in range(30):
        joined = START + timedelta(hours=rng.randrange(48))
        person = await people.create(
            db,
            1000 + n,
            rng.choice(["Amina", "Omar", "Sara"]),
            "sv",
            group_id=rng.choice(ids),
            consented=rng.random() < 0.9,
            now=joined,
        )
        persons.append(person)
    quizzes = [(w, x) for w in course.weeks for x in w.lessons if x.quiz is not None]
    when = START
    for update in range(1, 401):
        person = rng.choice(persons)
        week, lesson = rng.choice(quizzes)
        assert lesson.quiz is not None
        when += timedelta(minutes=rng.randrange(1, 180))
        answers = []
        for question in lesson.quiz.questions:
            options = [o.id for o in question.options] or ["photo"]
            chosen = ",".join(rng.sample(options, rng.randint(1, min(2, len(options)))))
            for attempt in (1, 2)[: rng.randint(1, 2)]:
                answers.append(
                    AnswerRow(week.id, lesson.id, question.id, attempt, rng.random() < 0.6, chosen)
                )
        passed = rng.random() < 0.5
        result = QuizResultRow(week.id, lesson.id, 1, 80 if passed else 30, passed)
        state = Progress().with_result(lesson.id, LessonResult(80 if passed else 30, passed, 1, 0))
        await commit_update(
            db,
            update_id=update,
            participant_id=person.id,
            progress_state=state.to_json(),
            answers=answers,
            quiz_results=[result],
            now=when,
        )
        roll = rng.random()
        if roll < 0.04:
            await actions.reset_quiz(db, coach.id, person.id, lesson.id, None, now=when)
        elif roll < 0.06:
            await people.set_group(db, person.id, rng.choice([*ids, None]))
        elif roll < 0.07 and len(persons) > 5:
            await people.erase(db, person.telegram_id, now=when)
            persons.remove(person)
    return ids


def comparable(report: GroupReport) -> tuple[object, ...]:
    """The report's figures; the lines without ``weeks``, which a view of the whole group
    leaves out (their figures are in ``grid`` and ``week_cells``, compared here)."""
    lines = tuple(replace(line, weeks=()) for line in report.lines)
    return (lines, report.questions, report.choices, report.departures, report.waiting)


async def kept_report(
    db: Database, course: Course, group: GroupRecord, only: Collection[int] | None = None
) -> GroupReport:
    """The report as a coach's view reads it: the standings brought up to date first."""
    return await coach_files.group_report(
        db, course, group, NOW, quiet_days=7, timezone="Europe/Stockholm", only=only, files=True
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_kept_figures_agree_with_the_raw_rows(
    db: Database, course: Course, seed: int
) -> None:
    seen = []
    for group_id in await random_history(db, course, random.Random(seed)):
        group = await groups.get_group(db, group_id)
        assert group is not None
        raw = build_report(course, await group_facts(db, group), NOW)
        kept = await kept_report(db, course, group)
        assert raw.lines and raw.questions
        assert comparable(kept) == comparable(raw)
        assert kept.hard_questions == raw.hard_questions
        for line in raw.lines[:3]:  # a detail reads and builds one participant's line
            one = await kept_report(db, course, group, only=(line.participant_id,))
            assert one.lines == (line,)
        none = await kept_report(db, course, group, only=())
        assert none.questions == raw.questions
        seen += raw.lines
    # the history exercises every kept figure: stuck, recent passes, hard questions
    assert any(line.stuck_lessons for line in seen)
    assert any(line.recent_lessons for line in seen)


async def test_figures_of_answers_given_before_the_migration_are_counted(
    tmp_path: Path, course: Course
) -> None:
    """The migration fills the figures from the rows already stored."""
    path = databases.address(tmp_path / "old.sqlite3")
    db = await open_database(path)
    ids = await random_history(db, course, random.Random(7))
    for table in ("first_answers", "answer_counts", "quiz_tallies"):
        await db.execute(f"DELETE FROM {table}")
    await db.execute("DELETE FROM schema_migrations WHERE version = 10")
    for name in (
        "answers_first",
        "first_answers_counted",
        "participants_uncounted",
        "participants_moved",
        "quiz_results_tallied",
        "quiz_reset_tallied",
    ):
        if db.dialect == "sqlite":
            await db.execute(f"DROP TRIGGER {name}")
        else:  # a PostgreSQL trigger runs a function of the same name
            await db.execute(f"DROP FUNCTION {name}() CASCADE")
    for table in ("first_answers", "answer_counts", "quiz_tallies"):
        await db.execute(f"DROP TABLE {table}")
    await db.close()
    db = await open_database(path)  # migrates again: 010 fills the figures in
    try:
        for group_id in ids:
            group = await groups.get_group(db, group_id)
            assert group is not None
            raw = build_report(course, await group_facts(db, group), NOW)
            assert comparable(await kept_report(db, course, group)) == comparable(raw)
    finally:
        await db.close()
