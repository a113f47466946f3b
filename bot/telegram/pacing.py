"""Telegram's flood limits, PTB's way: AIORateLimiter plus pacing per private chat.

AIORateLimiter holds the bot to ~30 messages a second overall and to the group
limits, and retries after a 429. It does not pace private chats, where
Telegram asks for about one message a second: a participant who taps quickly
through a lesson would otherwise draw 429s. So each private chat gets its own
leaky bucket, which allows a short burst and then one message a second.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
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


class ChatPacingRateLimiter(AIORateLimiter):
    def __init__(self, per_chat_per_second: float = 1.0, burst: int = 5, max_retries: int = 3):
        super().__init__(max_retries=max_retries)
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
        if isinstance(chat_id, int) and chat_id > 0 and endpoint in SENDING_ENDPOINTS:
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
