"""`make bench`: this bot beside the framework's own echo bot, and the coaches' reports.

Every figure is min / median / max over repeated runs, the bots' runs
interleaved so a busy moment of the machine falls on all of them alike. Two
processes share the machine's two cores the way production would share
Telegram and the bot: a driver process runs the emulator and simulated
participants who act through its state directly (so the load costs the bot's
process nothing), and a bot process (bench/bot.py) runs one bot. No bot uses
the rate limiter here: it would hold every one at Telegram's 30 a second.

Printed, side by side in one run:
- throughput of the participant flow (presses with keyboards, closed loop),
  beside the default PTB echo bot, the echo bot with this bot's request
  backend and concurrency, and a bare bot making the same calls as this one;
- latency at an open-loop 20 updates/s (update queued to the first reply seen),
  alone and while a coach exports the biggest group over and over;
- the bot's resident memory with 10,000 participants stored;
- the broadcast through the scheduler;
- the coach views and exports at 10,000 participants × 10 weeks;
- course loading with all catalogs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench.broadcast import bench_broadcast
from bench.driver import ACTIONS_PER_PARTICIPANT
from bench.reports import bench_course_loading, bench_reports, spread

OPEN_RATE = 20.0
OPEN_PEOPLE = 100


@dataclass(frozen=True)
class Run:
    updates: int
    seconds: float
    latencies_ms: list[float]
    memory: dict[str, float]

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def measure(
    kind: str, participants: int, bot: list[str], open_loop: tuple[float, float] | None
) -> Run:
    """Start a driver and a bot process against it; the driver's figures and the bot's memory."""
    load = [] if open_loop is None else [str(open_loop[0]), str(open_loop[1])]
    driver = subprocess.Popen(
        [sys.executable, "-m", "bench.driver", kind, str(participants), *load],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert driver.stdin is not None and driver.stdout is not None
    url = driver.stdout.readline().strip()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.bot", bot[0], url, *bot[1:]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        ready = process.stdout.readline().strip()
        if ready != "ready":
            raise RuntimeError(f"the bot {bot[0]} did not start")
        time.sleep(1.0 if len(bot) == 1 else 6.0)  # polling; a big installation's start jobs done
        driver.stdin.write("go\n")
        driver.stdin.flush()
        figures: dict[str, Any] = json.loads(driver.stdout.readline())
        process.stdin.write("stop\n")
        process.stdin.flush()
        memory: dict[str, float] = json.loads(process.stdout.readline())
        process.wait(timeout=30)
    finally:
        driver.stdin.close()
        driver.wait(timeout=30)
        if process.poll() is None:
            process.kill()
    return Run(figures["updates"], figures["seconds"], figures["latencies_ms"], memory)


def rates(runs: list[Run]) -> str:
    return spread([r.rate for r in runs]).replace(".000", "")


def _spread_of(values: list[float], digits: int = 1) -> str:
    ordered = sorted(values)
    return " / ".join(
        f"{v:.{digits}f}" for v in (ordered[0], statistics.median(ordered), ordered[-1])
    )


def postgresql_for_bench() -> str | None:
    """A fresh schema on BENCH_DATABASE_URL (default: the local server's database test)."""
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

    async def answers() -> bool:
        try:
            conn = await asyncpg.connect(url, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        await conn.close()
        return True

    if not asyncio.run(answers()):
        return None
    return f"{url}?search_path=bench_{uuid.uuid4().hex[:8]}"


def drop_schema(url: str) -> None:
    base, schema = url.split("?search_path=")

    async def drop() -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(drop())


def bench_throughput(participants: int, repeats: int) -> list[str]:
    postgresql = postgresql_for_bench()
    bots = {
        "this bot": ("course", ["course"]),
        **({"this bot, PostgreSQL": ("course", ["course", postgresql])} if postgresql else {}),
        "bare bot, same calls": ("bare", ["bare"]),
        "echo bot, PTB defaults": ("echo", ["echo"]),
        "echo bot, tuned": ("echo", ["echo-tuned"]),
    }
    runs: dict[str, list[Run]] = {name: [] for name in bots}
    for _ in range(repeats):  # interleaved
        for name, (kind, bot) in bots.items():
            fresh = postgresql_for_bench() if postgresql and postgresql in bot else None
            try:
                command = [fresh if arg == postgresql else arg for arg in bot] if fresh else bot
                runs[name].append(measure(kind, participants, command, None))
            finally:
                if fresh:  # each run starts from an empty schema, as SQLite's from a new file
                    drop_schema(fresh)
    median = {name: statistics.median(r.rate for r in found) for name, found in runs.items()}
    lines = [
        f"participant flow, {participants} people at once, {ACTIONS_PER_PARTICIPANT} updates"
        f" each, closed loop ({repeats} runs; updates/s min / median / max):",
        *(f"  {name:<24} {_spread_of([r.rate for r in found])}" for name, found in runs.items()),
        "  this bot and the bare and tuned echo bots: aiohttp request, 16 updates at once"
        " (one per person); the default echo bot: HTTPXRequest, one update at a time",
        f"  ratio to the default echo bot (PTB defaults for concurrency there, tuned here):"
        f" {median['this bot'] / median['echo bot, PTB defaults']:.2f}",
        f"  ratio to the tuned echo bot (both tuned):"
        f" {median['this bot'] / median['echo bot, tuned']:.2f}",
        f"  ratio to the bare bot making the same calls (the project's own overhead):"
        f" {median['this bot'] / median['bare bot, same calls']:.2f}",
    ]
    if postgresql:
        lines.append(
            "  this bot on PostgreSQL (one server on the same machine) ÷ on SQLite:"
            f" {median['this bot, PostgreSQL'] / median['this bot']:.2f}"
        )
    else:
        lines.append("  no PostgreSQL answered (BENCH_DATABASE_URL): SQLite only")
    return lines


def bench_latency(database: Path, group_id: int, seconds: float, repeats: int) -> list[str]:
    open_loop = (OPEN_RATE, seconds)
    alone: list[Run] = []
    exporting: list[Run] = []
    for _ in range(repeats):
        alone.append(measure("course", OPEN_PEOPLE, ["course", str(database)], open_loop))
        exporting.append(
            measure("course", OPEN_PEOPLE, ["course", str(database), str(group_id)], open_loop)
        )
    lines = [
        f"latency at an open-loop {OPEN_RATE:.0f} updates/s for {seconds:.0f} s, 10,000"
        f" participants stored ({repeats} runs; ms, min / median / max):",
    ]
    for name, found in (("alone", alone), ("while a coach exports", exporting)):
        cells = "   ".join(
            f"p{p} {_spread_of([r.percentile(p) for r in found])}" for p in (50, 95, 99)
        )
        lines.append(f"  {name:<22} {cells}")
    lines.append(
        "  bot's memory (RSS, MB): alone "
        f"{_spread_of([r.memory['rss_mb'] for r in alone], 0)}, peak while exporting "
        f"{_spread_of([r.memory['peak_mb'] for r in exporting], 0)}; the files' process"
        f" at its peak {_spread_of([r.memory['children_peak_mb'] for r in exporting], 0)}"
    )
    return lines


def build(path: Path, n: int) -> tuple[int, str]:
    """The 10,000-participant installation, written by a process of its own."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.population", str(path), str(n)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(out)
    took = time.perf_counter() - started
    return int(figures["group_id"]), (
        f"{n} participants × 10 weeks stored: {figures['answers']} answers,"
        f" {figures['quiz_runs']} quiz runs (written in {took:.0f} s)"
    )


def bench_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    for line in bench_throughput(args.participants, args.repeats):
        print(line, flush=True)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "installation.sqlite3"
        group_id, built = build(database, args.reports)
        print(built, flush=True)
        for line in bench_latency(database, group_id, args.seconds, args.repeats):
            print(line, flush=True)
        for line in bench_reports(database, group_id, args.reports, args.repeats):
            print(line, flush=True)
    for line in bench_broadcast(args.broadcast):  # reminders through the scheduler
        print(line, flush=True)
    for line in bench_course_loading(args.repeats):
        print(line, flush=True)
    print(f"benchmark took {time.perf_counter() - started:.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0, help="each open-loop run")
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--broadcast", type=int, default=1_000, help="participants reminded")
    return bench_command(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
