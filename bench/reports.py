"""How long the coaches' reports take for a very large group: part of `make bench`.

Synthetic participants take all ten weeks the way real ones do: most answer
right at the first try, some need a second, a few fail a quiz and take it
again, and they stop at different weeks. Their rows have exactly the shapes
:mod:`bot.storage.reports` reads, so what is timed is the real aggregation
(:func:`build_report`) and the real export (:func:`to_xlsx`), nothing else.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from bot.config import load_settings
from bot.course.loader import load_course
from bot.course.model import Course, Lesson
from bot.course.progress import LessonResult, Progress, Stage
from bot.i18n.catalogs import compile_catalogs
from bot.i18n.translator import translator
from bot.reports.export import About, to_xlsx
from bot.reports.progress import build_report
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


def bench_reports(n: int) -> list[str]:
    """Time the overview (GroupReport) and the XLSX for ``n`` participants × 10 weeks."""
    settings = load_settings()
    compile_catalogs(settings.locales_dir)
    course = load_course(settings.lessons_dir)
    tr = translator(settings.locales_dir, "sv")
    facts = synthetic_group(course, n)
    started = time.perf_counter()
    report = build_report(course, facts, NOW, quiet_days=settings.quiet_days)
    built = time.perf_counter()
    workbook = to_xlsx(tr, course, report, About(coach="Bench", weeks_open=report.pace_week))
    written = time.perf_counter()
    return [
        f"coach reports for {n} synthetic participants × {len(course.weeks)} weeks "
        f"({len(facts.answers)} answers, {len(facts.quiz_results)} quiz runs):",
        f"overview (GroupReport)  {built - started:6.2f} s",
        f"XLSX ({len(workbook) // 1024} KiB)        {written - built:6.2f} s",
    ]
