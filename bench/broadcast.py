"""A broadcast through the scheduler: part of `make bench`.

N participants stopped mid-lesson yesterday and chose morning reminders; one
scheduler run at 09:00 sends each their reminder, through the real sender and
rate limiter, to the emulator in flood mode (Telegram's ~30 a second per bot
and ~1 a second per chat, answering 429 when exceeded). Printed: how long it
took, messages per second, and how many 429s the emulator answered.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import clock
from bot.config import load_settings
from bot.course.loader import load_course
from bot.course.progress import Progress, Stage
from bot.emulator.server import Emulator
from bot.i18n.catalogs import compile_catalogs
from bot.storage import Database, participants, reminders, scheduled
from bot.storage.database import to_iso
from bot.telegram.application import build_application
from bot.telegram.context import BotContext
from bot.telegram.duties import run_due
from bot.telegram.participant import reminders as reminders_side

TOKEN = "1000000003:bench-broadcast"
FIRST_ID = 8_100_000_000
MORNING = datetime(2027, 2, 3, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


async def _seed(db: Database, emulator: Emulator, n: int, progress: str) -> None:
    stopped = MORNING - timedelta(days=1)
    for i in range(n):
        telegram_id = FIRST_ID + i
        emulator.state.user(telegram_id, first_name=f"Deltagare {i}")
        person = await participants.create(db, telegram_id, f"Deltagare {i}", "sv", now=stopped)
        await participants.set_consent(db, person.id, stopped)
        await db.execute(
            "INSERT INTO progress (participant_id, state, updated_at) VALUES (?, ?, ?)",
            (person.id, progress, to_iso(stopped)),
        )
        await reminders.set_window(db, person.id, "morning")


async def _broadcast(n: int) -> list[str]:
    settings = load_settings()
    course = load_course(settings.lessons_dir)
    compile_catalogs(settings.locales_dir)
    first = course.lessons[0]
    progress = Progress(stage=Stage.STEP, lesson_id=first.id, item_id=first.steps[0].id)
    async with Emulator(flood=True) as emulator:
        with tempfile.TemporaryDirectory() as folder:
            settings = replace(
                settings,
                bot_token=TOKEN,
                bot_api_url=f"{emulator.url}/bot",
                database=Path(folder) / "broadcast.sqlite3",
                webhook_url=None,
            )
            db = await Database.open(settings.database)
            try:
                await _seed(db, emulator, n, progress.to_json())
                clock.set_now(MORNING)
                application = build_application(settings, db, course)
                async with application:
                    context = BotContext(application)
                    started = time.perf_counter()
                    items = await reminders_side.plan(context, MORNING)
                    await scheduled.add(db, items, MORNING)
                    planned = time.perf_counter() - started
                    started = time.perf_counter()
                    counts = await run_due(context, MORNING)
                    seconds = time.perf_counter() - started
            finally:
                clock.set_now(None)
                await db.close()
            assert emulator.state.flood is not None
            rejected = emulator.state.flood.rejected
    rate = counts.sent / seconds if seconds else 0.0
    return [
        f"broadcast  {counts.sent:>6} reminders to {n} participants in {seconds:6.2f} s = "
        f"{rate:5.1f} messages/s ({rate / 30:.0%} of 30/s), {rejected} flood errors (429), "
        f"{counts.failed} failed; planning them took {planned:.2f} s"
    ]


def bench_broadcast(n: int) -> list[str]:
    return asyncio.run(_broadcast(n))
