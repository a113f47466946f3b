"""The benchmark's load: the emulator and simulated participants in a process of their own.

`python -m bench.driver course|echo|bare N [RATE SECONDS]` prints the emulator's
URL, waits for "go" on stdin, lets N participants act through the emulator's
state (no HTTP on the load side, so the driver's own cost stays small), and
prints one JSON line of figures: updates, seconds and each update's latency.

Closed loop (no RATE): each participant acts as soon as the reply to their
last move arrived, ACTIONS_PER_PARTICIPANT times: throughput. Open loop: moves
are sent at RATE a second in all for SECONDS, each participant in their turn,
whether or not the bot keeps up: the latency is handling time, not queueing.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from typing import Any

from bench.simulation import Press, SimulatedParticipant
from bot.config import load_settings
from bot.course.loader import load_course
from bot.course.model import Course
from bot.emulator.server import Emulator
from bot.emulator.state import EmulatorState
from bot.telegram import callbacks

ACTIONS_PER_PARTICIPANT = 20
FIRST_USER = 10_000
QUIET_SECONDS = 0.02


class Replies:
    """Wakes a participant when the bot changes what they see: a new message or an edit.

    An answer to a button press alone is not a reply: the person is still waiting
    for the next card. After the first visible change the participant waits until
    the bot has been quiet a moment, so they never act on a half-arrived reply.
    """

    def __init__(self, state: EmulatorState):
        self.state = state
        self.events: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.changed_at: dict[int, float] = {}
        self.before: dict[int, int] = {}
        state.subscribe(self.changed)

    def seen(self, user_id: int) -> int:
        """A fingerprint of the bot's messages as the person sees them."""
        chat = self.state.chats.get(user_id)
        if chat is None:
            return 0
        return hash(
            tuple(
                (m["message_id"], m["text"], m["caption"], str(m["buttons"]))
                for m in self.state.chat_view(user_id)["messages"]
                if m["from"] == "bot"
            )
        )

    def changed(self, user_id: int) -> None:
        if user_id in self.before and self.seen(user_id) != self.before[user_id]:
            self.changed_at.setdefault(user_id, time.perf_counter())
            self.events[user_id].set()

    async def wait(self, user_id: int) -> float | None:
        """When the first visible reply came (None if none came), once the bot is done."""
        try:
            await asyncio.wait_for(self.events[user_id].wait(), 30)
        except TimeoutError:
            self.before.pop(user_id, None)
            return None
        first = self.changed_at.pop(user_id)
        while True:  # let the rest of the reply arrive before acting again
            self.events[user_id].clear()
            try:
                await asyncio.wait_for(self.events[user_id].wait(), QUIET_SECONDS)
            except TimeoutError:
                break
            self.before[user_id] = self.seen(user_id)
        self.before.pop(user_id, None)
        self.changed_at.pop(user_id, None)
        return first

    def expect(self, user_id: int, before: int) -> None:
        self.events[user_id].clear()
        self.changed_at.pop(user_id, None)
        self.before[user_id] = before


async def participant(
    state: EmulatorState,
    replies: Replies,
    course: Course | None,
    user_id: int,
    kind: str = "course",
    turns: list[float] | None = None,
) -> list[float]:
    """One person's moves; with ``turns`` (perf_counter times) each waits for its turn."""
    latencies = []
    for n in range(ACTIONS_PER_PARTICIPANT if turns is None else len(turns)):
        if turns is not None:
            await asyncio.sleep(max(0.0, turns[n] - time.perf_counter()))
        before = replies.seen(user_id)
        started = time.perf_counter()
        if kind == "echo":
            state.user_message(user_id, f"hello {n}", first_name="Echo")
        elif kind == "bare":
            if not press_only_button(state, user_id, n):
                break
        elif course is not None and not act(state, course, user_id, n):
            # the pressed card lost its buttons and the next one is still on its way
            replies.expect(user_id, before)
            if await replies.wait(user_id) is None or not act(state, course, user_id, n):
                break
            before = replies.seen(user_id)
        replies.expect(user_id, before)
        first = await replies.wait(user_id)
        if first is not None:
            latencies.append((first - started) * 1000)
    return latencies


def newest_card(state: EmulatorState, user_id: int) -> dict[str, Any] | None:
    """The bot's newest message in the chat that has buttons: what a person would tap."""
    messages = [m for m in state.chat_view(user_id)["messages"] if m["from"] == "bot"]
    found: dict[str, Any] | None = next((m for m in reversed(messages) if m.get("buttons")), None)
    return found


def press_only_button(state: EmulatorState, user_id: int, n: int) -> bool:
    """The bare bot's flow: /start, then the one button of the newest card, again and again."""
    if n == 0:
        state.user_message(user_id, "/start", first_name="Amina", language_code="sv")
        return True
    last = newest_card(state, user_id)
    if last is None:
        return False
    state.user_press(user_id, last["message_id"], last["buttons"][0][0]["data"])
    return True


def act(state: EmulatorState, course: Course, user_id: int, n: int) -> bool:
    """One move of a participant taking the course: /start, language, consent, then lessons."""
    if n == 0:
        state.user_message(user_id, "/start", first_name="Amina", language_code="sv")
        return True
    last = newest_card(state, user_id)
    if last is None:
        return False
    setting = next(
        (b["data"] for row in last["buttons"] for b in row if b["data"].startswith("1S")), None
    )
    if setting is not None:
        wanted = callbacks.language("sv") if "lang" in setting else callbacks.consent(True)
        state.user_press(user_id, last["message_id"], wanted)
        return True
    player = SimulatedParticipant(None, course, user_id)  # type: ignore[arg-type]
    choice = player.choose(last)
    if choice == "upload":
        state.user_upload(user_id, "document", ("CV.pdf", "application/pdf", b"%PDF-1.4"))
        return True
    if not isinstance(choice, Press):
        return False
    state.user_press(user_id, choice.message_id, choice.data)
    return True


def schedule(participants: int, rate: float, seconds: float, start: float) -> list[list[float]]:
    """Open loop: the k-th move of all is sent at start + k / rate, people taking turns."""
    turns: list[list[float]] = [[] for _ in range(participants)]
    for k in range(int(rate * seconds)):
        turns[k % participants].append(start + k / rate)
    return turns


async def main(kind: str, participants: int, rate: float | None, seconds: float) -> None:
    course = load_course(load_settings().lessons_dir) if kind == "course" else None
    async with Emulator() as emulator:
        print(emulator.url, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.readline)
        replies = Replies(emulator.state)
        started = time.perf_counter()
        users = range(FIRST_USER, FIRST_USER + participants)
        turns = None if rate is None else schedule(participants, rate, seconds, started)
        results = await asyncio.gather(
            *(
                participant(
                    emulator.state,
                    replies,
                    course,
                    u,
                    kind,
                    None if turns is None else turns[i],
                )
                for i, u in enumerate(users)
            )
        )
        seconds = time.perf_counter() - started
        latencies = [x for r in results for x in r]
        figures: dict[str, Any] = {
            "updates": len(latencies),
            "seconds": seconds,
            "latencies_ms": latencies,
        }
        print(json.dumps(figures), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)  # the bot has stopped


if __name__ == "__main__":
    open_loop = len(sys.argv) > 3
    rate = float(sys.argv[3]) if open_loop else None
    seconds = float(sys.argv[4]) if open_loop else 0.0
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), rate, seconds))
