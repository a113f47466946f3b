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
    """The share right, rounded half up so 2 of 3 is 67 %.

    The quiz's pass mark counts questions right at the first or the second try
    (see docs/lesson-format.md, "Scoring"); mastery counts first tries only.
    """
    if total == 0:
        return 100
    return (200 * right + total) // (2 * total)


SHUFFLED = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


def shown_order(question: Question, seed: str = "", attempt: int = 0) -> tuple[str, ...]:
    """The order the options are shown in.

    Single and multiple choice options are shuffled per participant (``seed``,
    the adapter's stable id for them) and attempt, so the right answer is not
    always first and a neighbour's screen does not give it away. The shuffle is
    a hash, not ``random`` or ``hash()``, so every redraw and every process
    shows the same order. Order items are written in the right order, so they
    are shuffled by the question id alone and never shown in the right order.
    True/false keep their fixed order. A picture answer keeps its order on a new
    try: its album, lettered in that order, stays in the chat and must stay true.
    """
    ids = tuple(o.id for o in question.options)
    if len(ids) < 2 or question.kind not in (*SHUFFLED, QuestionKind.ORDER):
        return ids
    if question.pictured:
        attempt = 0
    salt = f"{seed}/{question.id}/{attempt}" if question.kind in SHUFFLED else question.id
    ranked = tuple(sorted(ids, key=lambda i: hashlib.sha256(f"{salt}/{i}".encode()).digest()))
    if question.kind is QuestionKind.ORDER and ranked == ids:  # never show the answer itself
        ranked = ranked[1:] + ranked[:1]
    return ranked
