"""`make bench`: the bot's throughput and latency beside a bare PTB echo bot.

Two processes share the machine's two cores the way production would share
Telegram and the bot: a driver process runs the emulator and N simulated
participants who act through its state directly (so the load costs the bot's
process nothing), and this process runs the bot. The same driver then runs
against a bare python-telegram-bot echo bot with PTB's default settings, and
the ratio of the two throughputs is printed on a line of its own. Neither bot
uses AIORateLimiter here: it would hold both at Telegram's 30 a second.

Latency is measured from an update being queued to the bot's first reply to it
being recorded by the emulator.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.broadcast import bench_broadcast
from bench.reports import bench_reports
from bot.config import load_settings
from bot.course.loader import load_course
from bot.i18n.catalogs import compile_catalogs
from bot.telegram.context import BotApplication

TOKEN = "1000000002:bench-token"
ACTIONS_PER_PARTICIPANT = 30


@dataclass(frozen=True)
class Result:
    name: str
    updates: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

    def line(self) -> str:
        return (
            f"{self.name:<10} {self.updates:>6} updates in {self.seconds:6.2f} s = "
            f"{self.rate:7.1f} updates/s   latency p50 {self.percentile(50):6.1f} ms  "
            f"p95 {self.percentile(95):6.1f} ms  p99 {self.percentile(99):6.1f} ms"
        )


# ---------------------------------------------------------------- the bots


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def echo_application(url: str) -> BotApplication:
    """A bare echo bot with PTB's default settings: the framework's own yardstick."""
    application = ApplicationBuilder().token(TOKEN).base_url(f"{url}/bot").build()
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


async def run_echo(url: str, go: asyncio.Future[None]) -> None:
    application = echo_application(url)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        await go
        await application.updater.stop()
        await application.stop()


async def run_course_bot(url: str, go: asyncio.Future[None]) -> None:
    from bot.app import start_bot, stop_bot
    from bot.storage import Database

    settings = load_settings()
    course = load_course(settings.lessons_dir)
    compile_catalogs(settings.locales_dir)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(
            settings,
            bot_token=TOKEN,
            bot_api_url=f"{url}/bot",
            database=Path(folder) / "bench.sqlite3",
            webhook_url=None,
        )
        db = await Database.open(settings.database)
        application = await start_bot(settings, db, course, rate_limiter=False)
        try:
            await go
        finally:
            await stop_bot(application)
            await db.close()


def measure(kind: str, participants: int) -> Result:
    """Start a driver, run one bot against it, and collect the driver's figures."""
    driver = subprocess.Popen(
        [sys.executable, "-m", "bench.driver", kind, str(participants)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert driver.stdin is not None and driver.stdout is not None
    url = driver.stdout.readline().strip()

    async def main() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        runner = run_course_bot if kind == "course" else run_echo
        task = asyncio.create_task(runner(url, done))
        await asyncio.sleep(1.0)  # the bot is polling
        assert driver.stdin is not None and driver.stdout is not None
        driver.stdin.write("go\n")
        driver.stdin.flush()
        line = await loop.run_in_executor(None, driver.stdout.readline)
        done.set_result(None)
        await task
        figures: dict[str, Any] = json.loads(line)
        return figures

    figures = asyncio.run(main())
    driver.stdin.close()
    driver.wait(timeout=30)
    name = "this bot" if kind == "course" else "echo bot"
    return Result(name, figures["updates"], figures["seconds"], figures["latencies_ms"])


def bench_throughput(participants: int) -> list[str]:
    ours = measure("course", participants)
    echo = measure("echo", participants)
    ratio = ours.rate / echo.rate if echo.rate else 0.0
    return [
        f"{participants} simulated participants at once, {ACTIONS_PER_PARTICIPANT} updates each:",
        ours.line(),
        echo.line(),
        f"ratio: {ratio:.2f}",
    ]


def bench_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    for line in bench_throughput(args.participants):
        print(line, flush=True)
    for line in bench_reports(args.reports):  # the coaches' overview and XLSX
        print(line, flush=True)
    for line in bench_broadcast(args.broadcast):  # reminders through the scheduler
        print(line, flush=True)
    print(f"benchmark took {time.perf_counter() - started:.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--broadcast", type=int, default=1_000, help="participants reminded")
    return bench_command(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
