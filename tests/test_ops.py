"""Running it for real: the bot's name from getMe, health and metrics, backups and restores,
erasure that reaches the disk, database faults told plainly, the doctor, deploy files."""

from __future__ import annotations

import argparse
import asyncio
import configparser
import logging
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml

from bot import admin
from bot.app import EXIT_DATABASE, EXIT_TELEGRAM, database_of, start_and_wait, start_bot
from bot.cli import build_parser
from bot.config import Settings, load_settings
from bot.course.model import Course
from bot.emulator.server import Emulator, profile_from_args
from bot.emulator.state import BotProfile, WebhookConfig
from bot.ops import doctor
from bot.ops.backup import BackupError, BotRunning, backup, inspect, prune, restore, run_lock
from bot.ops.health import HealthServer
from bot.ops.identity import IdentityError
from bot.ops.logs import DemoteToDebug
from bot.ops.metrics import Metrics
from bot.storage import groups, open_database
from bot.storage.database import load_migrations
from bot.telegram.coach import callbacks as cb
from bot.telegram.runtime import Runtime
from tests import databases
from tests.conftest import ROOT, TOKEN, RunningBot, SettlingClient
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import button, join, rows, take_week
from tests.test_coach_e2e import coach_joins, press, say

OWN_NAME = BotProfile("Vetlanda kurs", "vetlanda_kurs_bot")


async def started(
    settings: Settings, course: Course, emulator: Emulator, users: SettlingClient
) -> RunningBot:
    running = RunningBot(settings, course, emulator)
    users.bots.append(running)
    await running.start()
    return running


@pytest.fixture
async def named_bot(
    settings: Settings, course: Course, emulator: Emulator, users: SettlingClient
) -> AsyncIterator[RunningBot]:
    """A bot whose token Telegram (the emulator) knows as @vetlanda_kurs_bot."""
    emulator.state.add_bot(TOKEN, OWN_NAME)
    running = await started(settings, course, emulator, users)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def watched_bot(
    settings: Settings, course: Course, emulator: Emulator, users: SettlingClient
) -> AsyncIterator[RunningBot]:
    """A bot with /healthz and /metrics on a free port, and an operator's chat for notices."""
    emulator.state.user(ADMIN, first_name="Operator")
    watched = replace(settings, health_port=0, admin_chat_id=ADMIN)
    running = await started(watched, course, emulator, users)
    try:
        yield running
    finally:
        await running.stop()


ADMIN = 990
ZEB, ZEB_NAME = 7_340_051_977, "Zebulonia"


def health_url(bot: RunningBot) -> str:
    assert bot.application is not None
    health: HealthServer = bot.application.bot_data["health"]
    assert health.url is not None
    return health.url


def runtime(bot: RunningBot) -> Runtime:
    assert bot.application is not None
    found: Runtime = bot.application.bot_data["runtime"]
    return found


