"""The engine's progress and the log of answers, saved once per Telegram update.

:func:`commit_update` is what makes "a crash never loses an answer, and an update
is never applied twice, across restarts too" true: the update id, the new
progress and the answers are committed in one transaction, before the reply is
sent. A redelivered update finds its id stored and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.clock import utc_now
from bot.storage import profile
from bot.storage.database import Database, Step, to_iso
from bot.storage.records import (
    AnswerRow,
    GoalRow,
    ParticipantNotFound,
    ProfileRow,
    QuizResultRow,
    Standing,
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
STANDING_COLUMNS = (
    "participant_id, course, progress_at, finished, week, lessons_done, quiz_average,"
    " started, passed, recovered, grid, week_cells"
)
STANDING_UPDATE = (
    " ON CONFLICT (participant_id) DO UPDATE SET course = excluded.course,"
    " progress_at = excluded.progress_at, finished = excluded.finished, week = excluded.week,"
    " lessons_done = excluded.lessons_done, quiz_average = excluded.quiz_average,"
    " started = excluded.started, passed = excluded.passed, recovered = excluded.recovered,"
    " grid = excluded.grid, week_cells = excluded.week_cells"
)
SAVE_STANDING = (
    f"INSERT INTO standings ({STANDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    + STANDING_UPDATE
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
    standing: Standing | None = None,
    touch: bool = True,
    now: datetime | None = None,
) -> bool:
    """Apply one Telegram update's effects in one transaction.

    Marks ``update_id`` processed, saves the progress (when given), logs the
    answers and quiz results, the ``standing`` summed up from the new progress
    (migration 012: saved with it, so the coaches' overview reads rows, not progress)
    and, with ``touch``, sets the participant's
    ``last_active_at`` (and clears ``blocked_at``: they wrote, so the chat is
    open). Returns False, changing nothing, when the update was applied before.

    Raises :class:`ParticipantNotFound` (with ``touch``; without it the foreign
    key raises an integrity error) when the participant is gone, for
    instance erased by a /delete that won the race: nothing is saved then.
    Any error rolls everything back, the update id included, so a redelivery of
    the update is applied afresh.
    """
    if participant_id is None and (
        progress_state is not None or answers or quiz_results or picks or goals or standing
    ):
        raise ValueError("progress, answers, quiz results and goals need a participant_id")
    at = to_iso(now or utc_now())
    steps = [Step(_MARK_PROCESSED, (update_id, at), or_raise=_AlreadyProcessed())]
    if participant_id is not None:
        steps += _participant_steps(
            participant_id, progress_state, answers, quiz_results, touch, at
        )
        if standing is not None and progress_state is not None:
            steps.append(Step(SAVE_STANDING, standing_row(participant_id, standing, at)))
    try:
        if participant_id is not None and (picks or goals):
            # Rare (a few presses per participant): the profile's writes decide as they go,
            # so they share the transaction instead of the one-hop batch.
            async with db.transaction():
                await db.run_steps(steps)
                await profile.save_in(db, participant_id, picks, goals, at)
        else:
            await db.run_steps(steps, quick=True)
    except _AlreadyProcessed:
        return False
    return True


def _participant_steps(
    participant_id: int,
    progress_state: str | None,
    answers: Sequence[AnswerRow],
    quiz_results: Sequence[QuizResultRow],
    touch: bool,
    at: str,
) -> list[Step]:
    """The statements of one update for one participant, in the order they must run."""
    steps: list[Step] = []
    if touch:
        missing = ParticipantNotFound(f"participant {participant_id}")
        steps.append(Step(_TOUCH, (at, participant_id), or_raise=missing))
    if progress_state is not None:
        steps.append(Step(_SAVE_PROGRESS, (participant_id, progress_state, at)))
    if answers:
        rows = [_answer_row(participant_id, a, at) for a in answers]
        steps.append(Step(_INSERT_ANSWER, rows, many=True))
    if quiz_results:
        results = [
            (participant_id, r.week_id, r.lesson_id, r.run, r.score_percent, int(r.passed), at)
            for r in quiz_results
        ]
        steps.append(Step(_INSERT_QUIZ_RESULT, results, many=True))
    return steps


def standing_row(participant_id: int, standing: Standing, progress_at: str) -> tuple[object, ...]:
    """The standing as the columns of ``STANDING_COLUMNS``: lists as text (read back by
    bot.storage.reports), so every database stores them alike."""
    return (
        participant_id,
        standing.course,
        progress_at,
        int(standing.finished),
        standing.week,
        standing.lessons_done,
        standing.quiz_average,
        int(standing.started),
        ",".join(standing.passed),
        ",".join(standing.recovered),
        json.dumps(standing.grid, separators=(",", ":")),
        json.dumps(standing.week_cells, separators=(",", ":")),
    )


def _answer_row(participant_id: int, a: AnswerRow, at: str) -> tuple[object, ...]:
    return (
        participant_id,
        a.week_id,
        a.lesson_id,
        a.question_id,
        a.attempt,
        int(a.correct),
        a.answer,
        at,
    )


async def is_processed(db: Database, update_id: int) -> bool:
    row = await db.fetch_one("SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,))
    return row is not None


async def purge_processed_updates(db: Database, older_than: datetime) -> int:
    """Forget update ids processed before ``older_than`` (Telegram redelivers for a day
    at most); returns how many were dropped."""
    changed = await db.execute(
        "DELETE FROM processed_updates WHERE processed_at < ?", (to_iso(older_than),)
    )
    return changed
