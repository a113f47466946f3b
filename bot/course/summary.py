"""A participant's progress summed up per week, for /progress and the coaches' reports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.course.model import Course, Lesson, Week
from bot.course.progress import NOT_STARTED, Progress, Stage


@dataclass(frozen=True, slots=True)
class LessonSummary:
    lesson: Lesson
    passed: bool
    best_percent: int | None
    failed_runs: int


@dataclass(frozen=True, slots=True)
class WeekSummary:
    week: Week
    lessons: tuple[LessonSummary, ...]

    @property
    def done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.passed)

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def average_percent(self) -> int | None:
        scores = [s.best_percent for s in self.lessons if s.best_percent is not None]
        return round(sum(scores) / len(scores)) if scores else None


def summarize(course: Course, progress: Progress) -> tuple[WeekSummary, ...]:
    """Per week: each lesson's pass, best score and failed quiz runs, by the course's order.

    One lookup per lesson: a coach's report summarises every participant of a group.
    """
    results = progress.results
    return tuple(
        WeekSummary(
            week,
            tuple(
                LessonSummary(lesson, r.passed, r.best_percent, r.failed_runs)
                for lesson in week.lessons
                for r in (results.get(lesson.id, NOT_STARTED),)
            ),
        )
        for week in course.weeks
    )


def current_week(course: Course, progress: Progress) -> Week | None:
    """The week the participant is in: where they stand, else the first unfinished one."""
    if progress.stage is Stage.NEW:
        return None
    located = course.locate(progress.lesson_id or "")
    if located is not None:
        return located[0]
    for week in course.weeks:
        if not all(progress.passed(lesson.id) for lesson in week.lessons):
            return week
    return course.weeks[-1] if course.weeks else None


_KEYS: dict[int, tuple[Course, str]] = {}


def course_key(course: Course) -> str:
    """A short name for the course's shape: its weeks and their lessons, in order.

    What a participant's stored standing (bot.reports.standing) depends on besides
    their progress: a standing summed up against another shape is summed up again.
    Remembered per course object (the course is kept alive with its key), since
    every saved press asks.
    """
    known = _KEYS.get(id(course))
    if known is not None and known[0] is course:
        return known[1]
    shape = "|".join(
        f"{week.number}:" + ",".join(lesson.id for lesson in week.lessons) for week in course.weeks
    )
    key = hashlib.sha256(shape.encode("utf-8")).hexdigest()[:16]
    if len(_KEYS) >= 8:  # a preview reloads the course at every edit: keep the latest few
        _KEYS.clear()
    _KEYS[id(course)] = (course, key)
    return key
