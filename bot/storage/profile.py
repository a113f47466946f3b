"""The vocational profile and the participant's own goal (migration 009).

Both are written inside :func:`bot.storage.progress.commit_update`, in the same
transaction as the progress that moved past the step, so a crash never keeps the
one without the other. Rows go with the participant (ON DELETE CASCADE): /delete
and the purge leave nothing of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.database import Database, Row, from_iso
from bot.storage.records import GoalRow, ProfileRow

_SAVE_PICKS = (
    "INSERT INTO profile_picks (participant_id, topic, cards, lesson_id, step_id, picked_at)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (participant_id, topic) DO UPDATE"
    " SET cards = excluded.cards, lesson_id = excluded.lesson_id,"
    " step_id = excluded.step_id, picked_at = excluded.picked_at"
)
_SET_GOAL = (
    "INSERT INTO goals (participant_id, text, voice_seconds, week, set_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (participant_id) DO UPDATE"
    " SET text = excluded.text, voice_seconds = excluded.voice_seconds,"
    " week = excluded.week, set_at = excluded.set_at"
)
_CHANGE_GOAL = (
    "UPDATE goals SET earlier_text = text, earlier_voice_seconds = voice_seconds,"
    " earlier_week = week, text = ?, voice_seconds = ?, week = ?, set_at = ?,"
    " reviewed_week = ?, reviewed_at = ?, still_holds = 0 WHERE participant_id = ?"
)
_KEEP_GOAL = (
    "UPDATE goals SET reviewed_week = ?, reviewed_at = ?, still_holds = 1 WHERE participant_id = ?"
)


@dataclass(frozen=True, slots=True)
class Goal:
    """The stored goal as the bot shows it back and the coach reads it."""

    text: str | None
    voice_seconds: int | None
    week: int
    set_at: datetime
    earlier_text: str | None = None
    earlier_voice_seconds: int | None = None
    earlier_week: int | None = None
    reviewed_week: int | None = None
    still_holds: bool | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | Row) -> Goal:
        """A goal from its table row, or from that row as /mydata exports it."""
        holds = row["still_holds"]
        return cls(
            text=row["text"],
            voice_seconds=row["voice_seconds"],
            week=int(row["week"]),
            set_at=from_iso(str(row["set_at"])),
            earlier_text=row["earlier_text"],
            earlier_voice_seconds=row["earlier_voice_seconds"],
            earlier_week=row["earlier_week"],
            reviewed_week=row["reviewed_week"],
            still_holds=None if holds is None else bool(holds),
        )


async def save_in(
    db: Database,
    participant_id: int,
    picks: Sequence[ProfileRow],
    goals: Sequence[GoalRow],
    at: str,
) -> None:
    """Write profile picks and goal changes inside the caller's transaction."""
    for pick in picks:
        cards = json.dumps(list(pick.cards))
        await db.execute(
            _SAVE_PICKS, (participant_id, pick.topic, cards, pick.lesson_id, pick.step_id, at)
        )
    for goal in goals:
        await _save_goal(db, participant_id, goal, at)


async def _save_goal(db: Database, participant_id: int, goal: GoalRow, at: str) -> None:
    if goal.kept:
        await db.execute(_KEEP_GOAL, (goal.week, at, participant_id))
        return
    if goal.review:
        changed = await db.execute(
            _CHANGE_GOAL,
            (goal.text, goal.voice_seconds, goal.week, at, goal.week, at, participant_id),
        )
        if changed:
            return  # a review with no goal before is simply the first goal
    await db.execute(_SET_GOAL, (participant_id, goal.text, goal.voice_seconds, goal.week, at))


@dataclass(frozen=True, slots=True)
class Picks:
    """The cards ticked for one topic, and the step they were ticked on (to name them)."""

    topic: str
    lesson_id: str
    step_id: str
    cards: tuple[str, ...]


async def picks_of(db: Database, participant_id: int) -> list[Picks]:
    """The ticked cards per topic; a topic not reached yet has no entry."""
    rows = await db.fetch_all(
        "SELECT topic, lesson_id, step_id, cards FROM profile_picks WHERE participant_id = ?",
        (participant_id,),
    )
    return [
        Picks(
            str(r["topic"]), str(r["lesson_id"]), str(r["step_id"]), tuple(json.loads(r["cards"]))
        )
        for r in rows
    ]


async def goal_of(db: Database, participant_id: int) -> Goal | None:
    row = await db.fetch_one("SELECT * FROM goals WHERE participant_id = ?", (participant_id,))
    return None if row is None else Goal.from_row(row)
