"""Fixtures for the preview's tests: the bot runs against the preview's own emulator,
on a copy of the lessons that a test may break and fix."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.emulator.server import Emulator
from bot.preview.server import Preview
from tests.conftest import ROOT


@pytest.fixture
async def preview() -> AsyncIterator[Preview]:
    running = Preview(Emulator(webhook_retry_delay=0.05), interval=0.05)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def emulator(preview: Preview) -> Emulator:
    """The emulator the conftest fixtures (users, settings, bot) use: the preview's."""
    return preview.emulator


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    lessons = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    return replace(settings, lessons_dir=lessons)
