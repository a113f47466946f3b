"""Memory checks as stored: the Leitner cards, today's check, and confidence taps.

The storage keeps what the engine (bot.course.review) decided; it does not
decide when a card is due. ``confident_mistakes`` is the query the coach's
reports use: wrong answers to safety questions given with high confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import utc_now
from bot.storage.database import Database, from_iso, to_iso


@dataclass(frozen=True, slots=True)
class StoredCard:
    lesson_id: str
    question_id: str
    box: int
    due_on: date
    safety: bool


@dataclass(frozen=True, slots=True)
class FirstAnswer:
    """A participant's first try at a quiz question that has no card yet."""

    lesson_id: str
    question_id: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class ConfidentMistake:
    participant_id: int
    first_name: str
    lesson_id: str
    question_id: str
    answered_at: datetime


async def cards(db: Database, participant_id: int) -> list[StoredCard]:
    rows = await db.fetch_all(
        "SELECT lesson_id, question_id, box, due_on, safety FROM review_cards"
        " WHERE participant_id = ? ORDER BY due_on, lesson_id, question_id",
        (participant_id,),
    )
    return [
        StoredCard(
            r["lesson_id"],
            r["question_id"],
            r["box"],
            date.fromisoformat(r["due_on"]),
            bool(r["safety"]),
        )
        for r in rows
    ]


async def save_card(db: Database, participant_id: int, card: StoredCard) -> None:
    await db.execute(
        "INSERT INTO review_cards (participant_id, lesson_id, question_id, box, due_on, safety)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (participant_id, lesson_id, question_id)"
        " DO UPDATE SET box = excluded.box, due_on = excluded.due_on, safety = excluded.safety",
        (
            participant_id,
            card.lesson_id,
            card.question_id,
            card.box,
            card.due_on.isoformat(),
            int(card.safety),
        ),
    )


async def answers_without_card(db: Database, participant_id: int) -> list[FirstAnswer]:
    """First tries at questions the participant has no card for yet."""
    rows = await db.fetch_all(
        "SELECT a.lesson_id, a.question_id, a.correct, a.answered_at FROM answers a"
        " LEFT JOIN review_cards c ON c.participant_id = a.participant_id"
        " AND c.lesson_id = a.lesson_id AND c.question_id = a.question_id"
        " WHERE a.participant_id = ? AND a.attempt = 1 AND c.participant_id IS NULL"
        " ORDER BY a.id",
        (participant_id,),
    )
    return [
        FirstAnswer(
            r["lesson_id"], r["question_id"], bool(r["correct"]), from_iso(r["answered_at"])
        )
        for r in rows
    ]


async def todays_check(
    db: Database, participant_id: int, day: date
) -> tuple[list[str], int] | None:
    """Today's check: its question keys (``lesson/question``) and how many were answered."""
    row = await db.fetch_one(
        "SELECT questions, position FROM review_checks WHERE participant_id = ? AND day = ?",
        (participant_id, day.isoformat()),
    )
    if row is None:
        return None
    return [k for k in str(row["questions"]).split(",") if k], int(row["position"])


async def start_check(db: Database, participant_id: int, day: date, keys: list[str]) -> bool:
    """Store today's check; False when there was one today already (one a day)."""
    changed = await db.execute(
        "INSERT INTO review_checks (participant_id, day, questions) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (participant_id, day.isoformat(), ",".join(keys)),
    )
    return changed == 1


async def advance_check(db: Database, participant_id: int, day: date, position: int) -> bool:
    """Move today's check past question ``position``; False when it was not there (stale)."""
    changed = await db.execute(
        "UPDATE review_checks SET position = position + 1"
        " WHERE participant_id = ? AND day = ? AND position = ?",
        (participant_id, day.isoformat(), position),
    )
    return changed == 1


async def end_check(db: Database, participant_id: int, day: date) -> None:
    """Skip the rest of today's check."""
    await db.execute(
        "UPDATE review_checks SET position = 99 WHERE participant_id = ? AND day = ?",
        (participant_id, day.isoformat()),
    )


async def record_confidence(
    db: Database,
    participant_id: int,
    lesson_id: str,
    question_id: str,
    correct: bool,
    confidence: str,
    at: datetime | None = None,
) -> None:
    await db.execute(
        "INSERT INTO review_confidence"
        " (participant_id, lesson_id, question_id, correct, confidence, answered_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (participant_id, lesson_id, question_id, int(correct), confidence, to_iso(at or utc_now())),
    )


async def confident_mistakes(db: Database, group_id: int) -> list[ConfidentMistake]:
    """Wrong answers to safety questions given with high confidence, newest first."""
    rows = await db.fetch_all(
        "SELECT c.participant_id, p.first_name, c.lesson_id, c.question_id, c.answered_at"
        " FROM review_confidence c JOIN participants p ON p.id = c.participant_id"
        " WHERE p.group_id = ? AND c.correct = 0 AND c.confidence = 'sure'"
        " ORDER BY c.answered_at DESC",
        (group_id,),
    )
    return [
        ConfidentMistake(
            r["participant_id"],
            r["first_name"],
            r["lesson_id"],
            r["question_id"],
            from_iso(r["answered_at"]),
        )
        for r in rows
    ]
