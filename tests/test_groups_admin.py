"""Groups, invitations, retention and the job schedule against a real database file."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot import admin, invitations
from bot.storage import Database, InviteKind, groups, invites, open_database, participants
from bot.storage.coaching import find_invite
from bot.storage.retention import months_before, purge_expired
from bot.telegram.coach.jobs import next_time
from tests import databases

NOW = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path | str:
    path = databases.address(tmp_path / "bot.sqlite3")
    monkeypatch.setenv("DATABASE", str(path))
    monkeypatch.setenv("BOT_USERNAME", "test_course_bot")
    return path


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(databases.address(tmp_path / "jobs.sqlite3"))
    yield database
    await database.close()


def run(function: str, **values: object) -> int:
    """A CLI subcommand of bot.admin, called with the arguments argparse would give it."""
    command = getattr(admin, function)
    result: int = command(argparse.Namespace(**values))
    return result


def test_the_admin_creates_lists_and_invites(
    database: Path | str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    create = "create_group_command"
    assert run(create, name="Vetlanda VT 2027", start="2027-01-11", self_paced=False) == 0
    assert run(create, name="Eksjö självstudier", start="2027-01-11", self_paced=True) == 0
    assert run(create, name="Vetlanda VT 2027", start="2027-01-11", self_paced=False) == 1
    assert run(create, name="Fel", start="11/1/2027", self_paced=False) == 2
    capsys.readouterr()
    assert run("list_groups_command") == 0
    listed = capsys.readouterr().out
    assert "Vetlanda VT 2027  2027-01-11  weekly  0  0" in listed
    assert "Eksjö självstudier  2027-01-11  self-paced" in listed
    qr = tmp_path / "coach.png"
    assert run("invite_coach_command", group="Vetlanda VT 2027", qr=str(qr)) == 0
    link = capsys.readouterr().out.splitlines()[0]
    prefix = "https://t.me/test_course_bot?start="
    assert link.startswith(prefix)
    code = link.removeprefix(prefix)
    assert invitations.well_formed(code) and len(code) >= 40
    assert qr.read_bytes().startswith(b"\x89PNG")
    stored = databases.query(database, "SELECT code_hash, kind, uses_left FROM invites")
    dump = databases.dump(database)
    assert stored == [(invitations.code_hash(code), "coach", 1)]
    assert code not in dump  # only the hash is kept
    assert run("invite_coach_command", group="Nowhere", qr=None) == 1


async def test_a_participant_link_is_reusable_until_its_count(db: Database) -> None:
    group = await groups.create_group(db, "G", date(2027, 1, 11))
    code, expires = await invitations.issue(
        db, InviteKind.PARTICIPANT, group.id, uses=2, days=30, now=NOW
    )
    assert expires == NOW + timedelta(days=30)
    hashed = invitations.code_hash(code)
    assert await invites.redeem_invite(db, hashed, NOW) is not None
    assert await invites.redeem_invite(db, hashed, NOW) is not None
    assert await invites.redeem_invite(db, hashed, NOW) is None
    other, _ = await invitations.issue(
        db, InviteKind.PARTICIPANT, group.id, uses=None, days=1, now=NOW
    )
    assert await find_invite(db, invitations.code_hash(other), NOW) is not None
    assert await find_invite(db, invitations.code_hash(other), NOW + timedelta(days=2)) is None


async def test_five_wrong_codes_an_hour_are_the_limit(db: Database) -> None:
    for minute in range(invitations.WRONG_TRIES_PER_HOUR):
        assert not await invitations.too_many_wrong_tries(db, 42, NOW)
        await invites.record_start_attempt(db, 42, NOW - timedelta(minutes=minute))
    assert await invitations.too_many_wrong_tries(db, 42, NOW)
    assert not await invitations.too_many_wrong_tries(db, 43, NOW)
    assert not await invitations.too_many_wrong_tries(db, 42, NOW + timedelta(hours=1))


def test_codes_fit_a_start_parameter() -> None:
    codes = {invitations.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(invitations.well_formed(c) and 40 <= len(c) <= 64 for c in codes)
    assert not invitations.well_formed("bad code")
    assert not invitations.well_formed("x" * 65)


def test_months_before_keeps_to_the_calendar() -> None:
    assert months_before(datetime(2027, 3, 31, tzinfo=UTC), 1) == datetime(2027, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 12) == datetime(2026, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 13) == datetime(
        2025, 12, 15, tzinfo=UTC
    )


async def test_groups_past_retention_are_purged_with_everyone_in_them(db: Database) -> None:
    old = await groups.create_group(db, "Old", date(2025, 9, 1))  # ended ~10 Nov 2025
    recent = await groups.create_group(db, "Recent", date(2026, 9, 1))
    coach = await groups.add_coach(db, 9001, "Karin", None)
    shared = await groups.add_coach(db, 9002, "Lena", None)
    await groups.add_coach_to_group(db, old.id, coach.id)
    await groups.add_coach_to_group(db, old.id, shared.id)
    await groups.add_coach_to_group(db, recent.id, shared.id)
    person = await participants.create(db, 8001, "Amina", "ar", group_id=old.id)
    await invites.record_start_attempt(db, 8001, NOW)
    await participants.create(db, 8002, "Erik", "sv", group_id=recent.id)

    purged = await purge_expired(db, 12, timedelta(weeks=10), NOW)

    assert purged == [old.id]
    assert await groups.get_group(db, old.id) is None
    assert await participants.get(db, person.id) is None
    assert await groups.get_coach_by_telegram_id(db, 9001) is None  # followed nothing else
    assert await groups.get_coach_by_telegram_id(db, 9002) is not None
    assert await participants.get_by_telegram_id(db, 8002) is not None
    assert await db.fetch_value("SELECT COUNT(*) FROM start_attempts") == 0


def test_the_digest_is_due_on_monday_at_eight_in_stockholm() -> None:
    wednesday = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
    monday = next_time(wednesday, "Europe/Stockholm", time(8), 0)
    assert monday == datetime(2027, 3, 8, 7, 0, tzinfo=UTC)  # 08:00 CET
    after_dst = next_time(datetime(2027, 3, 29, 6, 30, tzinfo=UTC), "Europe/Stockholm", time(8), 0)
    assert after_dst == datetime(2027, 4, 5, 6, 0, tzinfo=UTC)  # 08:00 CEST, a week on
    daily = next_time(wednesday, "Europe/Stockholm", time(3), None)
    assert daily == datetime(2027, 3, 4, 2, 0, tzinfo=UTC)


def test_the_cli_runs_beside_an_open_database(database: Path | str) -> None:
    async def with_bot_open() -> int:
        db = await open_database(database)
        try:
            return await asyncio.to_thread(
                run, "create_group_command", name="X", start="2027-01-11", self_paced=False
            )
        finally:
            await db.close()

    assert asyncio.run(with_bot_open()) == 0


def test_the_lifecycle_ends_renames_and_finds_groups_in_any_case(
    database: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run("create_group_command", name="Vetlanda VT 2027", start="2027-01-11", self_paced=False)
        == 0
    )
    assert run("create_group_command", name="Eksjö", start="2027-01-11", self_paced=False) == 0
    assert run("invite_coach_command", group="vetlanda vt 2027", qr=None) == 0  # any case
    assert run("rename_group_command", group="VETLANDA vt 2027", to="Vetlanda våren 2027") == 0
    assert run("rename_group_command", group="Vetlanda våren 2027", to="Eksjö") == 1
    assert run("rename_group_command", group="Nowhere", to="X") == 1
    assert run("rename_group_command", group="Eksjö", to="  ") == 2
    assert run("end_group_command", group="vetlanda VÅREN 2027") == 0
    assert run("end_group_command", group="Nowhere") == 1
    errors = capsys.readouterr().err
    assert "No group named 'Nowhere'; see `python -m bot groups list`." in errors
    assert "A group named 'Eksjö' exists already." in errors
    assert run("list_groups_command") == 0
    listed = capsys.readouterr().out
    assert "Vetlanda våren 2027  2027-01-11  weekly" in listed and "Vetlanda VT" not in listed
    ended = next(line for line in listed.splitlines() if "Vetlanda" in line)
    assert not ended.endswith("  -")


def test_coaches_are_listed_and_removed_with_clear_errors(
    database: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def setup() -> int:
        async with await open_database(database) as db:
            group = await groups.create_group(db, "Vetlanda", date(2027, 1, 11))
            other = await groups.create_group(db, "Eksjö", date(2027, 1, 11))
            coach = await groups.add_coach(db, 555, "Karin", "sv")
            await groups.add_coach_to_group(db, group.id, coach.id)
            await groups.add_coach_to_group(db, other.id, coach.id)
            return coach.id

    karin = asyncio.run(setup())
    assert run("list_coaches_command") == 0
    assert f"{karin}  Karin  sv  Eksjö, Vetlanda" in capsys.readouterr().out
    assert run("remove_coach_command", coach=karin, group="eksjö") == 0
    assert run("remove_coach_command", coach=karin, group="Eksjö") == 1  # not any more
    assert run("remove_coach_command", coach=karin, group="Nowhere") == 1
    assert run("remove_coach_command", coach=999, group=None) == 1
    errors = capsys.readouterr().err
    assert f"Coach {karin} does not follow 'Eksjö'." in errors
    assert "No coach with id 999; see `python -m bot coaches list`." in errors
    assert run("list_coaches_command") == 0
    assert f"{karin}  Karin  sv  Vetlanda" in capsys.readouterr().out
    assert run("remove_coach_command", coach=karin, group=None) == 0
    assert run("list_coaches_command") == 0
    assert "Karin" not in capsys.readouterr().out


def test_invites_are_listed_and_revoked(
    database: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("create_group_command", name="Vetlanda", start="2027-01-11", self_paced=False) == 0
    assert run("invite_coach_command", group="Vetlanda", qr=None) == 0
    link = next(x for x in capsys.readouterr().out.splitlines() if "?start=" in x)
    code = link.rsplit("=", 1)[1]
    assert run("list_invites_command", group="VETLANDA") == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and "coach  Vetlanda  1" in listed[1]
    short = listed[1].split()[0]
    assert invitations.code_hash(code).startswith(short)
    assert run("list_invites_command", group="Nowhere") == 1
    assert run("revoke_invite_command", code="not-hex") == 1
    assert run("revoke_invite_command", code=short) == 0
    assert run("revoke_invite_command", code=short) == 1
    assert "No invite" in capsys.readouterr().err
    assert run("list_invites_command", group=None) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_the_audit_lists_every_coach_action_for_the_admin(
    database: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.storage import actions

    async def setup() -> None:
        async with await open_database(database) as db:
            group = await groups.create_group(db, "Vetlanda", date(2027, 1, 11))
            coach = await groups.add_coach(db, 555, "Karin", "sv")
            person = await participants.create(db, 777, "Amina", "sv", group_id=group.id)
            await actions.set_pause(db, coach.id, person.id, date(2027, 2, 14), now=NOW)
            await actions.add_note(db, coach.id, person.id, "private words", now=NOW)

    asyncio.run(setup())
    assert run("audit_command", since=None) == 0
    out = capsys.readouterr().out
    assert "pause  2027-02-14" in out and "note  -" in out and "Karin" in out
    assert "private words" not in out  # the audit says that, never what
    assert run("audit_command", since="2099-01-01") == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert run("audit_command", since="1/1/2027") == 2
