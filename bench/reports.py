"""How long the coaches' reports take for a very large group: part of `make bench`.

Synthetic participants take all ten weeks the way real ones do: most answer
right at the first try, some need a second, a few fail a quiz and take it
again, and they stop at different weeks. bench/population.py writes them to a
database file as the bot stores them; what is timed is each view as the bot
makes it (the read of the kept figures, the report built in a worker thread,
the rendering) and each file as the coach's buttons make it (in the files' process,
the bytes back included), nothing else.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import clock
from bot.config import load_settings
from bot.course.loader import load_course
from bot.course.model import Course, Lesson
from bot.course.progress import LessonResult, Progress, Stage
from bot.i18n.catalogs import compile_catalogs
from bot.i18n.languages import LANGUAGES
from bot.i18n.translator import reset_cache, translator
from bot.storage.records import AnswerFact, GroupFacts, Member, QuizFact

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
START = (NOW - timedelta(weeks=10)).date()
RIGHT_AT_ONCE = 0.75
GIVES_UP = 0.15
"""The share who stop somewhere before the end."""


def synthetic_group(course: Course, n: int, seed: int = 1) -> GroupFacts:
    """``n`` participants with progress, answers and quiz runs over ten weeks."""
    rng = random.Random(seed)
    members: list[Member] = []
    answers: list[AnswerFact] = []
    results: list[QuizFact] = []
    for pid in range(1, n + 1):
        reach = len(course.lessons)
        if rng.random() < GIVES_UP:
            reach = rng.randrange(len(course.lessons))
        progress = Progress()
        for order, lesson in enumerate(course.lessons[:reach]):
            when = NOW - timedelta(days=70 - 2.5 * order)
            progress = _take(rng, pid, lesson, progress, when, answers, results)
        progress = _stand(course, progress, reach)
        last = NOW - timedelta(days=rng.choice((0, 1, 2, 3, 5, 9, 20)))
        members.append(Member(pid, f"Deltagare {pid}", last, progress.to_json()))
    return GroupFacts(1, "Bench", START, False, tuple(members), tuple(answers), tuple(results), ())


def _take(
    rng: random.Random,
    pid: int,
    lesson: Lesson,
    progress: Progress,
    when: datetime,
    answers: list[AnswerFact],
    results: list[QuizFact],
) -> Progress:
    """One lesson's quiz, run until passed (a weak quiz is taken again)."""
    if lesson.quiz is None:
        return progress.with_result(lesson.id, LessonResult(None, True, 0, 0))
    runs = failed = 0
    best = 0
    while True:
        runs += 1
        right = 0
        for question in lesson.quiz.questions:
            first = rng.random() < RIGHT_AT_ONCE
            answers.append(AnswerFact(pid, lesson.id, question.id, 1, first))
            if not first:
                answers.append(AnswerFact(pid, lesson.id, question.id, 2, rng.random() < 0.6))
            right += first
        percent = round(100 * right / len(lesson.quiz.questions))
        best = max(best, percent)
        passed = percent >= lesson.quiz.pass_percent
        results.append(QuizFact(pid, lesson.id, passed, when))
        if passed or runs == 3:
            failed += not passed
            return progress.with_result(lesson.id, LessonResult(best, passed, runs, failed))
        failed += 1


def _stand(course: Course, progress: Progress, reach: int) -> Progress:
    """Where they stand: at the next lesson, or done."""
    if reach >= len(course.lessons):
        return Progress(stage=Stage.DONE, results=progress.results)
    return Progress(stage=Stage.READY, lesson_id=course.lessons[reach].id, results=progress.results)


def spread(values: list[float]) -> str:
    """min / median / max of repeated measurements."""
    ordered = sorted(values)
    return f"{ordered[0]:.3f} / {statistics.median(ordered):.3f} / {ordered[-1]:.3f}"


async def _time_views(path: Path, group_id: int, repeats: int) -> dict[str, list[float]]:
    """Each coach view and export as the bot makes it: read, build, render (seconds)."""
    from bot.coach_files import FileKind, FileOrder
    from bot.storage import groups, open_database
    from bot.telegram.coach import render as view
    from bot.telegram.coach.actions import first_try_misses, group_report
    from bot.telegram.runtime import Runtime

    settings = load_settings()
    tr = translator(settings.locales_dir, "sv")
    db = await open_database(path)
    rt = Runtime(settings, db, load_course(settings.lessons_dir))
    group = await groups.get_group(db, group_id)
    assert group is not None
    timings: dict[str, list[float]] = defaultdict(list)

    async def overview() -> object:
        return view.overview(tr, rt.course, await group_report(rt, group))

    someone = len(group_members := await groups.participants_of_group(db, group.id)) // 2
    chosen = group_members[someone].id

    async def detail() -> object:  # as the handler makes it: one participant's line
        report = await group_report(rt, group, only=(chosen,))
        line = report.line(chosen)
        assert line is not None
        wrong = await first_try_misses(rt, chosen)
        return view.detail(tr, rt.course, report, line, wrong)

    async def hard() -> object:
        return view.hard_questions(tr, await group_report(rt, group, only=()))

    def order(kind: FileKind) -> FileOrder:  # as the coach's buttons ask for it
        return FileOrder(
            kind=kind,
            database=path,
            group_id=group.id,
            locales_dir=settings.locales_dir,
            language="sv",
            coach="Bench",
            now=NOW,
            quiet_days=settings.quiet_days,
            timezone=settings.timezone,
        )

    async def xlsx() -> bytes:
        return await rt.files.make(db, rt.course, order(FileKind.XLSX))

    async def csv() -> bytes:
        return await rt.files.make(db, rt.course, order(FileKind.CSV_ZIP))

    async def picture() -> bytes:
        return await rt.files.make(db, rt.course, order(FileKind.CHART))

    views = {
        "overview (a page)": overview,
        "a participant's detail": detail,
        "hard questions": hard,
        "XLSX": xlsx,
        "CSV (every table, zip)": csv,
        "chart (PNG)": picture,
    }
    clock.set_now(NOW)
    try:
        await group_report(rt, group)  # the standings summed up once, as after an upgrade
        await picture()  # the files' process started once, as on a bot's first file
        for _ in range(repeats):
            for name, make in views.items():
                started = time.perf_counter()
                await make()
                timings[name].append(time.perf_counter() - started)
    finally:
        clock.set_now(None)
        rt.files.close()
        await db.close()
    return timings


def bench_reports(path: Path, group_id: int, n: int, repeats: int) -> list[str]:
    """The coach's views and exports of one group of ``n`` × 10 weeks, from the database."""
    compile_catalogs(load_settings().locales_dir)
    timings = asyncio.run(_time_views(path, group_id, repeats))
    lines = [f"coach views and exports, {n} participants × 10 weeks (s, min / median / max):"]
    lines += [f"  {name:<24} {spread(values)}" for name, values in timings.items()]
    return lines


def bench_course_loading(repeats: int) -> list[str]:
    """Loading the lessons and every language's catalogs, as a start does (s)."""
    settings = load_settings()
    compile_catalogs(settings.locales_dir)
    timings = []
    for _ in range(repeats):
        reset_cache()
        started = time.perf_counter()
        course = load_course(settings.lessons_dir)
        for code in LANGUAGES:
            translator(settings.locales_dir, code).lesson(course.weeks[0].title)
        timings.append(time.perf_counter() - started)
    return [f"course loading with all {len(LANGUAGES)} catalogs (s): {spread(timings)}"]
