"""Fixtures that run the real bot against the local Bot API emulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import start_bot, stop_bot
from bot.config import Settings
from bot.course.loader import load_course
from bot.course.model import Course
from bot.emulator.server import Emulator
from bot.i18n.catalogs import compile_catalogs
from bot.i18n.translator import reset_cache
from bot.storage import Database
from tests.emulator_client import EmulatorClient

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:test-token"


@pytest.fixture(scope="session")
def course() -> Course:
    compile_catalogs(ROOT / "locales")
    reset_cache()
    return load_course(ROOT / "lessons")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(webhook_retry_delay=0.05, idle_quiet=0.3) as running:
        yield running


@pytest.fixture
async def users(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.url) as client:
        yield client


@pytest.fixture
def settings(tmp_path: Path, emulator: Emulator) -> Settings:
    return Settings(
        bot_token=TOKEN,
        bot_api_url=f"{emulator.url}/bot",
        database=tmp_path / "bot.sqlite3",
        lessons_dir=ROOT / "lessons",
        locales_dir=ROOT / "locales",
        media_dir=tmp_path / "media",
        chat_messages_per_second=1000.0,
    )


@dataclass
class RunningBot:
    """The real Application polling the emulator, with a database that outlives restarts."""

    settings: Settings
    course: Course
    db: Database | None = None
    application: Application | None = None  # type: ignore[type-arg]
    extra: dict[str, Any] = field(default_factory=dict)

    async def start(self) -> None:
        self.db = await Database.open(self.settings.database)
        self.application = await start_bot(self.settings, self.db, self.course)

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


@pytest.fixture
async def bot(settings: Settings, course: Course) -> AsyncIterator[RunningBot]:
    running = RunningBot(settings, course)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
