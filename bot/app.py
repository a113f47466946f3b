"""Running the bot: on Telegram with BOT_TOKEN, otherwise against the local emulator.

Everything runs in one asyncio loop (PTB's "custom asyncio" lifecycle), so the
database, the bot and, in the preview, the emulator and its page share it and
stop together on Ctrl-C or SIGTERM.

What can stop a start is said in one plain paragraph and an exit code, never a
traceback: the process manager restarts on failure, the operator reads why.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import replace

from telegram.error import InvalidToken, NetworkError

from bot.config import Settings, SettingsError, load_settings
from bot.course.loader import CourseError, load_course
from bot.course.model import Course
from bot.i18n.catalogs import compile_catalogs
from bot.ops.backup import BotRunning, run_lock
from bot.ops.health import HealthServer
from bot.ops.identity import IdentityError, check_username
from bot.ops.logs import setup_logging
from bot.storage import Database, DatabaseFault, SchemaError, open_database, undelivered
from bot.telegram.application import ALLOWED_UPDATES, build_application
from bot.telegram.context import BotApplication
from bot.telegram.inbox import Inbox
from bot.telegram.runtime import Runtime

log = logging.getLogger(__name__)

# Exit codes, so a process manager's log says which kind of problem stopped the start.
SWITCH_INTERVAL = 0.0005
"""Seconds a worker thread (a coach's report, an export) may hold the GIL while the
event loop waits for it. Python's 5 ms default made every await of a press wait
up to 5 ms again while a report was being built: p99 ten times as long."""

EXIT_LESSONS = 1
EXIT_SETTINGS = 2
EXIT_DATABASE = 3
EXIT_TELEGRAM = 4


async def start_bot(
    settings: Settings, db: Database, course: Course, *, rate_limiter: bool = True
) -> BotApplication:
    """Build, initialise and start the Application, polling or behind a webhook.

    ``initialize`` asks Telegram who the bot is (getMe): every invitation link
    and QR code uses that username, and a BOT_USERNAME that disagrees stops here.
    Updates come in through the durable inbox (bot/telegram/inbox.py): what a
    previous run fetched and never handled is handled first.
    """
    sys.setswitchinterval(SWITCH_INTERVAL)
    application = build_application(settings, db, course, rate_limiter=rate_limiter)
    runtime: Runtime = application.bot_data["runtime"]
    runtime.undelivered_chats = await undelivered.chats(db)
    await application.initialize()
    try:
        username = check_username(settings, application.bot.username)
    except IdentityError:
        await application.shutdown()
        raise
    runtime.settings = replace(settings, bot_username=username)
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
    if settings.health_port is not None:
        health = HealthServer(
            db, runtime.metrics, settings.timezone, probe=application.bot.get_webhook_info
        )
        await health.start(settings.health_host, settings.health_port)
        application.bot_data["health"] = health
    return application


async def stop_bot(application: BotApplication) -> None:
    """Stop fetching, handle everything fetched, then close."""
    health: HealthServer | None = application.bot_data.pop("health", None)
    if health is not None:
        await health.stop()
    updates = application.bot_data.get("inbox")
    if isinstance(updates, Inbox):
        await updates.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    runtime = application.bot_data.get("runtime")
    if isinstance(runtime, Runtime):
        await asyncio.to_thread(runtime.files.close)  # the files' process, if one started


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def database_of(settings: Settings) -> Settings:
    """Without a token the preview runs on its own file, never on the participants' one."""
    if settings.bot_token is None:
        return replace(settings, database=settings.preview_database)
    return settings


async def serve(settings: Settings, course: Course) -> None:
    """Run until stopped; without a token, inside the local preview (emulator and page)."""
    settings = database_of(settings)
    with run_lock(settings.database):
        db = await open_database(settings.database)
        preview = None
        try:
            if settings.bot_token is None:
                from bot.preview.server import start_preview

                preview = await start_preview(settings)
                settings = preview.bot_settings(settings)
            application = await start_bot(settings, db, course)
            if preview is not None:
                preview.attach(application.bot_data["runtime"], settings)  # lesson edits
            try:
                await _until_stopped()
            finally:
                await stop_bot(application)
        finally:
            if preview is not None:
                await preview.stop()
            await db.close()


def run_command(args: argparse.Namespace) -> int:
    setup_logging()
    try:
        settings = load_settings()
    except SettingsError as error:
        return _refuse(f"A setting is wrong: {error}.", EXIT_SETTINGS)
    try:
        course = load_course(settings.lessons_dir)
    except CourseError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _refuse("The lessons have errors; fix them and start again.", EXIT_LESSONS)
    except Exception as error:  # a fault in the loader: say so plainly, keep the details
        log.debug("loading the lessons failed", exc_info=True)
        return _refuse(
            f"The lessons in {settings.lessons_dir} could not be read: {error}", EXIT_LESSONS
        )
    try:
        compile_catalogs(settings.locales_dir)
    except OSError as error:  # a read-only install (ProtectSystem=strict) compiles at deploy
        log.warning("could not compile the catalogs (%s): run `make catalogs`", error.strerror)
    return start_and_wait(settings, course)


def start_and_wait(settings: Settings, course: Course) -> int:
    """Serve; a start-up fault becomes one plain message and its exit code."""
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(settings, course))
    except (DatabaseFault, SchemaError, BotRunning) as error:
        return _refuse(f"The database cannot be used: {error}", EXIT_DATABASE)
    except IdentityError as error:
        return _refuse(str(error), EXIT_TELEGRAM)
    except InvalidToken:
        return _refuse(
            "Telegram refused BOT_TOKEN: copy the token from @BotFather again.", EXIT_TELEGRAM
        )
    except NetworkError as error:
        return _refuse(f"Telegram cannot be reached ({error}): check the network.", EXIT_TELEGRAM)
    return 0


def _refuse(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code
