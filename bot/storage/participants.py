"""Participants: the people taking the course, and their right to see and erase their data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.clock import utc_now
from bot.storage.database import Database, Row, Step, from_iso, to_iso
from bot.storage.records import AlreadyExists, ParticipantRecord

_SELECT = f"SELECT {ParticipantRecord.COLUMNS} FROM participants"
_PREFIXED = ", ".join(f"p.{c.strip()}" for c in ParticipantRecord.COLUMNS.split(","))


async def get_by_telegram_id(db: Database, telegram_id: int) -> ParticipantRecord | None:
    row = await db.fetch_one(f"{_SELECT} WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else ParticipantRecord.from_row(row)


async def get_with_progress(
    db: Database, telegram_id: int
) -> tuple[ParticipantRecord, str | None] | None:
    """The participant and their saved progress in one query: what a handler needs first."""
    row = await db.fetch_one(
        f"SELECT {_PREFIXED}, pr.state FROM participants p"
        " LEFT JOIN progress pr ON pr.participant_id = p.id WHERE p.telegram_id = ?",
        (telegram_id,),
    )
    return None if row is None else (ParticipantRecord.from_row(row), row["state"])


async def get(db: Database, participant_id: int) -> ParticipantRecord | None:
    row = await db.fetch_one(f"{_SELECT} WHERE id = ?", (participant_id,))
    return None if row is None else ParticipantRecord.from_row(row)


async def create(
    db: Database,
    telegram_id: int,
    first_name: str,
    language: str | None,
    *,
    group_id: int | None = None,
    consented: bool = False,
    last_initial: str | None = None,
    now: datetime | None = None,
) -> ParticipantRecord:
    """Store a new participant; :class:`AlreadyExists` if the Telegram id is taken.

    The bot calls it with ``consented=True`` at the moment the person agrees, and
    the newcomer row that stood for them until then goes in the same transaction.
    """
    at = to_iso(now or utc_now())
    taken = AlreadyExists(f"participant with Telegram id {telegram_id}")
    # One batch, no trip to the database thread (the consent press is on the hot path).
    _, found, _ = await db.run_steps(
        [
            Step(
                "INSERT INTO participants (telegram_id, first_name, last_initial, language,"
                " group_id, consent_at, created_at, last_active_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (telegram_id) DO NOTHING",
                (
                    telegram_id,
                    first_name,
                    last_initial[:1] if last_initial and consented else None,
                    language,
                    group_id,
                    at if consented else None,
                    at,
                    at,
                ),
                or_raise=taken,
            ),
            Step("SELECT id FROM participants WHERE telegram_id = ?", (telegram_id,), fetch=True),
            Step("DELETE FROM newcomers WHERE telegram_id = ?", (telegram_id,)),
        ],
        quick=True,
    )
    assert isinstance(found, list) and found
    return ParticipantRecord(
        id=int(found[0][0]),
        telegram_id=telegram_id,
        first_name=first_name,
        language=language,
        group_id=group_id,
        consent_at=from_iso(at) if consented else None,
        created_at=from_iso(at),
        last_active_at=from_iso(at),
        blocked_at=None,
    )


async def set_language(db: Database, participant_id: int, language: str | None) -> None:
    await db.execute(
        "UPDATE participants SET language = ? WHERE id = ?", (language, participant_id)
    )


async def set_consent(
    db: Database, participant_id: int, at: datetime | None = None, last_initial: str | None = None
) -> None:
    """Record when the participant agreed to the storing of their data.

    ``last_initial``, the first letter of the last name Telegram gave, is kept
    only from this moment on: it lets a coach tell two people of the same first
    name apart, and is never more than one letter.
    """
    await db.execute(
        "UPDATE participants SET consent_at = ?, last_initial = ? WHERE id = ?",
        (to_iso(at or utc_now()), last_initial[:1] if last_initial else None, participant_id),
    )


async def set_group(db: Database, participant_id: int, group_id: int | None) -> None:
    await db.execute(
        "UPDATE participants SET group_id = ? WHERE id = ?", (group_id, participant_id)
    )


async def mark_blocked(db: Database, telegram_id: int, at: datetime | None = None) -> None:
    """The participant blocked the bot: stop sending until they write again."""
    await db.execute(
        "UPDATE participants SET blocked_at = ? WHERE telegram_id = ? AND blocked_at IS NULL",
        (to_iso(at or utc_now()), telegram_id),
    )


async def touch(db: Database, participant_id: int, at: datetime | None = None) -> None:
    """The participant was active: a message from them also means they unblocked the bot."""
    await db.execute(
        "UPDATE participants SET last_active_at = ?, blocked_at = NULL WHERE id = ?",
        (to_iso(at or utc_now()), participant_id),
    )


async def erase(db: Database, telegram_id: int, *, now: datetime | None = None) -> int | None:
    """Delete everything stored about a participant, for good.

    Progress, answers, quiz results, the vocational profile and the goal go with
    the participant (ON DELETE CASCADE); wrong invite codes they tried, their
    updates still in the inbox and messages waiting to be sent to them go too.
    Their group keeps only a departure row: that someone left, and when. Returns
    the group they were in, or None (no group, or nothing stored).
    """
    async with db.transaction():
        rows = list(
            await db.fetch_all(
                "SELECT id, group_id FROM participants WHERE telegram_id = ?", (telegram_id,)
            )
        )
        for table in ("start_attempts", "newcomers", "prompts", "inbox"):
            await db.execute(f"DELETE FROM {table} WHERE telegram_id = ?", (telegram_id,))
        await db.execute("DELETE FROM undelivered WHERE chat_id = ?", (telegram_id,))
        if not rows:
            return None
        participant_id, group_id = rows[0]["id"], rows[0]["group_id"]
        await db.execute("DELETE FROM participants WHERE id = ?", (participant_id,))
        if group_id is not None:
            await db.execute(
                "INSERT INTO departures (group_id, left_at) VALUES (?, ?)",
                (group_id, to_iso(now or utc_now())),
            )
    await db.checkpoint()  # the WAL still held their rows: erased means gone from disk
    return None if group_id is None else int(group_id)


async def export(
    db: Database, telegram_id: int, *, handling: int | None = None
) -> dict[str, Any] | None:
    """Everything stored about a person, as plain JSON-ready values (for /mydata).

    Every table that holds a row for them is here (tests/test_bot_e2e.py checks
    the schema's tables against it): their profile and progress, every answer,
    what a coach did and wrote about them, their reminder choices and pause, the
    scheduler's messages, wrong-code tries, open prompts, and (as a count only)
    their updates still in the inbox and messages still waiting to be sent.
    ``handling``: the update being answered, still in the inbox, is not counted.
    None when nothing is stored about this Telegram id.
    """
    async with db.transaction(write=False):
        by_person = await _by_telegram_id(db, telegram_id, handling)
        profile = await db.fetch_one(
            "SELECT p.id, p.telegram_id, p.first_name, p.language, g.name AS group_name,"
            " p.consent_at, p.created_at, p.last_active_at, p.blocked_at, p.last_initial,"
            " p.extra_weeks"
            " FROM participants p LEFT JOIN groups g ON g.id = p.group_id"
            " WHERE p.telegram_id = ?",
            (telegram_id,),
        )
        linked = {} if profile is None else await _by_participant(db, int(profile["id"]))
    if profile is None and not any(by_person.values()):
        return None
    return {
        "profile": None if profile is None else _profile(profile),
        "progress": linked.get("progress"),
        "answers": linked.get("answers", []),
        "quiz_results": linked.get("quiz_results", []),
        **by_person,
        "reminders": linked.get("reminders"),
        "memory_checks": linked.get("memory_checks", []),
        "memory_check_days": linked.get("memory_check_days", []),
        "confidence": linked.get("confidence", []),
        "scheduled_messages": linked.get("scheduled_messages", []),
        "coach_actions": linked.get("coach_actions", []),
        "coach_notes": linked.get("coach_notes", []),
        "vocational_profile": linked.get("vocational_profile", []),
        "goal": linked.get("goal"),
        "report_figures": {
            "first_answers": linked.get("first_answers", []),
            "quiz_tallies": linked.get("quiz_tallies", []),
            "standing": linked.get("standings", []),
        },
    }


def _goal(row: Row) -> dict[str, Any]:
    """The goal as stored: for a voice goal only its length (the recording was never kept)."""
    plain = _plain(row)
    holds = plain["still_holds"]
    return {**plain, "still_holds": None if holds is None else bool(holds)}


def _profile(row: Row) -> dict[str, Any]:
    return {
        "telegram_id": row["telegram_id"],
        "first_name": row["first_name"],
        "language": row["language"],
        "group": row["group_name"],
        "consent_at": row["consent_at"],
        "created_at": row["created_at"],
        "last_active_at": row["last_active_at"],
        "blocked_at": row["blocked_at"],
        "last_name_initial": row["last_initial"],
        "weeks_opened_early": row["extra_weeks"],
    }


async def _by_telegram_id(db: Database, telegram_id: int, handling: int | None) -> dict[str, Any]:
    """What is stored under the Telegram id itself, before (or beside) a participant row."""
    attempts = await db.fetch_all(
        "SELECT attempted_at FROM start_attempts WHERE telegram_id = ? ORDER BY attempted_at",
        (telegram_id,),
    )
    newcomer = await db.fetch_one(
        "SELECT n.language, g.name AS group_name, n.created_at FROM newcomers n"
        " LEFT JOIN groups g ON g.id = n.group_id WHERE n.telegram_id = ?",
        (telegram_id,),
    )
    coach = await db.fetch_one(
        "SELECT first_name, language, created_at FROM coaches WHERE telegram_id = ?",
        (telegram_id,),
    )
    open_prompts = await db.fetch_all(
        "SELECT kind, expires_at FROM prompts WHERE telegram_id = ? ORDER BY expires_at",
        (telegram_id,),
    )
    inbox = await db.fetch_value(
        "SELECT COUNT(*) FROM inbox WHERE telegram_id = ? AND update_id IS DISTINCT FROM ?",
        (telegram_id, handling),
    )
    waiting = await db.fetch_value(
        "SELECT COUNT(*) FROM undelivered WHERE chat_id = ?", (telegram_id,)
    )
    reads = await db.fetch_all(
        "SELECT language, added_at FROM readers WHERE telegram_id = ? ORDER BY language",
        (telegram_id,),
    )
    recording = await db.fetch_one(
        "SELECT language, card_key, started_at FROM recording_sessions WHERE telegram_id = ?",
        (telegram_id,),
    )
    return {
        "start_attempts": [row["attempted_at"] for row in attempts],
        "newcomer": None if newcomer is None else _plain(newcomer),
        "coach": None if coach is None else _plain(coach),
        "open_questions": [_plain(row) for row in open_prompts],
        "updates_not_handled_yet": {"count": int(inbox or 0)} if inbox else None,
        "messages_waiting_to_be_sent": {"count": int(waiting or 0)} if waiting else None,
        "reader_of": [_plain(row) for row in reads],
        "recording": None if recording is None else _plain(recording),
    }


_LINKED: dict[str, str] = {
    "answers": "SELECT week_id, lesson_id, question_id, attempt, correct, answer, answered_at"
    " FROM answers WHERE participant_id = ? ORDER BY id",
    "quiz_results": "SELECT week_id, lesson_id, run, score_percent, passed, finished_at"
    " FROM quiz_results WHERE participant_id = ? ORDER BY id",
    "memory_checks": "SELECT lesson_id, question_id, box, due_on FROM review_cards"
    " WHERE participant_id = ? ORDER BY lesson_id, question_id",
    "memory_check_days": "SELECT day, questions, position FROM review_checks"
    " WHERE participant_id = ? ORDER BY day",
    "confidence": "SELECT lesson_id, question_id, correct, confidence, answered_at"
    " FROM review_confidence WHERE participant_id = ? ORDER BY id",
    "scheduled_messages": "SELECT kind, status, due_at, sent_at FROM scheduled_items"
    " WHERE participant_id = ? ORDER BY due_at, id",
    "coach_actions": "SELECT kind, detail, at FROM coach_actions"
    " WHERE participant_id = ? ORDER BY at, id",
    "coach_notes": "SELECT text, written_at FROM coach_notes"
    " WHERE participant_id = ? ORDER BY written_at, id",
    # Kept for the coach's reports, counted from the answers above (migration 010).
    "first_answers": "SELECT lesson_id, question_id, correct, answer FROM first_answers"
    " WHERE participant_id = ? ORDER BY lesson_id, question_id",
    "quiz_tallies": "SELECT lesson_id, failed_since_reset, reset_at, last_passed_at"
    " FROM quiz_tallies WHERE participant_id = ? ORDER BY lesson_id",
    # Their progress summed up for the coach's overview and files (migration 012).
    "standings": "SELECT finished, week, lessons_done, quiz_average, started, passed,"
    " recovered, grid, week_cells, progress_at FROM standings WHERE participant_id = ?",
}
_TRUTH = {
    "answers": "correct",
    "quiz_results": "passed",
    "confidence": "correct",
    "first_answers": "correct",
}


async def _by_participant(db: Database, pid: int) -> dict[str, Any]:
    progress = await db.fetch_one(
        "SELECT state, updated_at FROM progress WHERE participant_id = ?", (pid,)
    )
    choices = await db.fetch_one(
        "SELECT reminder_window, paused_at, paused_until, pause_reason, paused_by"
        " FROM participant_settings WHERE participant_id = ?",
        (pid,),
    )
    picks = await db.fetch_all(
        "SELECT topic, cards, lesson_id, step_id, picked_at FROM profile_picks"
        " WHERE participant_id = ? ORDER BY topic",
        (pid,),
    )
    goal = await db.fetch_one(
        "SELECT text, voice_seconds, week, set_at, earlier_text, earlier_voice_seconds,"
        " earlier_week, reviewed_week, reviewed_at, still_holds"
        " FROM goals WHERE participant_id = ?",
        (pid,),
    )
    found: dict[str, Any] = {
        "progress": None if progress is None else _plain(progress),
        "reminders": None if choices is None else _plain(choices),
        "vocational_profile": [{**_plain(row), "cards": json.loads(row["cards"])} for row in picks],
        "goal": None if goal is None else _goal(goal),
    }
    for key, sql in _LINKED.items():
        rows = [_plain(row) for row in await db.fetch_all(sql, (pid,))]
        if key in _TRUTH:
            rows = [{**row, _TRUTH[key]: bool(row[_TRUTH[key]])} for row in rows]
        found[key] = rows
    return found


async def count_active_since(db: Database, since: datetime) -> int:
    """How many participants did something since ``since`` (a number, for /metrics)."""
    value = await db.fetch_value(
        "SELECT count(*) FROM participants WHERE last_active_at >= ?", (to_iso(since),)
    )
    return int(value or 0)


def _plain(row: Row) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}  # noqa: SIM118 (a row iterates its values)
