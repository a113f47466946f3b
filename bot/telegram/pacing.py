"""Telegram's flood limits: one smoothed budget for the bot, pacing per private chat.

AIORateLimiter keeps the group limits and retries after a 429; its own overall
limiter lets 30 messages out at once and 30 more a moment later (60 in the
first second of a digest, which Telegram answers with 429s that pause the
whole bot). So the bot's ~30 a second is spent here instead, evenly: one
message every 1/30 s, never a burst. Replies go ahead of broadcasts within that
budget: a broadcast (anything sent inside :func:`broadcasting`, which the
scheduler uses) only takes a slot that is free now, while a reply reserves the
next slot at once, so a participant who presses a button during a 1,000-message
digest waits one slot at most.

Private chats, where Telegram asks for about one message a second, each get a
leaky bucket too: a short burst, then one message a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

SENDING_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendAudio",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)


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


class ChatPacingRateLimiter(AIORateLimiter):
    def __init__(
        self,
        per_chat_per_second: float = 1.0,
        burst: int = 5,
        max_retries: int = 3,
        per_second: float = 30.0,
    ):
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self.budget = SmoothBudget(per_second)
        self._per_second = per_chat_per_second
        self._burst = burst
        self._chats: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) > 10_000:  # forget idle chats now and then
                self._chats.clear()
            period = self._burst / self._per_second
            limiter = self._chats[chat_id] = AsyncLimiter(self._burst, period)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id: Any = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        if endpoint in SENDING_ENDPOINTS:
            if isinstance(chat_id, int) and chat_id > 0:
                async with self._chat_limiter(chat_id):
                    await self.budget.acquire(_BROADCAST.get())
                    return await super().process_request(
                        callback, args, kwargs, endpoint, data, rate_limit_args
                    )
            await self.budget.acquire(_BROADCAST.get())
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
