"""The engine's progress and the log of answers, saved once per Telegram update.

:func:`commit_update` is what makes "a crash never loses an answer, and an update
is never applied twice, across restarts too" true: the update id, the new
progress and the answers are committed in one transaction, before the reply is
sent. A redelivered update finds its id stored and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import utc_now
from bot.storage import profile
from bot.storage.database import Database, to_iso
from bot.storage.records import (
    AnswerRow,
    GoalRow,
    ParticipantNotFound,
    ProfileRow,
    QuizResultRow,
)

_MARK_PROCESSED = (
    "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?)"
    " ON CONFLICT (update_id) DO NOTHING"
)
_TOUCH = "UPDATE participants SET last_active_at = ?, blocked_at = NULL WHERE id = ?"
_SAVE_PROGRESS = (
    "INSERT INTO progress (participant_id, state, updated_at) VALUES (?, ?, ?)"
    " ON CONFLICT (participant_id) DO UPDATE"
    " SET state = excluded.state, updated_at = excluded.updated_at"
)
_INSERT_ANSWER = (
    "INSERT INTO answers (participant_id, week_id, lesson_id, question_id, attempt,"
    " correct, answer, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_QUIZ_RESULT = (
    "INSERT INTO quiz_results (participant_id, week_id, lesson_id, run, score_percent,"
    " passed, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class _AlreadyProcessed(Exception):
    """Raised inside the transaction to roll it back."""


async def load(db: Database, participant_id: int) -> str | None:
    """The participant's saved progress, as the engine serialised it."""
    value = await db.fetch_value(
        "SELECT state FROM progress WHERE participant_id = ?", (participant_id,)
    )
    return None if value is None else str(value)


async def commit_update(
    db: Database,
    *,
    update_id: int,
    participant_id: int | None,
    progress_state: str | None,
    answers: Sequence[AnswerRow] = (),
    quiz_results: Sequence[QuizResultRow] = (),
    picks: Sequence[ProfileRow] = (),
    goals: Sequence[GoalRow] = (),
    touch: bool = True,
    now: datetime | None = None,
) -> bool:
    """Apply one Telegram update's effects in one transaction.

    Marks ``update_id`` processed, saves the progress (when given), logs the
    answers, quiz results, vocational-profile picks and goal changes and, with
    ``touch``, sets the participant's ``last_active_at`` (and clears
    ``blocked_at``: they wrote, so the chat is open). Returns False, changing
    nothing, when the update was applied before.

    Raises :class:`ParticipantNotFound` (with ``touch``; without it the foreign
    key raises ``sqlite3.IntegrityError``) when the participant is gone, for
    instance erased by a /delete that won the race: nothing is saved then.
    Any error rolls everything back, the update id included, so a redelivery of
    the update is applied afresh.
    """
    if participant_id is None and (
        progress_state is not None or answers or quiz_results or picks or goals
    ):
        raise ValueError("progress, answers, quiz results and goals need a participant_id")
    at = to_iso(now or utc_now())
    try:
        async with db.transaction() as conn:
            cursor = await conn.execute(_MARK_PROCESSED, (update_id, at))
            if cursor.rowcount == 0:
                raise _AlreadyProcessed
            if participant_id is None:
                return True
            if touch:
                cursor = await conn.execute(_TOUCH, (at, participant_id))
                if cursor.rowcount == 0:
                    raise ParticipantNotFound(f"participant {participant_id}")
            if progress_state is not None:
                await conn.execute(_SAVE_PROGRESS, (participant_id, progress_state, at))
            if answers:
                await conn.executemany(
                    _INSERT_ANSWER,
                    [
                        (
                            participant_id,
                            a.week_id,
                            a.lesson_id,
                            a.question_id,
                            a.attempt,
                            int(a.correct),
                            a.answer,
                            at,
                        )
                        for a in answers
                    ],
                )
            if quiz_results:
                await conn.executemany(
                    _INSERT_QUIZ_RESULT,
                    [
                        (
                            participant_id,
                            r.week_id,
                            r.lesson_id,
                            r.run,
                            r.score_percent,
                            int(r.passed),
                            at,
                        )
                        for r in quiz_results
                    ],
                )
            await profile.save_in(conn, participant_id, picks, goals, at)
    except _AlreadyProcessed:
        return False
    return True


async def is_processed(db: Database, update_id: int) -> bool:
    row = await db.fetch_one("SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,))
    return row is not None


async def purge_processed_updates(db: Database, older_than: datetime) -> int:
    """Forget update ids processed before ``older_than`` (Telegram redelivers for a day
    at most); returns how many were dropped."""
    cursor = await db.execute(
        "DELETE FROM processed_updates WHERE processed_at < ?", (to_iso(older_than),)
    )
    return cursor.rowcount
