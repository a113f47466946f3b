"""A whole installation in a database file: one group of N participants × 10 weeks.

The rows are those :func:`bench.reports.synthetic_group` invents, written the
way the bot stores them (participants, progress with its standing, answers, quiz
runs), so the
figures kept by migration 010's triggers are filled exactly as in production.
Written with plain sqlite3 in one transaction: building it is not what is timed.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.reports import NOW, START, synthetic_group
from bot.course.model import Course
from bot.course.progress import Progress
from bot.reports.standing import standing_of
from bot.storage import open_database
from bot.storage.database import to_iso
from bot.storage.progress import SAVE_STANDING, standing_row

FIRST_TELEGRAM_ID = 5_000_000_000
COACH_TELEGRAM_ID = 4_999_999_999


@dataclass(frozen=True)
class Population:
    path: Path
    group_id: int
    coach_telegram_id: int
    participants: int
    answers: int
    quiz_runs: int


def build_population(path: Path, course: Course, n: int, seed: int = 1) -> Population:
    """The file at ``path`` with one group of ``n`` participants who took the course."""
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    asyncio.run(_migrate(path))
    facts = synthetic_group(course, n, seed)
    week_of = {lesson.id: week.id for week in course.weeks for lesson in week.lessons}
    answers_of = _answer_texts(course, random.Random(seed))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        at = to_iso(NOW - timedelta(weeks=10))
        group_id = conn.execute(
            "INSERT INTO groups (name, start_date, self_paced, created_at) VALUES (?, ?, 0, ?)",
            ("Bench", START.isoformat(), at),
        ).lastrowid
        coach_id = conn.execute(
            "INSERT INTO coaches (telegram_id, first_name, language, created_at)"
            " VALUES (?, 'Karin', 'sv', ?)",
            (COACH_TELEGRAM_ID, at),
        ).lastrowid
        conn.execute(
            "INSERT INTO group_coaches (group_id, coach_id) VALUES (?, ?)", (group_id, coach_id)
        )
        conn.executemany(
            "INSERT INTO participants (id, telegram_id, first_name, language, group_id,"
            " consent_at, created_at, last_active_at) VALUES (?, ?, ?, 'sv', ?, ?, ?, ?)",
            (
                (
                    m.id,
                    FIRST_TELEGRAM_ID + m.id,
                    m.first_name,
                    group_id,
                    at,
                    at,
                    to_iso(m.last_active_at),
                )
                for m in facts.members
            ),
        )
        conn.executemany(
            "INSERT INTO progress (participant_id, state, updated_at) VALUES (?, ?, ?)",
            ((m.id, m.progress, at) for m in facts.members if m.progress is not None),
        )
        conn.executemany(  # as a press saves it beside the progress
            SAVE_STANDING,
            (
                standing_row(m.id, standing_of(course, Progress.from_json(m.progress)), at)
                for m in facts.members
                if m.progress is not None
            ),
        )
        conn.executemany(
            "INSERT INTO answers (participant_id, week_id, lesson_id, question_id, attempt,"
            " correct, answer, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    a.participant_id,
                    week_of[a.lesson_id],
                    a.lesson_id,
                    a.question_id,
                    a.attempt,
                    int(a.correct),
                    answers_of[(a.lesson_id, a.question_id, a.correct)],
                    at,
                )
                for a in facts.answers
            ),
        )
        conn.executemany(
            "INSERT INTO quiz_results (participant_id, week_id, lesson_id, run, score_percent,"
            " passed, finished_at) VALUES (?, ?, ?, 1, ?, ?, ?)",
            (
                (
                    r.participant_id,
                    week_of[r.lesson_id],
                    r.lesson_id,
                    100 if r.passed else 40,
                    int(r.passed),
                    to_iso(r.finished_at),
                )
                for r in facts.quiz_results
            ),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert group_id is not None
    return Population(
        path, group_id, COACH_TELEGRAM_ID, n, len(facts.answers), len(facts.quiz_results)
    )


def _answer_texts(course: Course, rng: random.Random) -> dict[tuple[str, str, bool], str]:
    """Per question, the option ids of a right answer and of one wrong favourite."""
    texts: dict[tuple[str, str, bool], str] = {}
    for lesson in course.lessons:
        for question in lesson.quiz.questions if lesson.quiz else ():
            right = [o.id for o in question.options if o.correct] or ["document"]
            wrong = [o.id for o in question.options if not o.correct] or ["photo"]
            texts[(lesson.id, question.id, True)] = ",".join(right)
            texts[(lesson.id, question.id, False)] = rng.choice(wrong)
    return texts


async def _migrate(path: Path) -> None:
    db = await open_database(path)
    await db.close()


__all__ = ["NOW", "Population", "build_population"]


def main(argv: list[str]) -> None:
    """`python -m bench.population PATH N`: write the file, print its figures as JSON."""
    from bot.config import load_settings
    from bot.course.loader import load_course

    course = load_course(load_settings().lessons_dir)
    made = build_population(Path(argv[0]), course, int(argv[1]))
    print(
        json.dumps(
            {"group_id": made.group_id, "answers": made.answers, "quiz_runs": made.quiz_runs}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
