"""Telegram's flood limits, as the emulator enforces them when asked to (flood mode).

Two token buckets: one for the bot (about 30 messages a second) and one per
private chat (about one a second, after a short burst). A message that finds
its bucket empty is answered 429 with a ``retry_after``, and the bucket stays
shut for that whole time: every message to it meanwhile gets a 429 too, with
the time that is left, as Telegram does. Off unless the emulator is started
with ``flood=True``, so tests that do not test it are not slowed down.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.emulator.errors import ApiError, default_description

SENDING = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendMediaGroup",
        "sendDocument",
        "sendVoice",
        "sendAudio",
        "sendVideo",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "copyMessage",
        "forwardMessage",
    }
)


@dataclass
class Bucket:
    rate: float
    capacity: float
    tokens: float
    updated: float
    shut_until: float = 0.0

    def take(self, now: float, penalty: float) -> float:
        """0 when a message may go; else the seconds it must wait (the bucket shuts)."""
        if now < self.shut_until:
            return self.shut_until - now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        self.shut_until = now + penalty
        return penalty


@dataclass
class FloodLimits:
    per_bot: float = 30.0
    bot_burst: float = 30.0
    per_chat: float = 1.0
    chat_burst: float = 3.0
    penalty: float = 1.0
    """How long a bucket stays shut after a 429 (Telegram's retry_after)."""
    clock: Callable[[], float] = time.monotonic
    rejected: int = 0
    _bot: Bucket | None = None
    _chats: dict[int, Bucket] = field(default_factory=dict)

    def check(self, method: str, chat_id: int | None) -> None:
        """Raise a 429 when the bot's or the chat's bucket is empty or shut."""
        if method not in SENDING:
            return
        now = self.clock()
        if self._bot is None:
            self._bot = Bucket(self.per_bot, self.bot_burst, self.bot_burst, now)
        wait = self._bot.take(now, self.penalty)
        if not wait and chat_id is not None and chat_id > 0:
            chat = self._chats.get(chat_id)
            if chat is None:
                chat = self._chats[chat_id] = Bucket(
                    self.per_chat, self.chat_burst, self.chat_burst, now
                )
            wait = chat.take(now, self.penalty)
        if wait:
            self.rejected += 1
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, default_description(429, seconds), seconds)
