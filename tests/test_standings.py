"""The standing saved with every progress (migration 012) is what the progress itself gives.

A random history is written as the bot writes it: each saved progress with its
standing (bot/telegram/participant/handlers.py), quiz runs passed and failed and
taken again, coaches' resets (which write the progress without one), moves
between groups and erasures. The stored standings must equal those summed up
afresh from the stored progress, and a coach's report built from them must equal
the one built from every participant's progress.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import coach_files
from bot.course.model import Course
from bot.course.progress import LessonResult, Progress, Stage
from bot.course.summary import course_key
from bot.reports.progress import GroupReport, ParticipantLine, build_report
from bot.reports.standing import standing_of
from bot.storage import Database, QuizResultRow, actions, commit_update, groups, open_database
from bot.storage import participants as people
from bot.storage.records import GroupRecord, Standing
from bot.storage.reports import group_facts, stale_progress
from tests import databases

START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
NOW = START + timedelta(days=27)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(databases.address(tmp_path / "bot.sqlite3"))
    yield database
    await database.close()


async def history(db: Database, course: Course, rng: random.Random) -> tuple[list[int], set[int]]:
    """Two groups, twenty-eight participants, three hundred saved presses.

    Returns the group ids and the participants whose progress a coach's reset wrote
    last without its standing, as code before migration 012 did (their stored standing
    is behind until a view sums it up again).
    """
    first = await groups.create_group(db, "Vetlanda", START.date(), now=START)
    second = await groups.create_group(db, "Eksjö", START.date(), self_paced=True, now=START)
    coach = await groups.add_coach(db, 900, "Karin", "sv")
    ids = [first.id, second.id]
    persons = [
        await people.create(
            db,
            1000 + n,
            rng.choice(["Amina", "Omar"]),
            "sv",
            group_id=rng.choice(ids),
            consented=True,
            now=START,
        )
        for n in range(25)
    ]
    for n in range(3):  # joined, never started
        await people.create(
            db, 2000 + n, "Sara", "sv", group_id=ids[n % 2], consented=True, now=START
        )
    states = {p.id: Progress() for p in persons}
    reset_last: set[int] = set()
    lessons = course.lessons
    when = START
    for update in range(1, 301):
        person = rng.choice(persons)
        lesson = rng.choice(lessons[:12])
        when += timedelta(minutes=rng.randrange(1, 120))
        before = states[person.id].result(lesson.id)
        passed = rng.random() < 0.55
        score = rng.choice([20, 40, 80, 100]) if passed else rng.choice([0, 20, 40])
        best = max(score, before.best_percent or 0) if lesson.quiz else None
        result = LessonResult(
            best, passed or before.passed, before.runs + 1, before.failed_runs + (not passed)
        )
        done = states[person.id].stage is Stage.DONE or rng.random() < 0.03
        stage = Stage.DONE if done else rng.choice([Stage.READY, Stage.STEP])
        state = Progress(stage=stage, lesson_id=lesson.id, results=states[person.id].results)
        state = state.with_result(lesson.id, result)
        states[person.id] = state
        week = next(w for w in course.weeks if lesson in w.lessons)
        runs = (
            [QuizResultRow(week.id, lesson.id, result.runs, score, passed)] if lesson.quiz else []
        )
        await commit_update(
            db,
            update_id=update,
            participant_id=person.id,
            progress_state=state.to_json(),
            standing=standing_of(course, state),
            quiz_results=runs,
            now=when,
        )
        reset_last.discard(person.id)
        roll = rng.random()
        if roll < 0.08:  # as the coach's reset button does: the lesson as never taken
            state = state.with_result(lesson.id, LessonResult())
            states[person.id] = state
            with_standing = rng.random() < 0.5
            await actions.reset_quiz(
                db,
                coach.id,
                person.id,
                lesson.id,
                state.to_json(),
                standing_of(course, state) if with_standing else None,
                now=when + timedelta(seconds=1),
            )
            if not with_standing:
                reset_last.add(person.id)
        elif roll < 0.11:
            await people.set_group(db, person.id, rng.choice([*ids, None]))
        elif roll < 0.12 and len(persons) > 5:
            await people.erase(db, person.telegram_id, now=when)
            persons.remove(person)
            reset_last.discard(person.id)
    for person in rng.sample(persons, 3):  # the last word a reset's, as before 012
        state = Progress(results=states[person.id].results)
        await actions.reset_quiz(db, coach.id, person.id, lessons[0].id, state.to_json(), now=NOW)
        reset_last.add(person.id)
    return ids, reset_last


async def stored(db: Database) -> dict[int, tuple[object, ...]]:
    rows = await db.fetch_all("SELECT * FROM standings")
    return {int(r["participant_id"]): tuple(r) for r in rows}


async def afresh(db: Database, course: Course) -> dict[int, Standing]:
    rows = await db.fetch_all("SELECT participant_id, state FROM progress")
    return {int(r[0]): standing_of(course, Progress.from_json(r[1])) for r in rows}


def lines_of(report: GroupReport) -> tuple[object, ...]:
    """The lines without ``weeks``: a view of the whole group leaves them out."""
    lines = tuple(replace(line, weeks=()) for line in report.lines)
    return (lines, report.questions, report.choices, report.departures, report.waiting)


def without_grid(report: GroupReport) -> GroupReport:
    lines = tuple(replace(line, grid=(), week_cells=()) for line in report.lines)
    return replace(report, lines=lines)


async def kept(db: Database, course: Course, group: GroupRecord, *, files: bool) -> GroupReport:
    return await coach_files.group_report(
        db, course, group, NOW, quiet_days=7, timezone="Europe/Stockholm", files=files
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_stored_standings_are_the_progress_summed_up(
    db: Database, course: Course, seed: int
) -> None:
    ids, reset_last = await history(db, course, random.Random(seed))
    assert reset_last  # the history exercises a standing left behind
    key = course_key(course)
    seen: list[ParticipantLine] = []
    behind = {pid for group_id in ids for pid, _, _ in await stale_progress(db, group_id, key)}
    in_a_group = {
        p.id for group_id in ids for p in await groups.participants_of_group(db, group_id)
    }
    assert behind == reset_last & in_a_group  # only those resets left a standing behind
    for group_id in ids:
        group = await groups.get_group(db, group_id)
        assert group is not None
        raw = build_report(course, await group_facts(db, group), NOW)
        assert raw.lines
        seen += raw.lines
        assert lines_of(await kept(db, course, group, files=True)) == lines_of(raw)
        view = await kept(db, course, group, files=False)  # no grid read for a view
        assert lines_of(without_grid(view)) == lines_of(without_grid(raw))
        assert not await stale_progress(db, group_id, key)  # the view summed them up
    # and every figure a standing holds: recovered lessons, stuck, finished, not started
    assert any(line.recovered_lessons for line in seen) and any(line.finished for line in seen)
    assert any(line.stuck_lessons for line in seen) and any(not line.started for line in seen)
    fresh = await afresh(db, course)
    saved = await stored(db)
    for pid in in_a_group & set(fresh):
        standing = fresh[pid]
        assert saved[pid][1] == standing.course == key
        assert saved[pid][3:8] == (
            int(standing.finished),
            standing.week,
            standing.lessons_done,
            standing.quiz_average,
            int(standing.started),
        )
    erased = set(saved) - set(fresh)
    assert not erased  # erasure took the standing with the participant


async def test_progress_stored_before_the_migration_is_summed_up_at_the_first_view(
    tmp_path: Path, course: Course
) -> None:
    path = databases.address(tmp_path / "old.sqlite3")
    db = await open_database(path)
    ids, _ = await history(db, course, random.Random(7))
    await db.execute("DROP TABLE standings")
    await db.execute("DELETE FROM schema_migrations WHERE version = 12")
    await db.close()
    db = await open_database(path)  # migrates again: 012 makes the table, empty
    try:
        assert not await stored(db)
        for group_id in ids:
            group = await groups.get_group(db, group_id)
            assert group is not None
            assert await stale_progress(db, group_id, course_key(course))
            raw = build_report(course, await group_facts(db, group), NOW)
            assert lines_of(await kept(db, course, group, files=True)) == lines_of(raw)
            assert not await stale_progress(db, group_id, course_key(course))
    finally:
        await db.close()


async def test_a_standing_of_another_course_shape_is_summed_up_again(
    db: Database, course: Course
) -> None:
    ids, _ = await history(db, course, random.Random(4))
    # a fresh index of its own: replace would share (and refill) the session course's
    reordered = replace(course, weeks=tuple(reversed(course.weeks)), _lesson_index={})
    assert course_key(reordered) != course_key(course)
    for group_id in ids:
        members = await groups.participants_of_group(db, group_id)
        with_progress = {pid for pid, _, _ in await stale_progress(db, group_id, "another")}
        assert with_progress and with_progress <= {m.id for m in members}
