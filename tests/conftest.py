"""Fixtures that run the real bot against the local Bot API emulator over HTTP."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot import admin
from bot.app import start_bot, stop_bot
from bot.config import Settings
from bot.course.loader import load_course
from bot.course.model import Course
from bot.emulator.server import Emulator
from bot.i18n.catalogs import compile_catalogs
from bot.i18n.translator import Translator, reset_cache, translator
from bot.storage import Database, open_database
from bot.telegram.context import BotApplication
from bot.telegram.processor import PerUserUpdateProcessor
from tests import databases
from tests.emulator_client import EmulatorClient

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:test-token"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="run the suite on SQLite files or on PostgreSQL (TEST_DATABASE_URL)",
    )


def pytest_configure(config: pytest.Config) -> None:
    databases.CHOICE["dialect"] = config.getoption("--database")
    if databases.on_postgresql() and not databases.server_answers():
        pytest.exit(f"no PostgreSQL answers at {databases.server_url()}", returncode=2)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each pass runs the tests its database can run; the others are left out, not skipped."""
    other = "sqlite_only" if databases.on_postgresql() else "postgresql_only"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


def pytest_unconfigure(config: pytest.Config) -> None:
    if databases.on_postgresql():
        databases.run_aside(databases.drop_test_schemas(databases.RUN))


@pytest.fixture(scope="session")
def course() -> Course:
    compile_catalogs(ROOT / "locales")
    reset_cache()
    return load_course(ROOT / "lessons")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(webhook_retry_delay=0.05) as running:
        yield running


class SettlingClient(EmulatorClient):
    """The emulator's client whose ``idle()`` waits until the bots have handled everything.

    No quiet period: the emulator says when every update was fetched and no Bot
    API call is in flight, and each running bot's update processor says when it
    has handled every update up to the newest one. A handler awaits its own calls,
    so once both agree nothing more is coming.
    """

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator.url)
        self.emulator = emulator
        self.bots: list[RunningBot] = []

    async def idle(self, timeout: float = 10, quiet: float | None = None) -> None:
        if quiet is not None:
            await super().idle(timeout, quiet)
            return
        async with asyncio.timeout(timeout):
            while True:
                await super().idle(timeout, quiet=0)
                newest = self.emulator.state.updates.last_id
                for running in self.bots:
                    await running.handled(newest)
                if self.emulator.state.updates.last_id == newest:
                    await super().idle(timeout, quiet=0)
                    return


@pytest.fixture
async def users(emulator: Emulator) -> AsyncIterator[SettlingClient]:
    async with SettlingClient(emulator) as client:
        yield client


@pytest.fixture
def settings(tmp_path: Path, emulator: Emulator) -> Settings:
    return Settings(
        bot_token=TOKEN,
        bot_api_url=f"{emulator.url}/bot",
        database=databases.address(tmp_path / "bot.sqlite3"),
        lessons_dir=ROOT / "lessons",
        locales_dir=ROOT / "locales",
        media_dir=tmp_path / "media",
        chat_messages_per_second=1000.0,
        send_retry_delay=0.01,  # tries again at once: the faults are the emulator's
        bot_messages_per_second=1000.0,
    )


@dataclass
class RunningBot:
    """The real Application polling the emulator, with a database that outlives restarts."""

    settings: Settings
    course: Course
    emulator: Emulator | None = None
    db: Database | None = None
    application: BotApplication | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    seen_before_start: int = 0

    async def start(self) -> None:
        if self.emulator is not None:
            self.seen_before_start = self.emulator.state.updates.fetched_upto
        self.db = await open_database(self.settings.database)
        self.application = await start_bot(self.settings, self.db, self.course)

    def today(self) -> date:
        """Today by the bot's own clock and time zone."""
        assert self.application is not None
        found: date = self.application.bot_data["runtime"].today()
        return found

    async def handled(self, update_id: int) -> None:
        """Wait until this bot has handled every update up to ``update_id`` it was given."""
        if self.application is None or update_id <= self.seen_before_start:
            return
        processor = self.application.update_processor
        assert isinstance(processor, PerUserUpdateProcessor)
        await processor.wait_handled(update_id)

    async def stop(self) -> None:
        if self.application is not None:
            await stop_bot(self.application)
            self.application = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def with_settings(self, **changes: Any) -> None:
        self.settings = replace(self.settings, **changes)


@asynccontextmanager
async def started(
    settings: Settings, course: Course, users: SettlingClient
) -> AsyncIterator[RunningBot]:
    """A bot on these settings and course, whose updates ``users.idle()`` waits for."""
    running = RunningBot(settings, course, users.emulator)
    users.bots.append(running)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def bot(
    settings: Settings, course: Course, users: SettlingClient
) -> AsyncIterator[RunningBot]:
    async with started(settings, course, users) as running:
        yield running


@pytest.fixture
def tr() -> Translator:
    return translator(ROOT / "locales", "sv")


@pytest.fixture
def cli(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """The admin's commands against the running bot's database file, as a shell runs them."""
    monkeypatch.setenv("DATABASE", str(bot.settings.database))
    monkeypatch.setenv("BOT_USERNAME", "test_course_bot")

    async def run(command: str, **values: Any) -> str:
        capsys.readouterr()
        function = getattr(admin, command)
        assert await asyncio.to_thread(function, argparse.Namespace(**values)) == 0
        return capsys.readouterr().out

    return run
