"""Telegram's flood limits and faults, PTB's way: one rate limiter around every Bot API call.

PTB hands every call to the Application's rate limiter, so this is where the
bot keeps to Telegram's pace and survives its bad moments:

- Pacing (when on): about 30 messages a second overall, and a leaky bucket per
  private chat (a short burst, then about one a second), so a participant who
  taps quickly through a lesson does not draw 429s.
- A 429 is waited out for the chat it names only. PTB's AIORateLimiter pauses
  every request of the bot for the retry_after (one participant's flood control
  stopped all chats for 7.8 s); here only calls to that chat wait, the others go on.
- Server errors (5xx), timeouts and network errors are tried again with
  exponential backoff and jitter, a bounded number of times; then the error goes
  up to the sender (bot/telegram/sending.py), which keeps the message for later.
  A retried sendMessage after a timeout may arrive twice (Telegram has no
  idempotency key for it); a lost reply is worse than a repeated one.

getUpdates is passed through untouched: the inbox's fetch loop has its own rules;
answerCallbackQuery is tried once (a late answer stops no spinner).

The bot's ~30 messages a second are spent evenly (:class:`SmoothBudget`): one
message every 1/30 s, never a burst of 60 in the first second of a digest, which
Telegram answers with 429s. Replies go ahead of broadcasts within that budget: a
broadcast (anything sent inside :func:`broadcasting`, which the scheduler uses)
only takes a slot that is free now, while a reply reserves the next slot at once,
so a participant who presses a button during a 1,000-message digest waits one
slot at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

SENDING_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendMediaGroup",
        "sendDocument",
        "sendVoice",
        "sendAudio",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)
# Tried once only: an answer that comes late stops no spinner, and the person's next
# update waits for it (bot/telegram/sending.py answer_alongside).
TRIED_ONCE = frozenset({"answerCallbackQuery"})
# How many 429s one call waits out before it gives up (then the message is kept
# to be sent again later): Telegram's retry_after is honest, so this is generous.
FLOOD_RETRIES = 8

Result = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Backoff:
    """How often and how patiently a call that failed on the way is tried again."""

    attempts: int = 5
    """Tries in all, the first included."""
    first_delay: float = 0.5
    cap: float = 8.0

    def delay(self, retry: int) -> float:
        """The pause before try ``retry + 2``: doubling, half of it random (equal jitter)."""
        ceiling = min(self.cap, self.first_delay * 2.0**retry)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def is_transient(error: Exception) -> bool:
    """A fault on the way (5xx, timeout, network) that a later try may not meet."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


_BROADCAST: ContextVar[bool] = ContextVar("broadcast", default=False)


@contextlib.contextmanager
def broadcasting() -> Iterator[None]:
    """Messages sent inside this block yield to replies (the scheduler's sends)."""
    token = _BROADCAST.set(True)
    try:
        yield
    finally:
        _BROADCAST.reset(token)


class SmoothBudget:
    """``per_second`` messages a second, spaced evenly, replies first."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1 / per_second
        self._clock = clock
        self._next = 0.0

    def reserve(self, broadcast: bool) -> float:
        """The delay until this message's slot, or -1 when a broadcast must wait and ask again."""
        now = self._clock()
        if broadcast and self._next > now:
            return -1
        slot = max(now, self._next)
        self._next = slot + self.interval
        return slot - now

    async def acquire(self, broadcast: bool) -> None:
        while (delay := self.reserve(broadcast)) < 0:
            await asyncio.sleep(max(self._next - self._clock(), 0.0))
        if delay > 0:
            await asyncio.sleep(delay)


class ChatPacingRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        per_chat_per_second: float = 1.0,
        burst: int = 5,
        *,
        pacing: bool = True,
        backoff: Backoff | None = None,
        flood_retries: int = FLOOD_RETRIES,
        per_second: float = 30.0,
    ) -> None:
        self._pacing = pacing
        self._per_second = per_chat_per_second
        self._burst = burst
        self._backoff = backoff or Backoff()
        self._flood_retries = flood_retries
        self.budget = SmoothBudget(per_second)
        self._chats: dict[int, AsyncLimiter] = {}
        self._held_until: dict[int, float] = {}

    async def initialize(self) -> None:
        """Nothing to open: the limiters are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        if endpoint == "getUpdates":
            return await callback(*args, **kwargs)
        chat_id = _chat_id(data)
        floods = failures = 0
        while True:
            await self._wait_out_flood(chat_id)
            try:
                async with self._paced(chat_id, endpoint):
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                floods += 1
                if floods > self._flood_retries:
                    raise
                seconds = error._retry_after.total_seconds()  # as AIORateLimiter reads it
                log.info("429 on %s for chat %s: waiting %.1f s", endpoint, chat_id, seconds)
                await self._hold(chat_id, seconds)
            except NetworkError as error:
                failures += 1
                if (
                    not is_transient(error)
                    or endpoint in TRIED_ONCE
                    or failures >= self._backoff.attempts
                ):
                    raise
                delay = self._backoff.delay(failures - 1)
                log.info("%s failed (%s); try %d in %.2f s", endpoint, error, failures + 1, delay)
                await asyncio.sleep(delay)

    async def _hold(self, chat_id: int | None, seconds: float) -> None:
        """Nothing more goes to this chat until its retry_after has passed (others go on).

        A call that names no chat (answerCallbackQuery, say) waits on its own.
        """
        if chat_id is None:
            await asyncio.sleep(seconds)
            return
        until = asyncio.get_running_loop().time() + seconds + 0.05
        self._held_until[chat_id] = max(until, self._held_until.get(chat_id, 0.0))

    async def _wait_out_flood(self, chat_id: int | None) -> None:
        if chat_id is None:
            return
        loop = asyncio.get_running_loop()
        while (until := self._held_until.get(chat_id)) is not None:
            delay = until - loop.time()
            if delay <= 0:
                del self._held_until[chat_id]
                return
            await asyncio.sleep(delay)

    @contextlib.asynccontextmanager
    async def _paced(self, chat_id: int | None, endpoint: str) -> AsyncIterator[None]:
        if not self._pacing or chat_id is None:
            yield
            return
        if chat_id > 0 and endpoint in SENDING_ENDPOINTS:
            async with self._chat_limiter(chat_id):
                await self.budget.acquire(_BROADCAST.get())
                yield
            return
        await self.budget.acquire(_BROADCAST.get())
        yield

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) > 10_000:  # forget idle chats now and then
                self._chats.clear()
            period = self._burst / self._per_second
            limiter = self._chats[chat_id] = AsyncLimiter(self._burst, period)
        return limiter


def _chat_id(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
