"""``python -m bot jobs run-due [--now ISO-8601]``: the scheduler from the command line.

For operators who run the scheduler from cron instead of (or beside) the bot's
own once-a-minute tick, and for tests. It plans and sends what is due at
``--now`` (default: the clock), through the same sender and rate limits as the
bot, and prints what it did. Safe to run while the bot runs, and twice: every
item is claimed in a transaction before it is sent.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot import clock
from bot.config import Settings, load_settings
from bot.course.loader import CourseError, load_course
from bot.course.model import Course
from bot.storage import open_database
from bot.telegram.application import build_application
from bot.telegram.context import BotContext
from bot.telegram.duties import run_due
from bot.telegram.scheduler import Counts


def parse_now(text: str | None) -> datetime | None:
    """An ISO-8601 time; without a zone it is read as UTC."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def run_once(settings: Settings, course: Course, now: datetime) -> Counts:
    """Build the Bot from the settings, run the scheduler once for ``now``, close."""
    db = await open_database(settings.database)
    try:
        application = build_application(settings, db, course)
        async with application:
            return await run_due(BotContext(application), now)
    finally:
        await db.close()


def run_due_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.bot_token is None:
        print("BOT_TOKEN is not set: there is no bot to send with", file=sys.stderr)
        return 2
    try:
        course = load_course(settings.lessons_dir)
    except CourseError as error:
        print(error, file=sys.stderr)
        return 2
    now = parse_now(args.now)
    if now is not None:
        clock.set_now(now)
    counts = asyncio.run(run_once(settings, course, now or clock.utc_now()))
    print(counts.line())
    for failure in counts.errors:
        print(f"failed: {failure}", file=sys.stderr)
    return 0
