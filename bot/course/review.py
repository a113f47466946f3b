"""Memory checks: spaced retrieval with Leitner boxes, per participant and question.

A question answered wrong comes back after about 1, 3, 7 and 14 days: a right
answer moves it to the next box (a longer wait), a wrong one back to the
first. A question answered right the first time starts in the last box, so
earlier weeks are revisited now and then. Safety questions (never tell your
security code, never open BankID because someone called) never wait longer
than a week, so they keep coming back in later weeks even when answered right.

Pure: plain dates in, plain values out; storage keeps the cards.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from bot.course.model import Course, Question, QuestionKind

INTERVALS = (1, 3, 7, 14, 30)
"""Days to wait in each box; box 0 is where a wrong answer lands."""
SAFETY_TOP_BOX = 2
"""A safety question climbs no further than the 7-day box."""
MIN_CHECK, MAX_CHECK = 2, 3
REVIEWABLE = frozenset({QuestionKind.SINGLE, QuestionKind.TRUE_FALSE})
"""Kinds answered with one tap, which a short check can ask."""


class Confidence(StrEnum):
    """How sure the participant felt (😟 / 🙂 / 😀), asked after safety questions."""

    UNSURE = "unsure"
    FAIRLY = "fairly"
    SURE = "sure"


@dataclass(frozen=True, slots=True)
class Card:
    lesson_id: str
    question_id: str
    box: int
    due: date
    safety: bool = False

    @property
    def key(self) -> str:
        return f"{self.lesson_id}/{self.question_id}"


def top_box(safety: bool) -> int:
    return SAFETY_TOP_BOX if safety else len(INTERVALS) - 1


def first_card(lesson_id: str, question_id: str, right: bool, on: date, safety: bool) -> Card:
    """The card a question gets when it is first answered in its lesson."""
    box = top_box(safety) if right else 0
    return Card(lesson_id, question_id, box, on + timedelta(days=INTERVALS[box]), safety)


def answered(card: Card, right: bool, on: date) -> Card:
    """A right answer moves the card on, a wrong one back to the first box."""
    box = min(card.box + 1, top_box(card.safety)) if right else 0
    return replace(card, box=box, due=on + timedelta(days=INTERVALS[box]))


def is_due(card: Card, today: date) -> bool:
    return card.due <= today


def pick_check(cards: list[Card], today: date) -> list[Card]:
    """Today's check: up to three due cards, topped up to two with the nearest ones.

    Empty when nothing is due: a check is never made of questions alone that
    are not due yet.
    """
    ordered = sorted(cards, key=lambda c: (c.due, c.box, c.key))
    due = [c for c in ordered if is_due(c, today)][:MAX_CHECK]
    if not due:
        return []
    extra = [c for c in ordered if c not in due][: max(0, MIN_CHECK - len(due))]
    return due + extra


def reviewable(question: Question) -> bool:
    return question.kind in REVIEWABLE


def is_safety(course: Course, lesson_id: str, question_id: str) -> bool:
    return f"{lesson_id}/{question_id}" in course.safety_questions


def confident_mistake(right: bool, confidence: Confidence) -> bool:
    """Wrong and sure of it: the mistake that feedback corrects best, shown to the coach."""
    return not right and confidence is Confidence.SURE