def sample(text: str, name: str, **labels: str) -> float:
    """One sample's value from the Prometheus text format (0 when it is not there)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        metric, _, label_text = key.partition("{")
        found = ",".join(sorted(label_text.rstrip("}").split(","))) if label_text else ""
        if metric == name and found == wanted:
            return float(value)
    return 0.0


# ---------------------------------------------------------------- the bot's name (getMe)


async def test_invite_links_follow_getme(
    named_bot: RunningBot,
    users: EmulatorClient,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert named_bot.db is not None
    assert runtime(named_bot).settings.bot_username == "vetlanda_kurs_bot"
    group = await groups.create_group(named_bot.db, "Vetlanda VT 2027", datetime.now(UTC).date())
    made = await admin.coach_invite(named_bot.db, "vetlanda_kurs_bot", group.name)
    assert made is not None
    code = made[0].rsplit("=", 1)[1]
    await coach_joins(users, 900, code, "Coach")
    await say(users, 900, "/invite", "Coach")
    came = await press(users, 900, cb.invite(group.id, 0))
    assert "https://t.me/vetlanda_kurs_bot?start=" in came[0]["text"]
    assert came[-1]["photo"]  # the QR code of that same link

    # The admin's command line asks getMe too when a token is set: no BOT_USERNAME needed.
    monkeypatch.setenv("DATABASE", str(named_bot.settings.database))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("BOT_API_URL", f"{emulator.url}/bot")
    monkeypatch.delenv("BOT_USERNAME", raising=False)
    args = argparse.Namespace(group=group.name, qr=None)
    assert await asyncio.to_thread(admin.invite_coach_command, args) == 0
    assert capsys.readouterr().out.startswith("https://t.me/vetlanda_kurs_bot?start=")
    monkeypatch.setenv("BOT_USERNAME", "rakna_med_mig_bot")
    assert await asyncio.to_thread(admin.invite_coach_command, args) == 1
    assert "belongs to @vetlanda_kurs_bot" in capsys.readouterr().err


async def test_a_bot_username_that_differs_stops_the_start(
    settings: Settings,
    course: Course,
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.state.add_bot(TOKEN, OWN_NAME)
    wrong = replace(settings, bot_username="rakna_med_mig_bot")
    db = await open_database(settings.database)
    try:
        with pytest.raises(IdentityError, match="belongs to @vetlanda_kurs_bot"):
            await start_bot(wrong, db, course)
    finally:
        await db.close()
    # What an operator sees: one paragraph, the Telegram exit code, no traceback.
    assert await asyncio.to_thread(start_and_wait, wrong, course) == EXIT_TELEGRAM
    err = capsys.readouterr().err
    assert "BOT_USERNAME is @rakna_med_mig_bot, but BOT_TOKEN belongs to @vetlanda_kurs_bot" in err
    assert "Traceback" not in err


async def test_the_emulator_has_a_bot_per_token_and_takes_its_name_from_the_command_line() -> None:
    args = build_parser().parse_args(
        ["emulator", "--bot-name", "Nässjö kurs", "--bot-username", "@nassjo_kurs_bot"]
    )
    assert profile_from_args(build_parser().parse_args(["emulator"])) == BotProfile()
    async with Emulator(bot=profile_from_args(args)) as emulator:
        http = httpx.AsyncClient(base_url=emulator.url)
        async with http:
            added = await http.post(
                "/emulator/bots", json={"token": "222:other", "username": "other_bot"}
            )
            assert added.status_code == 200
            first = (await http.get("/bot111:one/getMe")).json()["result"]
            second = (await http.get("/bot222:other/getMe")).json()["result"]
    assert (first["id"], first["username"], first["first_name"]) == (
        111,
        "nassjo_kurs_bot",
        "Nässjö kurs",
    )
    assert (second["id"], second["username"]) == (222, "other_bot")


def test_the_preview_never_uses_the_production_database(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE": str(tmp_path / "bot.sqlite3")}, tmp_path / "none")
    assert database_of(settings).database == Path("data/preview.sqlite3")
    with_token = replace(settings, bot_token=TOKEN)
    assert database_of(with_token).database == tmp_path / "bot.sqlite3"


# ---------------------------------------------------------------- health and metrics


@pytest.mark.sqlite_only
async def test_healthz_turns_503_when_the_database_is_gone_and_200_when_it_is_back(
    watched_bot: RunningBot,
) -> None:
    database = watched_bot.settings.database
    async with httpx.AsyncClient(base_url=health_url(watched_bot)) as http:
        healthy = await http.get("/healthz")
        assert (healthy.status_code, healthy.json()) == (200, {"status": "ok"})
        database.rename(database.with_suffix(".moved"))
        gone = await http.get("/healthz")
        assert gone.status_code == 503
        assert gone.json() == {"status": "fail", "reason": "database file missing"}
        database.with_suffix(".moved").rename(database)
        assert (await http.get("/healthz")).status_code == 200


@pytest.mark.postgresql_only
async def test_healthz_turns_503_while_postgresql_does_not_answer_and_200_after(
    watched_bot: RunningBot,
) -> None:
    """A server that holds every query (here: a lock another session keeps) is gone too."""
    health: HealthServer = watched_bot.application.bot_data["health"]  # type: ignore[union-attr]
    health.database_timeout = 0.5
    blocker = await asyncpg.connect(databases.server_url())
    try:
        async with httpx.AsyncClient(base_url=health_url(watched_bot)) as http:
            assert (await http.get("/healthz")).status_code == 200
            schema = databases.schema_of(str(watched_bot.settings.database))
            async with blocker.transaction():
                await blocker.execute(f'LOCK TABLE "{schema}".schema_migrations')
                gone = await http.get("/healthz")
                assert gone.status_code == 503
                assert gone.json() == {"status": "fail", "reason": "database does not answer"}
            assert (await http.get("/healthz")).status_code == 200
    finally:
        await blocker.close()


async def test_healthz_wants_telegram_reached_recently(tmp_path: Path) -> None:
    async with await open_database(databases.address(tmp_path / "h.sqlite3")) as db:
        metrics = Metrics()
        health = HealthServer(db, metrics, "Europe/Stockholm", telegram_stale_seconds=60)
        assert await health.problem() == "Telegram not reached yet"
        metrics.api_call("getUpdates", "200")
        assert await health.problem() is None
        assert metrics.last_reached is not None
        metrics.last_reached -= 120
        assert await health.problem() == "Telegram not reached for 120 s"

        # A webhook bot nobody wrote to makes no calls: /healthz asks Telegram once itself.
        async def reachable() -> None:
            metrics.api_call("getWebhookInfo", "200")

        async def unreachable() -> None:
            raise OSError("network is down")

        assert metrics.last_reached is not None
        metrics.last_reached -= 120
        health.probe = unreachable
        assert await health.problem() == "Telegram not reached for 240 s"
        health.probe = reachable
        assert await health.problem() is None


async def test_metrics_count_a_handled_update_and_a_429(
    watched_bot: RunningBot, users: EmulatorClient
) -> None:
    await users.fault(429, method="sendMessage", user_id=ZEB, retry_after=1, times=1)
    await users.send(ZEB, "/start", first_name=ZEB_NAME, language_code="sv")
    await users.idle()
    assert await users.bot_messages(ZEB)  # the reply went out after waiting
    async with httpx.AsyncClient(base_url=health_url(watched_bot)) as http:
        response = await http.get("/metrics")
    text = response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert sample(text, "bot_updates_handled_total", kind="message") == 1
    assert sample(text, "bot_update_handling_seconds_count") == 1
    assert sample(text, "bot_api_calls_total", method="sendMessage", code="429") == 1
    assert sample(text, "bot_api_calls_total", method="sendMessage", code="200") >= 1
    assert sample(text, "bot_api_calls_total", method="getMe", code="200") == 1
    assert sample(text, "bot_api_flood_waits_total") == 1
    assert sample(text, "bot_api_flood_wait_seconds_total") == 1
    assert sample(text, "bot_participants_active_today") >= 0
    assert sample(text, "bot_database_bytes") > 0
    # Nothing personal in any metric: no name, no Telegram id.
    assert ZEB_NAME not in text and str(ZEB) not in text


async def test_a_database_error_is_logged_counted_and_told_to_the_operator_plainly(
    watched_bot: RunningBot,
    users: EmulatorClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.storage import newcomers

    async def failing(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(newcomers, "welcome", failing)
    with caplog.at_level(logging.INFO):
        await users.send(ZEB, "/start", first_name=ZEB_NAME, language_code="sv")
        await users.idle()
    metrics = runtime(watched_bot).metrics
    assert metrics.database_errors.labels("OperationalError")._value.get() == 1
    notice = [m["text"] for m in await users.bot_messages(ADMIN)]
    assert len(notice) == 1
    assert notice[0].startswith("Unexpected error: OperationalError at bot/telegram/participant/")
    assert await users.bot_messages(ZEB)  # the apology
    logged = "\n".join(r.getMessage() for r in caplog.records if from_the_bot(r))
    assert "database error OperationalError (disk I/O error)" in logged
    for secret in (ZEB_NAME, str(ZEB), "secret words"):
        assert secret not in logged and secret not in notice[0]


def from_the_bot(record: logging.LogRecord) -> bool:
    """The bot's own lines and its libraries' (the test's HTTP client logs user ids in URLs)."""
    return record.name.split(".")[0] in ("bot", "telegram", "apscheduler")


def test_the_schedulers_minute_lines_are_debug() -> None:
    demote = DemoteToDebug()
    routine = logging.LogRecord(
        "apscheduler.executors.default", logging.INFO, "x", 1, "Running job", None, None
    )
    assert not demote.filter(routine) and routine.levelname == "DEBUG"
    ours = logging.LogRecord("bot.app", logging.INFO, "x", 1, "started", None, None)
    assert demote.filter(ours) and ours.levelname == "INFO"


# ---------------------------------------------------------------- erasure on disk


@pytest.mark.sqlite_only
async def test_after_delete_no_file_of_the_database_holds_the_name_or_the_id(
    bot: RunningBot, users: EmulatorClient, course: Course, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await join(users, ZEB, "sv", ZEB_NAME)
        await take_week(users, course, ZEB, 1)
        await users.send(ZEB, "/delete", first_name=ZEB_NAME, language_code="sv")
        await users.idle()
        await users.press(ZEB, *await button(users, ZEB, "1A|erase|"))
        await users.idle()
    assert rows(bot, "SELECT count(*) FROM participants") == [(0,)]
    database = bot.settings.database
    files = [database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm"))]
    patterns = {
        "name": ZEB_NAME.encode(),
        "id as text": str(ZEB).encode(),
        "id as SQLite stores it": struct.pack(">q", ZEB)[2:],  # a 48-bit integer
    }
    for file in files:
        if not file.exists():
            continue
        data = file.read_bytes()
        for what, pattern in patterns.items():
            assert pattern not in data, f"{file.name} still holds the {what}"
    # And nothing personal was logged at INFO on the way.
    for record in caplog.records:
        if record.levelno >= logging.INFO and from_the_bot(record):
            message = record.getMessage()
            assert ZEB_NAME not in message and str(ZEB) not in message, message


# ---------------------------------------------------------------- backup and restore


@pytest.mark.sqlite_only
async def test_a_backup_made_under_load_restores_to_a_consistent_database(
    bot: RunningBot, users: EmulatorClient, tmp_path: Path
) -> None:
    database = bot.settings.database
    people = range(601, 613)
    load = asyncio.ensure_future(
        asyncio.gather(*(join(users, person, "sv", f"P{person}") for person in people))
    )
    taken: list[Path] = []
    while not load.done() or not taken:
        target = tmp_path / "backups" / f"during-{len(taken)}.sqlite3"
        await asyncio.to_thread(backup, database, target)
        taken.append(target)
    await load
    await users.idle()
    for copy in taken:
        assert inspect(copy).ok
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # At rest, a backup is the live database, row for row.
    at_rest = tmp_path / "backups" / "at-rest.sqlite3"
    backup(database, at_rest)
    assert dump(at_rest) == dump(database)
    assert rows(bot, "SELECT count(*) FROM participants") == [(len(people),)]

    # Restore one made under load: the bot must be stopped, then it runs on it.
    chosen = taken[len(taken) // 2]
    with run_lock(database), pytest.raises(BotRunning, match="stop it first"):
        restore(chosen, database)  # the lock a running bot holds (see bot.app.serve)
    await bot.stop()
    restore(chosen, database)
    assert dump(database) == dump(chosen)
    await bot.start()
    await users.send(700, "/start", first_name="New", language_code="sv")
    await users.idle()
    assert await users.bot_messages(700)


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


@pytest.mark.sqlite_only
async def test_restore_checks_the_backup_first(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with await open_database(database):
        pass
    before = database.read_bytes()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 200)
    with pytest.raises(BackupError, match=r"Not restored: .* not a usable bot database"):
        restore(garbage, database)
    newer = tmp_path / "newer.sqlite3"
    backup(database, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'x')")
    with pytest.raises(BackupError, match="schema version 999, newer than this code"):
        restore(newer, database)
    assert database.read_bytes() == before
    with pytest.raises(BackupError, match="exists already"):
        backup(database, newer)


def test_the_nightly_backups_keep_the_last_n(tmp_path: Path) -> None:
    for day in range(1, 6):
        (tmp_path / f"bot-202701{day:02d}-033000.sqlite3").write_bytes(b"")
    gone = prune(tmp_path, keep=2)
    assert [p.name for p in gone] == [f"bot-202701{d:02d}-033000.sqlite3" for d in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bot-20270104-033000.sqlite3",
        "bot-20270105-033000.sqlite3",
    ]


# ---------------------------------------------------------------- database faults at start


def valid_database(path: Path) -> None:
    async def make() -> None:
        async with await open_database(path) as db:
            for n in range(300):
                await db.execute(
                    "INSERT INTO groups (name, start_date, self_paced, created_at)"
                    " VALUES (?, '2027-01-11', 0, '2027-01-01')",
                    (f"Group {n}",),
                )

    asyncio.run(make())


def damage(path: Path, kind: str) -> str:
    """Break the database the way ``kind`` says; returns what the message must say."""
    if kind == "read-only":
        path.chmod(0o444)
        return "is read-only"
    if kind == "garbage":
        path.write_bytes(b"\x00garbage, not SQLite\n" * 4096)
        return "is not an SQLite database"
    if kind == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return "is damaged"
    if kind == "damaged page":
        with sqlite3.connect(path) as conn:
            (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'groups'")
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        data = bytearray(path.read_bytes())
        start = (root[0] - 1) * page_size
        data[start : start + 12] = b"\x03" + b"\xff" * 11  # no valid b-tree page header
        path.write_bytes(bytes(data))
        return "is damaged"
    assert kind == "unwritable -shm"
    shm = Path(f"{path}-shm")
    shm.write_bytes(b"\x00" * 32768)
    shm.chmod(0o444)
    return "-shm is read-only"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "kind", ["read-only", "garbage", "truncated", "damaged page", "unwritable -shm"]
)
def test_database_faults_at_start_are_told_plainly(
    kind: str, tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.sqlite3"
    valid_database(path)
    said = damage(path, kind)
    settings = Settings(
        bot_token=TOKEN,
        bot_api_url="http://127.0.0.1:9/bot",  # never reached: the database stops it first
        database=path,
        lessons_dir=ROOT / "lessons",
        locales_dir=ROOT / "locales",
    )
    assert start_and_wait(settings, course) == EXIT_DATABASE
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert err.startswith("The database cannot be used:")


@pytest.mark.sqlite_only
def test_a_garbage_database_stops_python_m_bot_run_with_exit_code_3(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(b"garbage" * 1000)
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": "http://127.0.0.1:9/bot",
        "DATABASE": str(database),
        "LESSONS_DIR": str(ROOT / "lessons"),
        "LOCALES_DIR": str(ROOT / "locales"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_DATABASE
    assert "is not an SQLite database" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- the doctor


@pytest.mark.sqlite_only
async def test_the_doctor_checks_everything_against_the_emulator(
    settings: Settings,
    emulator: Emulator,
    users: EmulatorClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with await open_database(settings.database):
        pass
    healthy = replace(settings, backup_dir=settings.database.parent / "b", health_port=9090)
    found = await doctor.diagnose(healthy)
    problems = [f for f in found if f.level == "problem" and f.area != "fonts"]
    assert problems == []
    shown = "\n".join(map(str, found))
    assert "the token is @rakna_med_mig_bot's" in shown
    assert "integrity ok, schema version" in shown
    assert "0 update(s) waiting, no delivery errors" in shown

    # The webhook's last delivery error, as getWebhookInfo reports it.
    emulator.state.webhook = WebhookConfig(
        url="https://bot.example.org/hook",
        last_error_date=1_800_000_000,
        last_error_message="Wrong response from the webhook: 502 Bad Gateway",
    )
    webhook = await doctor.check_telegram(healthy)
    assert any(f.level == "problem" and "502 Bad Gateway" in f.text for f in webhook)
    emulator.state.webhook = None

    await users.fault(401, method="getMe", times=1)
    refused = await doctor.check_telegram(healthy)
    assert [f.text for f in refused] == [
        "Telegram refused BOT_TOKEN: copy it from @BotFather again"
    ]
    mismatch = await doctor.check_telegram(replace(healthy, bot_username="another_bot"))
    assert mismatch[0].level == "problem" and "BOT_TOKEN belongs to" in mismatch[0].text

    settings.database.write_bytes(b"garbage" * 1000)
    assert doctor.check_database(healthy)[0].level == "problem"
    assert doctor.check_timezone(replace(healthy, timezone="Mars/Olympus"))[0].level == "problem"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert "fontconfig is missing" in doctor.check_fonts()[0].text

    # The command: plain lines, exit 1 on a problem.
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("BOT_API_URL", f"{emulator.url}/bot")
    monkeypatch.setenv("DATABASE", str(settings.database))
    monkeypatch.setenv("LESSONS_DIR", str(ROOT / "lessons"))
    monkeypatch.setenv("LOCALES_DIR", str(ROOT / "locales"))
    code = await asyncio.to_thread(doctor.doctor_command, argparse.Namespace())
    assert code == 1


@pytest.mark.postgresql_only
async def test_the_doctor_checks_a_postgresql_database(tmp_path: Path) -> None:
    url = str(databases.address(tmp_path / "doctor"))
    newest = max(m.version for m in load_migrations())
    (found,) = await doctor.check_postgresql(url)
    assert found.level == "ok" and f"schema version {newest}" in found.text
    (down,) = await doctor.check_postgresql("postgresql://postgres@127.0.0.1:1/test")
    assert down.level == "problem" and "does not answer" in down.text
    assert "password" not in down.text


def test_the_doctor_report_exits_0_only_without_problems() -> None:
    lines: list[str] = []
    assert doctor.report([doctor.ok("a", "fine"), doctor.note("b", "fyi")], lines.append) == 0
    assert lines[-1] == "No problems found."
    assert doctor.report([doctor.problem("c", "broken")], lines.append) == 1
    assert lines[-2:] == ["PROBLEM c: broken", "1 problem(s)."]


# ---------------------------------------------------------------- deploy/ and the Makefile

DEPLOY = ROOT / "deploy"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(DEPLOY / "rakna-bot.service", encoding="utf-8")
    return parser


def test_the_systemd_unit_restarts_and_confines_the_bot() -> None:
    """The keys are checked by parsing the unit, everywhere; systemd-analyze runs too below."""
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] not in ("", "root") and service["Group"] not in ("", "root")
    assert service["ExecStart"].endswith("-m bot run")
    assert service["ReadWritePaths"].split() == ["/var/lib/rakna-bot"]
    assert service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectHome"] == "true" and service["PrivateTmp"] == "true"
    assert service["CapabilityBoundingSet"] == ""
    env_file = (DEPLOY / "env.example").read_text()
    assert "DATABASE=/var/lib/rakna-bot/" in env_file  # inside the one writable path
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    """Where systemd-analyze exists; the unit's keys are asserted above in any case."""
    text = (DEPLOY / "rakna-bot.service").read_text()
    copy = tmp_path / "rakna-bot.service"  # ExecStart must name a program that exists here
    copy.write_text(text.replace("/opt/rakna-bot/.venv/bin/python", sys.executable))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Unknown key" not in done.stderr and "Invalid" not in done.stderr, done.stderr


def test_the_container_is_slim_non_root_and_checks_its_health() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "--no-install-recommends" in dockerfile
    assert "[dev]" not in dockerfile
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    bot = compose["services"]["bot"]
    assert bot["restart"] == "unless-stopped"
    assert any(volume.endswith(":/data") for volume in bot["volumes"])
    on_postgresql = yaml.safe_load((DEPLOY / "compose.postgresql.yaml").read_text())
    server = on_postgresql["services"]["postgres"]
    assert "pg_isready" in " ".join(server["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in server["volumes"])
    bot_there = on_postgresql["services"]["bot"]
    assert bot_there["environment"]["DATABASE"].startswith("postgresql://bot:")
    assert bot_there["depends_on"]["postgres"]["condition"] == "service_healthy"
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "listen 443 ssl" in nginx and "proxy_pass http://127.0.0.1:8080" in nginx


def make_dry_run(target: str) -> str:
    done = subprocess.run(
        ["make", "-n", "-B", target, "VENV=/nonexistent-venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="no make here")
def test_make_run_installs_only_what_running_needs() -> None:
    run = make_dry_run("run")
    assert "pip install --quiet -e ." in run
    assert "[dev]" not in run and "chromium" not in run and "playwright" not in run
    test = make_dry_run("test")
    assert "-e '.[dev]'" in test
    assert "--no-install-recommends chromium" in test


def test_a_wrong_setting_stops_the_start_plainly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from bot.app import EXIT_SETTINGS
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEALTH_PORT", "nine thousand")
    assert main(["run"]) == EXIT_SETTINGS
    err = capsys.readouterr().err
    assert "HEALTH_PORT='nine thousand' is not a number" in err and "Traceback" not in err
