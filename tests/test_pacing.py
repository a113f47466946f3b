"""The bot's sending budget: evenly spaced, no first-second burst, replies before broadcasts."""

from __future__ import annotations

import pytest

from bot.course.model import Course
from bot.emulator.errors import ApiError
from bot.emulator.flood import FloodLimits
from bot.telegram import callbacks
from bot.telegram.pacing import SmoothBudget


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_spaces_messages_evenly_without_a_burst() -> None:
    clock = FakeClock()
    budget = SmoothBudget(30, clock)
    delays = [budget.reserve(broadcast=False) for _ in range(60)]
    assert delays[0] == 0
    within_first_second = sum(1 for d in delays if d < 0.999)
    assert within_first_second == 30  # not 60: the limit holds from the first message


def test_a_broadcast_only_takes_a_free_slot_and_a_reply_goes_first() -> None:
    clock = FakeClock()
    budget = SmoothBudget(30, clock)
    assert budget.reserve(broadcast=True) == 0  # the slot now is free
    assert budget.reserve(broadcast=True) == -1  # the next one is not free yet: wait
    reply = budget.reserve(broadcast=False)
    assert 0 < reply <= budget.interval  # a reply waits one slot at most
    clock.now += budget.interval / 2
    assert budget.reserve(broadcast=True) == -1  # the reply's slot is taken; still waiting
    clock.now += budget.interval * 1.5
    assert budget.reserve(broadcast=True) == 0


def test_new_buttons_decode_strictly(course: Course) -> None:
    assert callbacks.decode(callbacks.window("evening"), course) == callbacks.ChooseWindow(
        "evening"
    )
    assert callbacks.decode(callbacks.pause("illness", 7), course) == callbacks.ChoosePause(
        "illness", 7
    )
    assert callbacks.decode(callbacks.end_pause(), course) == callbacks.EndPause()
    assert callbacks.decode(callbacks.continue_here(), course) == callbacks.ContinueHere()
    for forged in (
        "1w|midnight",
        "1h|illness|9",
        "1h|nap|3",
        "1a|w4-get|q-share|0|7",
        "1a|w4-get|nope|0|0",
        "1f|w4-get|q-share|0|0|5",
        "1m|later",
        "1o|secret",
    ):
        assert callbacks.decode(forged, course) is None, forged
    located = course.locate("w4-get")
    assert located is not None and located[1].quiz is not None
    question = located[1].quiz.question("q-share")
    assert question is not None
    data = callbacks.review_confidence("w4-get", question, 0, "false", "sure")
    assert callbacks.decode(data, course) == callbacks.ReviewConfidence(
        "w4-get", "q-share", 0, "false", "sure"
    )


def test_the_emulators_flood_mode_answers_429_and_stays_shut_for_the_retry_after() -> None:
    clock = FakeClock()
    flood = FloodLimits(clock=clock, penalty=2.0)
    for chat in range(1, 31):
        flood.check("sendMessage", chat)  # 30 chats at once: the bot's burst
    with pytest.raises(ApiError) as refused:
        flood.check("sendMessage", 99)
    assert refused.value.error_code == 429 and refused.value.retry_after == 2
    clock.now += 1.5  # refilled, but still shut for the rest of the retry_after
    with pytest.raises(ApiError) as again:
        flood.check("sendMessage", 98)
    assert again.value.retry_after == 1
    clock.now += 0.6
    flood.check("sendMessage", 98)
    flood.check("getUpdates", None)  # not a message: never limited
    assert flood.rejected == 2


def test_the_emulators_flood_mode_paces_one_chat() -> None:
    clock = FakeClock()
    flood = FloodLimits(clock=clock)
    for _ in range(3):
        flood.check("sendMessage", 7)
    with pytest.raises(ApiError):
        flood.check("sendMessage", 7)
    flood_free = FloodLimits(clock=clock)
    for _ in range(10):  # one a second is always fine
        clock.now += 1
        flood_free.check("sendMessage", 8)
    assert flood_free.rejected == 0
