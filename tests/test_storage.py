"""The storage against a real database (an SQLite file in WAL mode, or PostgreSQL)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import (
    AlreadyExists,
    AnswerRow,
    Database,
    InviteKind,
    ParticipantNotFound,
    QuizResultRow,
    SchemaError,
    commit_update,
    groups,
    invites,
    is_processed,
    jobs,
    newcomers,
    open_database,
    participants,
    progress,
    purge_processed_updates,
    reminders,
)
from bot.storage.database import (
    DATABASE_ERRORS,
    INTEGRITY_ERRORS,
    Step,
    load_migrations,
    split_statements,
)
from bot.storage.speakers import Pace, Speaker, speaker
from tests.databases import address, columns, query, tables

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
TID = 7_340_051_923  # a Telegram id wider than 32 bits, as real ones are


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    database = await open_database(address(db_path))
    yield database
    await database.close()


def answer(question: str = "q1", *, attempt: int = 1, correct: bool = True) -> AnswerRow:
    return AnswerRow("w01", "w01-l1", question, attempt, correct, "a,b")


async def count(db: Database, table: str) -> int:
    return int(await db.fetch_value(f"SELECT COUNT(*) FROM {table}"))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# --- opening and migrations --------------------------------------------------------


@pytest.mark.sqlite_only
async def test_open_creates_the_folder_sets_wal_and_applies_migrations(db_path: Path) -> None:
    db = await open_database(address(db_path))
    try:
        assert db_path.is_file()
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA synchronous") == 1  # NORMAL
        assert await db.fetch_value("PRAGMA busy_timeout") > 0
        known = [m.version for m in load_migrations()]
        assert known[:2] == [1, 2]
        assert await db.schema_versions() == known
        tables = {
            row[0]
            for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {
            "participants",
            "progress",
            "answers",
            "quiz_results",
            "processed_updates",
            "groups",
            "coaches",
            "group_coaches",
            "invites",
            "start_attempts",
            "departures",
            "due_jobs",
            "schema_migrations",
        } <= tables
        first_applied = await db.fetch_all("SELECT version, applied_at FROM schema_migrations")
    finally:
        await db.close()

    again = await open_database(address(db_path))
    try:
        assert await again.migrate(load_migrations()) == []
        rows = await again.fetch_all("SELECT version, applied_at FROM schema_migrations")
        assert [tuple(r) for r in rows] == [tuple(r) for r in first_applied]
    finally:
        await again.close()
    await again.close()  # closing twice is harmless


async def test_a_database_newer_than_the_code_is_refused(db_path: Path) -> None:
    db = await open_database(address(db_path))
    await db.execute(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (999, ?)", (NOW.isoformat(),)
    )
    await db.close()
    with pytest.raises(SchemaError, match="newer"):
        await open_database(address(db_path))


async def test_a_failing_migration_leaves_nothing_behind(db: Database, db_path: Path) -> None:
    from bot.storage.database import Migration

    broken = Migration(
        max(m.version for m in load_migrations()) + 1,
        "broken",
        ("CREATE TABLE half_done (id INTEGER PRIMARY KEY)", "CREATE TABLE oops ("),
    )
    with pytest.raises(DATABASE_ERRORS):
        await db.migrate([*load_migrations(db.dialect), broken])
    assert "half_done" not in tables(address(db_path))
    assert broken.version not in await db.schema_versions()


def test_statements_are_split_respecting_strings_and_comments() -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE t (a TEXT DEFAULT 'x;y');
        /* block */ INSERT INTO t VALUES ('1;2');
        -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[0].endswith("DEFAULT 'x;y');")
    with pytest.raises(SchemaError):
        split_statements("CREATE TABLE t (a TEXT)")


# --- commit_update: atomic, idempotent, durable -------------------------------------------


async def test_commit_update_saves_progress_answers_and_results(db: Database) -> None:
    person = await participants.create(db, TID, "Amina", "ar", now=NOW)
    later = NOW + timedelta(minutes=5)
    applied = await commit_update(
        db,
        update_id=1001,
        participant_id=person.id,
        progress_state='{"lesson": "w01-l1"}',
        answers=[answer("q1", correct=False), answer("q1", attempt=2)],
        quiz_results=[QuizResultRow("w01", "w01-l1", 1, 80, True)],
        now=later,
    )
    assert applied
    assert await progress.load(db, person.id) == '{"lesson": "w01-l1"}'
    assert await is_processed(db, 1001)
    assert not await is_processed(db, 1002)
    rows = await db.fetch_all("SELECT attempt, correct, answer FROM answers ORDER BY id")
    assert [tuple(r) for r in rows] == [(1, 0, "a,b"), (2, 1, "a,b")]
    assert await count(db, "quiz_results") == 1
    stored = await participants.get(db, person.id)
    assert stored is not None and stored.last_active_at == later

    # A later update replaces the progress; the answer log grows.
    assert await commit_update(
        db, update_id=1002, participant_id=person.id, progress_state='{"lesson": "w01-l2"}'
    )
    assert await progress.load(db, person.id) == '{"lesson": "w01-l2"}'
    assert await count(db, "answers") == 2


async def test_commit_update_applies_an_update_once(db: Database) -> None:
    person = await participants.create(db, TID, "Amina", "ar")
    first = await commit_update(
        db, update_id=5, participant_id=person.id, progress_state="A", answers=[answer()]
    )
    second = await commit_update(
        db, update_id=5, participant_id=person.id, progress_state="B", answers=[answer()]
    )
    assert (first, second) == (True, False)
    assert await count(db, "answers") == 1
    assert await progress.load(db, person.id) == "A"


async def test_commit_update_is_all_or_nothing(db: Database) -> None:
    person = await participants.create(db, TID, "Amina", "ar", now=NOW)
    bad_result = QuizResultRow("w01", "w01-l1", 1, 150, True)  # violates the CHECK
    with pytest.raises(INTEGRITY_ERRORS):
        await commit_update(
            db,
            update_id=9,
            participant_id=person.id,
            progress_state="A",
            answers=[answer("q1"), answer("q2")],
            quiz_results=[bad_result],
        )
    for table in ("processed_updates", "progress", "answers", "quiz_results"):
        assert await count(db, table) == 0, table
    stored = await participants.get(db, person.id)
    assert stored is not None and stored.last_active_at == NOW
    # The update was not applied, so its redelivery is.
    assert await commit_update(db, update_id=9, participant_id=person.id, progress_state="A")


async def test_an_exception_inside_a_transaction_rolls_it_back(db: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction():
            await db.execute(
                "INSERT INTO processed_updates (update_id, processed_at) VALUES (1, 'x')"
            )
            raise RuntimeError("boom")
    assert await count(db, "processed_updates") == 0
    async with db.transaction():  # the connection is usable again
        await db.execute("INSERT INTO processed_updates (update_id, processed_at) VALUES (1, 'x')")
    assert await count(db, "processed_updates") == 1


async def test_a_batch_of_steps_is_one_transaction(db: Database) -> None:
    mark = "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, 'x')"
    results = await db.run_steps(
        [Step(mark, (1,)), Step(mark, [(2,), (3,)], many=True), Step("SELECT 7", fetch=True)]
    )
    assert results[:2] == [1, -1] and [tuple(r) for r in results[2]] == [(7,)]  # type: ignore[union-attr]
    with pytest.raises(INTEGRITY_ERRORS):  # the second step fails: the first is undone
        await db.run_steps([Step(mark, (4,)), Step(mark, (1,))])
    with pytest.raises(LookupError, match="nothing"):  # a step that must change a row
        await db.run_steps(
            [Step(mark, (5,)), Step("DELETE FROM inbox", or_raise=LookupError("nothing"))]
        )
    assert await count(db, "processed_updates") == 3
    async with db.transaction():  # inside a transaction the steps join it
        await db.run_steps([Step(mark, (6,))])
        assert await count(db, "processed_updates") == 4
    assert await count(db, "processed_updates") == 4


async def test_who_is_speaking_is_read_in_one_batch(db: Database) -> None:
    assert await speaker(db, TID) == Speaker(None, None, None, None, None)
    await newcomers.welcome(db, TID, "so")
    stranger = await speaker(db, TID)
    assert stranger.newcomer is not None and stranger.newcomer.language == "so"
    group = await groups.create_group(db, "Vetlanda", date(2025, 1, 6))
    person = await participants.create(db, TID, "Amina", "so", group_id=group.id, now=NOW)
    await commit_update(db, update_id=1, participant_id=person.id, progress_state="S")
    found = await speaker(db, TID)
    assert found.participant is not None and found.participant.id == person.id
    assert found.progress == "S" and found.newcomer is None
    assert found.pace == Pace(date(2025, 1, 6), False, 0)


async def test_commit_update_for_an_erased_participant_saves_nothing(db: Database) -> None:
    person = await participants.create(db, TID, "Amina", "ar")
    await participants.erase(db, TID)
    with pytest.raises(ParticipantNotFound):
        await commit_update(
            db, update_id=3, participant_id=person.id, progress_state="A", answers=[answer()]
        )
    assert await count(db, "progress") == 0
    assert await count(db, "answers") == 0
    assert not await is_processed(db, 3)


async def test_commit_update_without_a_participant_marks_the_update_only(db: Database) -> None:
    assert await commit_update(db, update_id=11, participant_id=None, progress_state=None)
    assert not await commit_update(db, update_id=11, participant_id=None, progress_state=None)
    with pytest.raises(ValueError):
        await commit_update(db, update_id=12, participant_id=None, progress_state="A")


async def test_concurrent_updates_are_serialised(db: Database) -> None:
    people = [await participants.create(db, TID + i, f"P{i}", "sv") for i in range(20)]
    results = await asyncio.gather(
        *(
            commit_update(
                db,
                update_id=100 + i,
                participant_id=p.id,
                progress_state=f"S{i}",
                answers=[answer()],
            )
            for i, p in enumerate(people)
        ),
        # the same update delivered twice at once is still applied once
        commit_update(db, update_id=100, participant_id=people[0].id, progress_state="dup"),
    )
    assert results.count(True) == 20 and results.count(False) == 1
    assert await count(db, "answers") == 20
    assert await progress.load(db, people[0].id) == "S0"


async def test_a_read_does_not_see_another_tasks_uncommitted_write(db: Database) -> None:
    inserted = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await db.execute(
                "INSERT INTO processed_updates (update_id, processed_at) VALUES (1, 'x')"
            )
            inserted.set()
            await release.wait()
            raise RuntimeError("rolled back")

    task = asyncio.create_task(writer())
    await inserted.wait()
    reader = asyncio.create_task(is_processed(db, 1))
    release.set()
    with pytest.raises(RuntimeError):
        await task
    assert await reader is False


async def test_data_survives_a_restart(db_path: Path) -> None:
    db = await open_database(address(db_path))
    person = await participants.create(db, TID, "Amina", "ar")
    assert await commit_update(
        db, update_id=42, participant_id=person.id, progress_state="S", answers=[answer()]
    )
    await db.close()

    db = await open_database(address(db_path))
    try:
        stored = await participants.get_by_telegram_id(db, TID)
        assert stored is not None
        assert (stored.id, stored.first_name, stored.language) == (person.id, "Amina", "ar")
        assert await progress.load(db, person.id) == "S"
        assert await count(db, "answers") == 1
        assert await is_processed(db, 42)
        # Telegram redelivers the update after the crash: it is not applied again.
        assert not await commit_update(
            db, update_id=42, participant_id=person.id, progress_state="S", answers=[answer()]
        )
        assert await count(db, "answers") == 1
    finally:
        await db.close()


async def test_old_processed_updates_are_purged(db: Database) -> None:
    await commit_update(db, update_id=1, participant_id=None, progress_state=None, now=NOW)
    await commit_update(
        db, update_id=2, participant_id=None, progress_state=None, now=NOW + timedelta(days=31)
    )
    assert await purge_processed_updates(db, NOW + timedelta(days=1)) == 1
    assert not await is_processed(db, 1)
    assert await is_processed(db, 2)


# --- participants --------------------------------------------------------------------


async def test_participant_profile(db: Database) -> None:
    assert await participants.get_by_telegram_id(db, TID) is None
    group = await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    person = await participants.create(db, TID, "Amina", None, now=NOW)
    assert person.telegram_id == TID and person.created_at == NOW
    with pytest.raises(AlreadyExists):
        await participants.create(db, TID, "Amina", None)

    await participants.set_language(db, person.id, "ar")
    await participants.set_consent(db, person.id, NOW)
    await participants.set_group(db, person.id, group.id)
    await participants.mark_blocked(db, TID, NOW + timedelta(hours=1))
    stored = await participants.get_by_telegram_id(db, TID)
    assert stored is not None
    assert (stored.language, stored.consent_at, stored.group_id) == ("ar", NOW, group.id)
    assert stored.blocked_at == NOW + timedelta(hours=1)

    await participants.touch(db, person.id, NOW + timedelta(days=1))
    stored = await participants.get(db, person.id)
    assert stored is not None
    assert stored.last_active_at == NOW + timedelta(days=1)
    assert stored.blocked_at is None
    assert await participants.get(db, person.id) == await participants.get_by_telegram_id(db, TID)

    assert await participants.get_with_progress(db, TID) == (stored, None)
    await commit_update(db, update_id=1, participant_id=person.id, progress_state="S", now=NOW)
    loaded = await participants.get_with_progress(db, TID)
    assert loaded is not None and loaded[1] == "S" and loaded[0].id == person.id
    assert await participants.get_with_progress(db, TID + 1) is None


def every_cell(where: Path | str) -> list[tuple[str, str, object]]:
    """(table, column, value) for every value stored in the database."""
    cells: list[tuple[str, str, object]] = []
    for table in tables(where):
        for name in columns(where, table):
            for (value,) in query(where, f'SELECT "{name}" FROM "{table}"'):
                cells.append((table, name, value))
    return cells


async def test_erase_leaves_no_row_holding_the_telegram_id(db_path: Path) -> None:
    db = await open_database(address(db_path))
    group = await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    person = await participants.create(db, TID, "Zylvania", "ar", group_id=group.id)
    other = await participants.create(db, 5551234, "Bo", "sv", group_id=group.id)
    await participants.set_consent(db, person.id)
    await invites.record_start_attempt(db, TID)
    for pid, update_id in ((person.id, 1), (other.id, 2)):
        await commit_update(
            db,
            update_id=update_id,
            participant_id=pid,
            progress_state=f'{{"telegram": {TID}}}' if pid == person.id else "{}",
            answers=[answer()],
            quiz_results=[QuizResultRow("w01", "w01-l1", 1, 100, True)],
        )
    assert any(value in (TID, str(TID)) for _, _, value in every_cell(address(db_path)))

    assert await participants.erase(db, TID, now=NOW) == group.id

    for table, column, value in every_cell(address(db_path)):
        assert value != TID, f"{table}.{column} still holds the Telegram id"
        assert str(TID) not in str(value), f"{table}.{column} still mentions the Telegram id"
        assert "Zylvania" not in str(value), f"{table}.{column} still holds the name"
    departures = await db.fetch_all("SELECT group_id, left_at FROM departures")
    assert [tuple(r) for r in departures] == [(group.id, NOW.isoformat(timespec="microseconds"))]
    # the rest of the group is untouched
    assert [p.id for p in await groups.participants_of_group(db, group.id)] == [other.id]
    assert await progress.load(db, other.id) == "{}"
    assert await count(db, "answers") == 1
    assert await count(db, "quiz_results") == 1
    # erasing again, or someone never stored, is harmless
    assert await participants.erase(db, TID) is None
    await db.close()

    if db_path.exists():  # SQLite's secure_delete: not in the file's free pages either
        assert b"Zylvania" not in db_path.read_bytes()


async def test_erase_without_a_group_records_no_departure(db: Database) -> None:
    await participants.create(db, TID, "Amina", "ar")
    assert await participants.erase(db, TID) is None
    assert await count(db, "participants") == 0
    assert await count(db, "departures") == 0


async def test_export_returns_everything_stored(db: Database) -> None:
    assert await participants.export(db, TID) is None
    group = await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    person = await participants.create(db, TID, "Amina", "ar", group_id=group.id, now=NOW)
    await participants.set_consent(db, person.id, NOW)
    await invites.record_start_attempt(db, TID, NOW)
    await commit_update(
        db,
        update_id=1,
        participant_id=person.id,
        progress_state='{"lesson": "w01-l1"}',
        answers=[answer("q1", correct=False)],
        quiz_results=[QuizResultRow("w01", "w01-l1", 1, 50, False)],
        now=NOW,
    )
    iso = NOW.isoformat(timespec="microseconds")
    assert await participants.export(db, TID) == {
        "profile": {
            "telegram_id": TID,
            "first_name": "Amina",
            "language": "ar",
            "group": "Malmö vår",
            "consent_at": iso,
            "created_at": iso,
            "last_active_at": iso,
            "blocked_at": None,
            "last_name_initial": None,
            "weeks_opened_early": 0,
        },
        "progress": {"state": '{"lesson": "w01-l1"}', "updated_at": iso},
        "answers": [
            {
                "week_id": "w01",
                "lesson_id": "w01-l1",
                "question_id": "q1",
                "attempt": 1,
                "correct": False,
                "answer": "a,b",
                "answered_at": iso,
            }
        ],
        "quiz_results": [
            {
                "week_id": "w01",
                "lesson_id": "w01-l1",
                "run": 1,
                "score_percent": 50,
                "passed": False,
                "finished_at": iso,
            }
        ],
        "start_attempts": [iso],
        "newcomer": None,
        "coach": None,
        "open_questions": [],
        "updates_not_handled_yet": None,
        "messages_waiting_to_be_sent": None,
        "reminders": None,
        "memory_checks": [],
        "memory_check_days": [],
        "confidence": [],
        "vocational_profile": [],
        "goal": None,
        "reader_of": [],
        "recording": None,
        "report_figures": {
            "first_answers": [
                {"lesson_id": "w01-l1", "question_id": "q1", "correct": False, "answer": "a,b"}
            ],
            "quiz_tallies": [
                {
                    "lesson_id": "w01-l1",
                    "failed_since_reset": 1,
                    "reset_at": None,
                    "last_passed_at": None,
                }
            ],
            "standing": [],  # the press saved no standing: bot/storage/progress.py's caller's
        },
        "scheduled_messages": [],
        "coach_actions": [],
        "coach_notes": [],
    }


# --- groups, coaches, invites -------------------------------------------------------------


async def test_groups_and_coaches(db: Database) -> None:
    spring = await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    autumn = await groups.create_group(db, "Malmö höst", date(2025, 9, 1), self_paced=True)
    with pytest.raises(AlreadyExists):
        await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    assert [g.name for g in await groups.list_groups(db)] == ["Malmö vår", "Malmö höst"]
    assert await groups.get_group_by_name(db, "Malmö höst") == autumn
    assert await groups.get_group(db, spring.id) == spring
    assert autumn.self_paced and not spring.self_paced

    coach = await groups.add_coach(db, 999, "Karin", "sv")
    with pytest.raises(AlreadyExists):
        await groups.add_coach(db, 999, "Karin", "sv")
    assert await groups.get_coach_by_telegram_id(db, 999) == coach
    assert await groups.get_coach_by_telegram_id(db, 1000) is None
    await groups.add_coach_to_group(db, spring.id, coach.id)
    await groups.add_coach_to_group(db, spring.id, coach.id)  # twice is harmless
    assert await groups.groups_of_coach(db, coach.id) == [spring]

    await participants.create(db, 1, "Omar", "ar", group_id=spring.id)
    await participants.create(db, 2, "Anna", "sv", group_id=spring.id)
    await participants.create(db, 3, "Lina", "sv", group_id=autumn.id)
    assert [p.first_name for p in await groups.participants_of_group(db, spring.id)] == [
        "Anna",
        "Omar",
    ]


async def test_redeem_invite_honours_expiry_and_uses(db: Database) -> None:
    group = await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    expires = NOW + timedelta(days=7)
    once = await invites.create_invite(
        db, code_hash("ONCE"), InviteKind.PARTICIPANT, group.id, None, 1, expires
    )
    await invites.create_invite(
        db, code_hash("TWICE"), InviteKind.PARTICIPANT, group.id, None, 2, expires
    )
    await invites.create_invite(db, code_hash("OPEN"), InviteKind.COACH, None, None, None, expires)

    redeemed = await invites.redeem_invite(db, code_hash("ONCE"), NOW)
    assert redeemed is not None
    assert (redeemed.kind, redeemed.group_id, redeemed.uses_left) == (
        InviteKind.PARTICIPANT,
        group.id,
        0,
    )
    assert redeemed.expires_at == once.expires_at
    assert await invites.redeem_invite(db, code_hash("ONCE"), NOW) is None

    assert await invites.redeem_invite(db, code_hash("TWICE"), NOW) is not None
    assert await invites.redeem_invite(db, code_hash("TWICE"), NOW) is not None
    assert await invites.redeem_invite(db, code_hash("TWICE"), NOW) is None

    for _ in range(5):
        unlimited = await invites.redeem_invite(db, code_hash("OPEN"), NOW)
        assert unlimited is not None and unlimited.uses_left is None
    assert await invites.redeem_invite(db, code_hash("OPEN"), expires) is None  # expired
    assert await invites.redeem_invite(db, code_hash("NOPE"), NOW) is None

    assert await invites.purge_expired_invites(db, expires) == 3
    assert await count(db, "invites") == 0


async def test_a_single_use_invite_is_used_once_under_concurrency(db: Database) -> None:
    group = await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    await invites.create_invite(
        db, code_hash("X"), InviteKind.PARTICIPANT, group.id, None, 1, NOW + timedelta(days=1)
    )
    results = await asyncio.gather(
        *(invites.redeem_invite(db, code_hash("X"), NOW) for _ in range(10))
    )
    assert sum(r is not None for r in results) == 1


async def test_a_participant_invite_needs_a_group(db: Database) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        await invites.create_invite(
            db, code_hash("X"), InviteKind.PARTICIPANT, None, None, 1, NOW + timedelta(days=1)
        )


async def test_wrong_codes_are_counted_and_purged(db: Database) -> None:
    for minutes in (0, 30, 90):
        await invites.record_start_attempt(db, TID, NOW + timedelta(minutes=minutes))
    await invites.record_start_attempt(db, 1234, NOW)
    assert await invites.count_start_attempts(db, TID, NOW + timedelta(minutes=30)) == 2
    assert await invites.count_start_attempts(db, TID, NOW) == 3
    assert await invites.purge_start_attempts(db, NOW + timedelta(minutes=1)) == 2
    assert await invites.count_start_attempts(db, TID, NOW) == 2


# --- foreign keys -----------------------------------------------------------------------


async def test_foreign_keys_are_enforced_and_cascade(db: Database) -> None:
    group = await groups.create_group(db, "Malmö vår", date(2025, 3, 3))
    coach = await groups.add_coach(db, 999, "Karin", "sv")
    await groups.add_coach_to_group(db, group.id, coach.id)
    person = await participants.create(db, TID, "Amina", "ar", group_id=group.id)
    await invites.create_invite(
        db, code_hash("C"), InviteKind.PARTICIPANT, group.id, coach.id, 1, NOW + timedelta(days=1)
    )
    await invites.create_invite(
        db, code_hash("K"), InviteKind.COACH, None, coach.id, 1, NOW + timedelta(days=1)
    )
    await commit_update(
        db,
        update_id=1,
        participant_id=person.id,
        progress_state="S",
        answers=[answer()],
        quiz_results=[QuizResultRow("w01", "w01-l1", 1, 100, True)],
    )
    await db.execute("INSERT INTO departures (group_id, left_at) VALUES (?, 'x')", (group.id,))

    with pytest.raises(INTEGRITY_ERRORS):
        await db.execute(
            "INSERT INTO answers (participant_id, week_id, lesson_id, question_id, attempt,"
            " correct, answer, answered_at) VALUES (12345, 'w', 'l', 'q', 1, 1, 'a', 'x')"
        )

    # A deleted coach leaves their invites, unsigned; a deleted group takes its
    # invites, coach links and departures, and leaves its participants groupless.
    await db.execute("DELETE FROM coaches WHERE id = ?", (coach.id,))
    assert await db.fetch_value("SELECT COUNT(*) FROM invites WHERE created_by IS NULL") == 2
    assert await count(db, "group_coaches") == 0
    await db.execute("DELETE FROM groups WHERE id = ?", (group.id,))
    assert await db.fetch_value("SELECT kind FROM invites") == "coach"
    assert await count(db, "departures") == 0
    stored = await participants.get(db, person.id)
    assert stored is not None and stored.group_id is None

    # A deleted participant takes their progress, answers and quiz results.
    await db.execute("DELETE FROM participants WHERE id = ?", (person.id,))
    for table in ("progress", "answers", "quiz_results"):
        assert await count(db, table) == 0, table


# --- scheduled jobs -------------------------------------------------------------------


async def test_due_jobs_survive_a_restart(db_path: Path) -> None:
    db = await open_database(address(db_path))
    assert await jobs.get_due(db, "digest") is None
    await jobs.set_due(db, "digest", NOW)
    await jobs.set_due(db, "digest", NOW + timedelta(days=7))
    await db.close()
    db = await open_database(address(db_path))
    try:
        assert await jobs.get_due(db, "digest") == NOW + timedelta(days=7)
    finally:
        await db.close()


def test_naive_times_are_refused() -> None:
    from bot.storage.database import to_iso

    with pytest.raises(ValueError):
        to_iso(datetime(2025, 1, 1))


@pytest.mark.sqlite_only
async def test_a_pause_planned_before_migration_11_stays_readable(db_path: Path) -> None:
    """The coach's old `pauses` row moves into the one pause the scheduler reads;
    a newer pause the participant took themselves wins; the unused count goes."""
    import sqlite3

    import aiosqlite

    from bot.storage.sqlite import SqliteDatabase

    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(db_path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    old = SqliteDatabase(conn, db_path)
    await old.migrate([m for m in load_migrations() if m.version < 11])
    group = await groups.create_group(old, "Malmö vår", date(2025, 3, 3))
    coach = await groups.add_coach(old, 999, "Karin", "sv")
    paused = await participants.create(old, TID, "Amina", "ar", group_id=group.id, now=NOW)
    own = await participants.create(old, TID + 1, "Erik", "sv", group_id=group.id, now=NOW)
    for person in (paused, own):
        await old.execute(
            "INSERT INTO pauses (participant_id, paused_until, coach_id, created_at)"
            " VALUES (?, '2025-04-01', ?, ?)",
            (person.id, coach.id, NOW.isoformat()),
        )
    later = (NOW + timedelta(days=1)).isoformat()
    await old.execute(
        "INSERT INTO participant_settings (participant_id, paused_at, paused_until, paused_by)"
        " VALUES (?, ?, '2025-03-20', 'participant')",
        (own.id, later),
    )
    assert await old.migrate([m for m in load_migrations() if m.version <= 11]) == [11]
    amina = await reminders.get_pause(old, paused.id)
    erik = await reminders.get_pause(old, own.id)
    assert amina is not None and (amina.until, amina.by) == (date(2025, 4, 1), "coach")
    assert erik is not None and (erik.until, erik.by) == (date(2025, 3, 20), "participant")
    assert await old.fetch_one("SELECT 1 FROM sqlite_master WHERE name = 'pauses'") is None
    columns = [r[1] for r in await old.fetch_all("PRAGMA table_info(participants)")]
    assert "reminders_unanswered" not in columns
    await old.close()


# --- several processes on one PostgreSQL database ------------------------------------


async def until_waiting(db: Database, key: int) -> None:
    """Until a session waits for the advisory lock ``key`` (seen in pg_locks, not guessed)."""
    unsigned = key % (1 << 64)
    async with asyncio.timeout(10):
        while not await db.fetch_value(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND objsubid = 1 AND classid::bigint = ? AND objid::bigint = ?",
            (unsigned >> 32, unsigned & 0xFFFFFFFF),
        ):
            await asyncio.sleep(0.01)


@pytest.mark.postgresql_only
async def test_one_person_is_handled_by_one_process_at_a_time(db_path: Path) -> None:
    first = await open_database(address(db_path))
    second = await open_database(address(db_path))  # another process, as far as locks go
    order: list[str] = []
    try:
        async with first.serialised(TID):
            waiting = asyncio.create_task(_enter(second, TID, order))
            await until_waiting(first, first.person_key(TID))  # type: ignore[attr-defined]
            async with second.serialised(TID + 1):  # someone else is not held up
                order.append("other person")
            order.append("first done")
        await waiting
        assert order == ["other person", "first done", "second"]
    finally:
        await first.close()
        await second.close()


async def _enter(db: Database, key: int, order: list[str]) -> None:
    async with db.serialised(key):
        order.append("second")


@pytest.mark.postgresql_only
async def test_writers_of_two_processes_take_turns(db_path: Path) -> None:
    """A transaction that read and then writes cannot interleave with another's."""
    first = await open_database(address(db_path))
    second = await open_database(address(db_path))
    try:
        await participants.create(first, TID, "Amina", "ar")
        async with first.transaction():
            stored = await first.fetch_value("SELECT COUNT(*) FROM start_attempts")
            late = asyncio.create_task(invites.record_start_attempt(second, TID, NOW))
            await until_waiting(first, first.write_key)  # type: ignore[attr-defined]
            await first.execute(
                "INSERT INTO start_attempts (telegram_id, attempted_at) VALUES (?, ?)",
                (TID, f"count was {stored}"),
            )
        await late
        assert await count(second, "start_attempts") == 2
        # Readers are never held: a snapshot reads while a writer holds the lock.
        async with first.transaction():
            await first.execute("DELETE FROM start_attempts")
            assert await count(second, "start_attempts") == 2
        assert await count(second, "start_attempts") == 0
    finally:
        await first.close()
        await second.close()


@pytest.mark.sqlite_only
async def test_a_quick_batch_never_holds_the_loop_for_another_processs_lock(
    db: Database, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With SQLite's write lock held elsewhere (the CLI, say), a quick batch goes to the
    database thread and waits there: the loop runs on, so the other side can finish.

    asyncio's debug mode names any step of the loop that ran for over a second; waiting
    on the loop for the lock would be one of 5 s (the busy timeout)."""
    import sqlite3

    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = 1.0
    elsewhere = sqlite3.connect(db_path, isolation_level=None)
    try:
        elsewhere.execute("BEGIN IMMEDIATE")
        mark = "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, 'x')"
        batch = asyncio.create_task(db.run_steps([Step(mark, (1,))], quick=True))
        for _ in range(3):  # the batch's turn on the loop: it meets the lock, goes to the thread
            await asyncio.sleep(0)
        assert not batch.done()
        elsewhere.execute("COMMIT")  # had the loop waited for the lock, this came too late
        assert await batch == [1]
    finally:
        elsewhere.close()
        loop.set_debug(False)
    assert await count(db, "processed_updates") == 1
    assert not [r for r in caplog.records if r.name == "asyncio" and "Executing" in r.message]
