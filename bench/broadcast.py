"""A broadcast through the scheduler: part of `make bench`.

N participants stopped mid-lesson yesterday and chose morning reminders; one
scheduler run at 09:00 sends each their reminder, through the real sender and
rate limiter, to the emulator in flood mode (Telegram's ~30 a second per bot
and ~1 a second per chat, answering 429 when exceeded). Printed: how long it
took, messages per second, and how many 429s the emulator answered. Meanwhile
20 other people write to the bot, 20 updates a second in all: their replies'
latency (update queued to reply recorded) shows whether broadcasts yield to
replies.
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
from bot.app import start_bot, stop_bot
from bot.config import load_settings
from bot.course.loader import load_course
from bot.course.progress import Progress, Stage
from bot.emulator.server import Emulator
from bot.i18n.catalogs import compile_catalogs
from bot.storage import Database, open_database, participants, reminders, scheduled
from bot.storage.database import to_iso
from bot.telegram.context import BotContext
from bot.telegram.duties import run_due
from bot.telegram.participant import reminders as reminders_side

TOKEN = "1000000003:bench-broadcast"
TALKERS = 20
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


async def _broadcast(n: int, talk: bool) -> list[str]:
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
            db = await open_database(settings.database)
            try:
                await _seed(db, emulator, n, progress.to_json())
                clock.set_now(MORNING)
                application = await start_bot(settings, db, course)
                assert application.job_queue is not None
                for job in application.job_queue.get_jobs_by_name("scheduler"):
                    job.schedule_removal()  # this run is timed by hand
                try:
                    context = BotContext(application)
                    started = time.perf_counter()
                    items = await reminders_side.plan(context, MORNING)
                    await scheduled.add(db, items, MORNING)
                    planned = time.perf_counter() - started
                    stop = asyncio.Event()
                    talking = asyncio.create_task(_talkers(emulator, stop if talk else None))
                    started = time.perf_counter()
                    counts = await run_due(context, MORNING)
                    seconds = time.perf_counter() - started
                    stop.set()
                    latencies = sorted(await talking)
                finally:
                    await stop_bot(application)
            finally:
                clock.set_now(None)
                await db.close()
            assert emulator.state.flood is not None
            rejected = emulator.state.flood.rejected
    rate = counts.sent / seconds if seconds else 0.0
    lines = [
        f"broadcast  {counts.sent:>6} reminders to {n} participants in {seconds:6.2f} s = "
        f"{rate:5.1f} messages/s ({rate / 30:.0%} of 30/s), {rejected} flood errors (429), "
        f"{counts.failed} failed; planning them took {planned:.2f} s"
    ]
    if talk:
        total = (counts.sent + len(latencies)) / seconds if seconds else 0.0
        lines.append(
            f"  while {TALKERS} others write 20 updates/s: {len(latencies)} replies, latency"
            f" p50 {_percentile(latencies, 50):.1f} ms p99 {_percentile(latencies, 99):.1f} ms;"
            f" replies first, the broadcast gets the rest: {total:.1f} messages/s in all"
        )
    return lines


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


async def _talkers(emulator: Emulator, stop: asyncio.Event | None) -> list[float]:
    """20 people who each write /help once a second while the broadcast runs (if stop)."""
    if stop is None:
        return []
    talkers = [FIRST_ID - 1 - i for i in range(TALKERS)]
    waiting: dict[int, float] = {}
    latencies: list[float] = []

    def changed(user_id: int) -> None:
        asked = waiting.pop(user_id, None)
        if asked is not None:
            latencies.append((time.perf_counter() - asked) * 1000)

    unsubscribe = emulator.state.subscribe(changed)
    try:
        turn = 0
        while not stop.is_set():
            user_id = talkers[turn % TALKERS]
            turn += 1
            if user_id not in waiting:
                emulator.state.user_message(user_id, "/help", first_name="Talker")
                waiting[user_id] = time.perf_counter()  # after the push's own notice
            await asyncio.sleep(1 / (TALKERS * 1.0))
    finally:
        unsubscribe()
    return latencies


def bench_broadcast(n: int) -> list[str]:
    """The broadcast alone, then a quarter of it while others use the bot."""
    return asyncio.run(_broadcast(n, talk=False)) + asyncio.run(_broadcast(n // 4, talk=True))
