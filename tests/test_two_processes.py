"""Two bot processes on one PostgreSQL database, behind a load balancer, under load.

The deployment this guards: a webhook behind a load balancer (or a standby), each
process a real ``python -m bot run``. Telegram's webhook calls are spread over both
processes one by one, so one person's taps land on both; the scheduler runs in
two processes at once. Every update must be applied once, in order, and every
reminder sent once. Two taps on two options of one question at once are the
sharpest case: without the per-person lock in the database both processes grade
the question (two answers; seen about every other run with the lock switched off).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path

import httpx
import pytest
from aiohttp import ClientSession, web

from bench.simulation import SimulatedParticipant
from bot.course import events as ev
from bot.course.model import Course
from bot.emulator.server import Emulator
from bot.storage import open_database, participants, reminders, scheduled
from bot.telegram import callbacks
from tests import databases
from tests.conftest import ROOT, TOKEN
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import button

pytestmark = pytest.mark.postgresql_only

PEOPLE = [7_340_090_000 + n for n in range(24)]
SECRET = "two-processes"
MONDAY_MORNING = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def balancer() -> AsyncIterator[tuple[int, list[int]]]:
    """A round-robin load balancer: each webhook call to the next bot process."""
    backends = [free_port(), free_port()]
    turns = cycle(backends)
    session = ClientSession()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        port = next(turns)
        async with session.post(
            f"http://127.0.0.1:{port}{request.path}", data=body, headers=request.headers
        ) as answer:
            return web.Response(status=answer.status, body=await answer.read())

    app = web.Application()
    app.router.add_post("/{path:.*}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield port, backends
    await runner.cleanup()
    await session.close()


def bot_process(
    emulator: Emulator, database: str, tmp_path: Path, port: int, health: int, balancer: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": f"{emulator.url}/bot",
        "DATABASE": database,
        "WEBHOOK_URL": f"http://127.0.0.1:{balancer}/hook",
        "WEBHOOK_SECRET": SECRET,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "HEALTH_PORT": str(health),
        "LESSONS_DIR": str(ROOT / "lessons"),
        "LOCALES_DIR": str(ROOT / "locales"),
        "MEDIA_DIR": str(tmp_path / "media"),
        "BOT_MESSAGES_PER_SECOND": "1000",
        "CHAT_MESSAGES_PER_SECOND": "1000",
        "SEND_RETRY_DELAY": "0.01",
    }
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=ROOT)


@pytest.fixture
def database(tmp_path: Path) -> str:
    return str(databases.address(tmp_path / "shared.sqlite3"))


@pytest.fixture
async def two_bots(
    emulator: Emulator, database: str, tmp_path: Path, balancer: tuple[int, list[int]]
) -> AsyncIterator[None]:
    async with await open_database(database):  # migrated once, before either starts
        pass
    entry, backends = balancer
    healths = [free_port(), free_port()]
    processes = [
        bot_process(emulator, database, tmp_path, port, health, entry)
        for port, health in zip(backends, healths, strict=True)
    ]
    try:
        async with httpx.AsyncClient() as http:
            for health in healths:
                await until_healthy(http, health, processes)
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            assert process.wait(timeout=30) == 0, "a bot process did not stop cleanly"


async def until_healthy(
    http: httpx.AsyncClient, port: int, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Wait for the process's /healthz to say 200: it is up and has reached Telegram."""
    async with asyncio.timeout(60):
        while True:
            assert all(p.poll() is None for p in processes), "a bot process ended at start"
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # the port opens when the process is up: no event to await


async def settled(users: EmulatorClient, database: str) -> None:
    """Every webhook call answered and every stored update handled (its inbox row gone)."""
    async with asyncio.timeout(60):
        while True:
            await users.idle(timeout=60, quiet=0)
            if databases.query(database, "SELECT COUNT(*) FROM inbox") == [(0,)]:
                await users.idle(timeout=60, quiet=0)
                return
            await asyncio.sleep(0.05)  # the other processes' handling is seen in the database


async def texts(users: EmulatorClient, user: int) -> list[str]:
    return [str(m.get("text") or m.get("caption") or "") for m in await users.bot_messages(user)]


