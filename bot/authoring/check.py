"""`python -m bot lessons check`: every problem in the lesson files, then a summary.

The checking lives in `run_check` and `report`, not in the command, so the preview
page can show the same lines and summary in a banner while a trainer edits.

Given a locales folder, the check also lints every translation catalog in it
(bot/i18n/lint.py): a translation too long for Telegram or in the wrong script
breaks the course for that language just as a Swedish mistake breaks it for all,
so it is reported the same way and counted in the same summary. The command
lints the ``locales`` folder beside the lessons folder, the layout of this
repository; a course folder without one (the test fixtures) is checked alone.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.course.loader import Problem, read_course
from bot.course.model import Course, Text

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

    A fault in the checker itself is an error in the result too, never an exception:
    the preview's banner must not stay green while the log shows a traceback.
    """
    try:
        course, problems = read_course(directory)
        if locales is not None:
            # Imported here: Babel is needed only when there are catalogs to lint.
            from bot.i18n.lint import lint_catalogs

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
