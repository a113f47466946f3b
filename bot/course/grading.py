"""Grading answers and scoring quizzes: small pure rules kept apart from the flow."""

from __future__ import annotations

import hashlib

from bot.course.model import Question, QuestionKind


def is_correct(question: Question, chosen: tuple[str, ...]) -> bool:
    """Order questions need the exact order; the others the exact set of right options."""
    if question.kind is QuestionKind.ORDER:
        return chosen == tuple(o.id for o in question.options)
    return frozenset(chosen) == question.correct_ids


def score_percent(right: int, total: int) -> int:
    """The share right at the first try, rounded half up so 2 of 3 is 67 %."""
    if total == 0:
        return 100
    return (200 * right + total) // (2 * total)


def shown_order(question: Question) -> tuple[str, ...]:
    """The order the options are shown in.

    Order items are written in the right order, so they are shuffled; the
    shuffle is derived from the question id so every redraw looks the same and
    the right order is never the shown one.
    """
    ids = tuple(o.id for o in question.options)
    if question.kind is not QuestionKind.ORDER or len(ids) < 2:
        return ids
    ranked = tuple(
        sorted(ids, key=lambda i: hashlib.sha256(f"{question.id}/{i}".encode()).digest())
    )
    if ranked == ids:  # never show the answer itself
        ranked = ranked[1:] + ranked[:1]
    return ranked
