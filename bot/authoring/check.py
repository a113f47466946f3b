"""`python -m bot lessons check`: every problem in the lesson files, then a summary.

The checking lives in `run_check` and `report`, not in the command, so the preview
page can show the same lines and summary in a banner while a trainer edits.

Given a locales folder, the check also lints every translation catalog in it
(bot/i18n/lint.py): a translation too long for Telegram or in the wrong script
breaks the course for that language just as a Swedish mistake breaks it for all,
so it is reported the same way and counted in the same summary. The command
lints the ``locales`` folder beside the lessons folder, the layout of this
repository; a course folder without one (the test fixtures) is checked alone.

Pictures are checked here more deeply than the loader can: each is rendered
(an SVG) and measured against Telegram's limits for a photo.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.course.loader import Problem, read_course
from bot.course.model import Course, Question, QuestionKind, Text, Week

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one check of a lesson folder found."""

    directory: str
    course: Course
    """As much of the course as could be read; complete only when there are no errors."""
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def lines(self) -> list[str]:
        """One line a problem; a warning says so, as compilers do, so errors stand out."""
        return [format_problem(p) for p in self.problems]

    def summary(self) -> str:
        course = self.course
        lessons = course.lessons
        steps = sum(len(lesson.steps) for lesson in lessons)
        questions = sum(len(lesson.quiz.questions) for lesson in lessons if lesson.quiz)
        counted = ", ".join(
            _count(n, word)
            for n, word in (
                (len(course.weeks), "week"),
                (len(lessons), "lesson"),
                (steps, "step"),
                (questions, "question"),
            )
        )
        found = f"{_count(self.errors, 'error')}, {_count(self.warnings, 'warning')}"
        return f"{self.directory}: {counted} — {found}"

    def text(self) -> str:
        return "\n".join([*self.lines(), self.summary()])


def format_problem(problem: Problem) -> str:
    if problem.severity == "warning":
        return f"{problem.path}:{problem.line}:{problem.column}: warning: {problem.message}"
    return str(problem)


def run_check(directory: Path | str, locales: Path | str | None = None) -> CheckResult:
    """The lessons' problems, then (with ``locales``) those of the translation catalogs.

    Every picture is rendered and measured as Telegram will take it (bot/media):
    a picture that cannot be sent is as broken as a text that is too long.

    A fault in the checker itself is an error in the result too, never an exception:
    the preview's banner must not stay green while the log shows a traceback.
    """
    try:
        # Imported here: cairo is needed only by the check, never by the pure loader.
        from bot.media.pictures import inspect_picture

        course, problems = read_course(directory, inspect_picture)
        problems = sorted([*problems, *answer_position_warnings(course)], key=_in_file_order)
        if locales is not None:
            # Imported here: Babel is needed only when there are catalogs to lint.
            from bot.i18n.lint import lint_catalogs, translation_warnings

            untranslated = translation_warnings(course, Path(locales))
            problems = sorted([*problems, *untranslated], key=_in_file_order)
            problems = [*problems, *lint_catalogs(course, Path(locales))]
    except Exception as error:
        log.exception("checking the lessons in %s failed", directory)
        course, problems = _nothing_read(), [crash_problem(directory, error)]
    shown = str(directory)
    return CheckResult(
        directory=shown if shown.endswith("/") else shown + "/",
        course=course,
        problems=tuple(problems),
    )


# Quizzes that can be passed without reading.

MIN_QUESTIONS = 4
"""Fewer single-choice questions than this in a week say nothing about a habit."""
SIGNIFICANCE = 0.05
"""How unlikely by chance the right answers' places must be before a warning."""


def answer_position_warnings(course: Course) -> list[Problem]:
    """Warn when a week's right answers sit where a participant can find them unread.

    "Always tap the first" must not pass a quiz, so for each week the places of the
    right options of its single-choice questions are tested against chance (each of
    a question's n options is right with probability 1/n; a one-sided test on the
    most used place, made strict for having picked that place), and its
    multiple-choice questions warned about when the only wrong option is always last.
    """
    problems: list[Problem] = []
    for week in course.weeks:
        problems += _single_choice_places(week)
        problems += _multiple_choice_last(week)
    return problems


