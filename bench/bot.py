"""One bot of the benchmark in a process of its own: `python -m bench.bot KIND URL [DB]`.

KIND is ``course`` (this bot, as deployed: the project's request backend over
aiohttp, 16 updates at once, one at a time per person), ``echo`` (a bare PTB
echo bot with PTB's defaults: HTTPXRequest, one update at a time), ``echo-tuned``
(the same echo bot with this bot's request backend and concurrency) or ``bare``
(a bot making the same Bot API calls per press as this one, with its settings,
but no engine and no storage: the project's own overhead is the difference).

``course`` with DB runs on a copy of that database; with ``--coach-export`` a
coach exports the biggest group (report and XLSX) over and over meanwhile.
Prints "ready" once polling, waits for a line on stdin, stops, and prints one
JSON line: the process's resident memory now and at its peak (MB).
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import database_address, load_settings
from bot.course.loader import load_course
from bot.i18n.catalogs import compile_catalogs
from bot.telegram.application import CONCURRENT_UPDATES
from bot.telegram.processor import PerUserUpdateProcessor
from bot.telegram.request import AiohttpRequest

TOKEN = "1000000002:bench-token"
BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("Nästa ▶", callback_data="bare")]])


def memory_mb() -> dict[str, float]:
    """Resident memory of this process now (VmRSS) and at its peak (VmHWM), in MB."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found["rss_mb" if key == "VmRSS" else "peak_mb"] = int(value.split()[0]) / 1024
    # The coaches' files are made in a process of their own (bot.coach_files), ended with
    # the bot: its peak counts here once it is gone.
    found["children_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return found


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def _bare_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message:
        await update.effective_message.reply_text("Välkommen!", reply_markup=BUTTON)


async def _bare_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What this bot does for a press: answer it alongside, close the card, send the next."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    answering = asyncio.create_task(query.answer())
    await context.bot.edit_message_reply_markup(query.message.chat.id, query.message.message_id)
    await context.bot.send_message(query.message.chat.id, "Nästa steg.", reply_markup=BUTTON)
    await answering


def _tuned(builder: ApplicationBuilder) -> ApplicationBuilder:  # type: ignore[type-arg]
    """This bot's request backend and concurrency (bot/telegram/application.py)."""
    return (
        builder.concurrent_updates(PerUserUpdateProcessor(CONCURRENT_UPDATES))
        .request(AiohttpRequest(CONCURRENT_UPDATES + 4))
        .get_updates_request(AiohttpRequest(1))
    )


def yardstick(kind: str, url: str) -> Application:  # type: ignore[type-arg]
    builder = ApplicationBuilder().token(TOKEN).base_url(f"{url}/bot")
    if kind != "echo":
        builder = _tuned(builder)
    application = builder.build()
    if kind == "bare":
        application.add_handler(MessageHandler(filters.TEXT, _bare_text))
        application.add_handler(CallbackQueryHandler(_bare_press))
    else:
        application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


async def run_yardstick(kind: str, url: str) -> None:
    application = yardstick(kind, url)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        await _serve()
        await application.updater.stop()
        await application.stop()


async def _serve() -> None:
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def _export_forever(application: Application, group_id: int) -> None:  # type: ignore[type-arg]
    """A coach exporting the group again and again, the way the export button does."""
    from bot.clock import utc_now
    from bot.coach_files import FileKind, FileOrder
    from bot.telegram.runtime import Runtime

    rt: Runtime = application.bot_data["runtime"]
    while True:
        order = FileOrder(
            kind=FileKind.XLSX,
            database=rt.db.address,
            group_id=group_id,
            locales_dir=rt.settings.locales_dir,
            language="sv",
            coach="Bench",
            now=utc_now(),
            quiet_days=rt.settings.quiet_days,
            timezone=rt.settings.timezone,
        )
        await rt.files.make(rt.db, rt.course, order)


async def run_course_bot(url: str, database: Path | str | None, export_group: int | None) -> None:
    from bot.app import start_bot, stop_bot
    from bot.storage import open_database

    settings = load_settings()
    course = load_course(settings.lessons_dir)
    compile_catalogs(settings.locales_dir)
    with tempfile.TemporaryDirectory() as folder:
        path: Path | str = Path(folder) / "bench.sqlite3"
        if isinstance(database, str):  # a PostgreSQL URL: the bot runs on that server
            path = database
        elif database is not None:
            shutil.copyfile(database, path)
        settings = replace(
            settings, bot_token=TOKEN, bot_api_url=f"{url}/bot", database=path, webhook_url=None
        )
        db = await open_database(settings.database)
        application = await start_bot(settings, db, course, rate_limiter=False)
        coach = None
        if export_group is not None:
            coach = asyncio.create_task(_export_forever(application, export_group))
        try:
            await _serve()
        finally:
            if coach is not None:
                coach.cancel()
            await stop_bot(application)
            await db.close()


def main(argv: list[str]) -> None:
    kind, url, *rest = argv
    if kind == "course":
        database = database_address(rest[0]) if rest and rest[0] != "-" else None
        export_group = int(rest[1]) if len(rest) > 1 else None
        asyncio.run(run_course_bot(url, database, export_group))
    else:
        asyncio.run(run_yardstick(kind, url))
    figures: dict[str, Any] = memory_mb()
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
