"""A participant's progress summed up for the coaches' reports, in one pass over the course.

What is stored beside the progress in the same transaction (bot.storage.progress)
and what the overview, the chart and the exports read (migration 012). The
figures are those :func:`bot.reports.progress.build_report` gives from the
progress itself; tests/test_standings.py holds them to it.
"""

from __future__ import annotations

from bot.course.model import Course
from bot.course.progress import NOT_STARTED, Progress, Stage
from bot.course.summary import course_key, current_week
from bot.storage.records import Standing


def standing_of(course: Course, progress: Progress) -> Standing:
    """Where the participant stands in ``course``: one lookup per lesson, no summary objects.

    Saving a press computes it, so it stays a single loop.
    """
    results = progress.results
    passed: list[str] = []
    recovered: list[str] = []
    grid: list[int | None] = []
    week_cells: list[int | None] = []
    started = False
    for week in course.weeks:
        done = 0
        scores: list[int] = []
        for lesson in week.lessons:
            result = results.get(lesson.id, NOT_STARTED)
            if result.passed:
                done += 1
                passed.append(lesson.id)
                if result.failed_runs > 0:
                    recovered.append(lesson.id)
            if result.best_percent is not None:
                scores.append(result.best_percent)
                grid.append(result.best_percent)
            else:
                grid.append(100 if result.passed else None)
            started = started or bool(result.failed_runs) or result.best_percent is not None
        week_cells += [done, round(sum(scores) / len(scores)) if scores else None]
    where = current_week(course, progress)
    return Standing(
        course=course_key(course),
        finished=progress.stage is Stage.DONE,
        week=where.number if where else None,
        lessons_done=len(passed),
        quiz_average=quiz_average(progress),
        started=started or bool(passed),
        passed=tuple(passed),
        recovered=tuple(recovered),
        grid=tuple(grid),
        week_cells=tuple(week_cells),
    )


def quiz_average(progress: Progress) -> int | None:
    """The mean of the best score of every quiz taken: a failed run counts too."""
    scores = [r.best_percent for r in progress.results.values() if r.best_percent is not None]
    return round(sum(scores) / len(scores)) if scores else None