async def test_two_processes_apply_every_update_once_and_send_every_reminder_once(
    two_bots: None, users: EmulatorClient, database: str, course: Course
) -> None:
    # Everyone joins at once; each step is one update per person, spread over both.
    await asyncio.gather(*(users.send(u, "/start", first_name="Deltagare") for u in PEOPLE))
    await settled(users, database)
    for choice in (callbacks.language("sv"), callbacks.consent(True), callbacks.window("none")):
        presses = [await button(users, u, choice) for u in PEOPLE]
        await asyncio.gather(*(users.press(u, *p) for u, p in zip(PEOPLE, presses, strict=True)))
        await settled(users, database)
    joined = [await texts(users, u) for u in PEOPLE]
    assert all(seen == joined[0] for seen in joined), "someone got a message twice or not at all"
    assert databases.query(database, "SELECT COUNT(*) FROM participants") == [(len(PEOPLE),)]

    # Everyone taps two options of a question at once; the balancer gives each tap to the
    # other process. One is graded, the other finds the question answered: one answer each.
    questions = await at_a_question(users, database, course)
    await asyncio.gather(
        *(
            users.press(u, message, data)
            for u, (message, taps) in questions.items()
            for data in taps
        )
    )
    await settled(users, database)
    for user in PEOPLE:
        ((answered,),) = databases.query(
            database,
            "SELECT COUNT(*) FROM answers a JOIN participants p ON p.id = a.participant_id"
            " WHERE p.telegram_id = ?",
            user,
        )
        assert answered == 1, f"two taps at once gave {answered} answers"

    # Three commands each, sent together: the balancer hands them to both processes in
    # turn, and the person's lock in the database keeps each person's in order.
    before = {u: len(await texts(users, u)) for u in PEOPLE}
    for command in ("/progress", "/help", "/progress"):
        await asyncio.gather(*(users.send(u, command, first_name="Deltagare") for u in PEOPLE))
    await settled(users, database)
    answered = [(await texts(users, u))[before[u] :] for u in PEOPLE]
    assert all(len(seen) == len(answered[0]) for seen in answered), answered
    assert all(seen == answered[0] for seen in answered), "replies out of order or twice"

    # A reminder for everyone, due now; the scheduler runs in two processes at once.
    async with await open_database(database) as db:
        people = [await participants.get_by_telegram_id(db, u) for u in PEOPLE]
        items = [
            scheduled.NewItem(
                f"week:{p.id}:w02",
                "week_open",
                p.telegram_id,
                MONDAY_MORNING,
                participant_id=p.id,
                payload={"week": "w02"},
            )
            for p in people
            if p is not None
        ]
        for person in people:
            assert person is not None
            await reminders.set_window(db, person.id, "none")
        await scheduled.add(db, items, MONDAY_MORNING)
    before = {u: len(await texts(users, u)) for u in PEOPLE}
    runs = await asyncio.gather(*(run_due(database, users.base_url) for _ in range(2)))
    assert sum(sent for sent in runs) == len(PEOPLE), runs
    await users.idle(quiet=0)
    for user in PEOPLE:
        assert len(await texts(users, user)) - before[user] == 1, "a reminder twice or never"


async def at_a_question(
    users: EmulatorClient, database: str, course: Course
) -> dict[int, tuple[int, list[str]]]:
    """Everyone reads on to their first one-answer question: its message and two options."""
    players = {u: SimulatedParticipant(users, course, u) for u in PEOPLE}
    found: dict[int, tuple[int, list[str]]] = {}
    for _ in range(60):
        moves = []
        for user, player in players.items():
            if user in found:
                continue
            message = await player.last_with_buttons()
            assert message is not None
            options = [
                b["data"]
                for row in message["buttons"]
                for b in row
                if isinstance(callbacks.decode(b.get("data", ""), course, str(user)), ev.Choose)
            ]
            if len(options) >= 2:
                found[user] = (message["message_id"], options[:2])
            else:
                moves.append(player.step())
        if len(found) == len(PEOPLE):
            return found
        await asyncio.gather(*moves)
        await settled(users, database)
    stuck = [u for u in PEOPLE if u not in found]
    last = await players[stuck[0]].last_with_buttons()
    raise AssertionError(f"{len(stuck)} never reached a question; the last: {last}")


async def run_due(database: str, emulator_url: str) -> int:
    """``python -m bot jobs run-due`` in a process of its own; how many it sent."""
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": f"{emulator_url}/bot",
        "DATABASE": database,
        "LESSONS_DIR": str(ROOT / "lessons"),
        "LOCALES_DIR": str(ROOT / "locales"),
        "BOT_MESSAGES_PER_SECOND": "1000",
        "CHAT_MESSAGES_PER_SECOND": "1000",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "jobs",
        "run-due",
        "--now",
        MONDAY_MORNING.isoformat(),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    return sent_of(out.decode())


def sent_of(line: str) -> int:
    """The ``sent`` figure of run-due's summary line."""
    words = line.replace(",", " ").split()
    return int(words[words.index("sent") + 1]) if "sent" in words else 0
