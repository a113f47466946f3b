"""Running the bot: on Telegram with BOT_TOKEN, otherwise against the local emulator.

Everything runs in one asyncio loop (PTB's "custom asyncio" lifecycle), so the
database, the bot and, in the preview, the emulator and its page share it and
stop together on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from telegram.ext import Application

from bot.config import Settings, load_settings
from bot.course.loader import CourseError, load_course
from bot.course.model import Course
from bot.i18n.catalogs import compile_catalogs
from bot.storage import Database, undelivered
from bot.telegram.application import ALLOWED_UPDATES, build_application
from bot.telegram.inbox import Inbox
from bot.telegram.runtime import Runtime

log = logging.getLogger(__name__)


async def start_bot(
    settings: Settings, db: Database, course: Course, *, rate_limiter: bool = True
) -> Application:  # type: ignore[type-arg]
    """Build, initialise and start the Application, polling or behind a webhook.

    Updates come in through the durable inbox (bot/telegram/inbox.py): what a
    previous run fetched and never handled is handled first.
    """
    application = build_application(settings, db, course, rate_limiter=rate_limiter)
    runtime: Runtime = application.bot_data["runtime"]
    runtime.undelivered_chats = await undelivered.chats(db)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    updates = Inbox(application, db, ALLOWED_UPDATES)
    application.bot_data["inbox"] = updates
    if settings.webhook_url:
        await updates.start_webhook(
            settings.host, settings.port, settings.webhook_url, settings.webhook_secret
        )
    else:
        await updates.start_polling(timeout=10)
    return application


async def stop_bot(application: Application) -> None:  # type: ignore[type-arg]
    """Stop fetching, handle everything fetched, then close."""
    updates = application.bot_data.get("inbox")
    if isinstance(updates, Inbox):
        await updates.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(settings: Settings, course: Course) -> None:
    """Run until stopped; without a token, inside the local preview (emulator and page)."""
    db = await Database.open(settings.database)
    preview = None
    try:
        if settings.bot_token is None:
            from bot.preview.server import start_preview

            preview = await start_preview(settings)
            settings = preview.bot_settings(settings)
        application = await start_bot(settings, db, course)
        if preview is not None:
            preview.attach(application.bot_data["runtime"], settings)  # lesson edits reach the bot
        try:
            await _until_stopped()
        finally:
            await stop_bot(application)
    finally:
        if preview is not None:
            await preview.stop()
        await db.close()


def run_command(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = load_settings()
    try:
        course = load_course(settings.lessons_dir)
    except CourseError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print("The lessons have errors; fix them and start again.", file=sys.stderr)
        return 1
    compile_catalogs(settings.locales_dir)
    asyncio.run(serve(settings, course))
    return 0