def _questions(week: Week, kind: QuestionKind) -> list[Question]:
    return [
        question
        for lesson in week.lessons
        if lesson.quiz is not None
        for question in lesson.quiz.questions
        if question.kind is kind and len(question.options) >= 2
    ]


def _single_choice_places(week: Week) -> list[Problem]:
    questions = _questions(week, QuestionKind.SINGLE)
    places = [_right_places(q) for q in questions]
    if len(questions) < MIN_QUESTIONS or any(len(p) != 1 for p in places):
        return []
    sizes = [len(q.options) for q in questions]
    widest = max(sizes)
    counts = [sum(p == [place] for p in places) for place in range(widest)]
    place = max(range(widest), key=lambda n: counts[n])
    chances = [1 / size if place < size else 0.0 for size in sizes]
    if _at_least(counts[place], chances) * widest >= SIGNIFICANCE:
        return []
    message = (
        f"the right answer is option {place + 1} in {counts[place]} of the week's"
        f" {len(questions)} single-choice questions: a participant who always taps"
        f" option {place + 1} passes without reading; move the right answers around"
    )
    return [_at_question(questions[0], message)]


def _multiple_choice_last(week: Week) -> list[Problem]:
    questions = _questions(week, QuestionKind.MULTIPLE)
    wrong_last = [
        q
        for q in questions
        if [o.correct for o in q.options].count(False) == 1 and not q.options[-1].correct
    ]
    if len(questions) < 2 or len(wrong_last) < len(questions):
        return []
    every = "both" if len(questions) == 2 else f"all {len(questions)}"
    message = (
        f"in {every} multiple-choice questions of the week the only wrong"
        " option is the last: a participant who ticks all but the last passes without"
        " reading; put the wrong option elsewhere, or add another"
    )
    return [_at_question(questions[0], message)]


def _right_places(question: Question) -> list[int]:
    return [n for n, option in enumerate(question.options) if option.correct]


def _at_least(count: int, chances: list[float]) -> float:
    """The chance of ``count`` or more successes in independent trials with these chances."""
    spread = [1.0] + [0.0] * len(chances)  # spread[k]: the chance of exactly k so far
    for chance in chances:
        spread = [
            spread[k] * (1 - chance) + (spread[k - 1] * chance if k else 0.0)
            for k in range(len(spread))
        ]
    return sum(spread[count:])


def _at_question(question: Question, message: str) -> Problem:
    place = question.text.place
    if place is None:
        return Problem("", 1, 1, message, "warning")
    return Problem(place.path, place.line, place.column, message, "warning")


def _in_file_order(problem: Problem) -> tuple[str, int, int]:
    return problem.path, problem.line, problem.column


def crash_problem(directory: Path | str, error: BaseException) -> Problem:
    """A fault while checking, as a problem: the check failed, so the lessons do not pass."""
    message = (
        f"the lessons could not be checked ({type(error).__name__}: {error});"
        " this is a fault in the checker, not in your file: please report it"
    )
    return Problem(str(directory), 1, 1, message)


def _nothing_read() -> Course:
    return Course(id="", title=Text("course/title", ""), weeks=())


def report(directory: Path | str, locales: Path | str | None = None) -> tuple[str, int]:
    """The text the command prints and its exit code: 1 when there is any error."""
    result = run_check(directory, locales)
    return result.text(), 0 if result.ok else 1


def locales_beside(directory: Path | str) -> Path | None:
    """The ``locales`` folder next to the lessons folder, when there is one."""
    folder = Path(directory).resolve().parent / "locales"
    return folder if folder.is_dir() else None


def check_command(args: argparse.Namespace) -> int:
    text, code = report(args.directory, locales_beside(args.directory))
    print(text)
    return code


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
