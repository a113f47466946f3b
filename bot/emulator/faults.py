"""Injected failures: flood control, a user who blocked the bot, a server error, a hang.

A bot has to survive these in production (PTB raises RetryAfter, Forbidden,
NetworkError), and they cannot be provoked against the real Telegram on demand.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from bot.emulator.errors import ApiError, default_description


@dataclass
class Fault:
    """The next ``times`` matching calls fail (forever while times is None).

    A fault without a method matches only the methods that address a chat, so a
    blocked user does not also break the bot's getUpdates or setMyCommands.
    With ``hang`` the call never answers (a request slower than the bot's read
    timeout): it ends when the bot gives up and closes the connection.
    """

    error_code: int
    method: str | None = None
    user_id: int | None = None
    retry_after: int = 1
    times: int | None = None
    description: str | None = None
    hang: bool = False

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        if self.method is None and chat_id is None:
            return False
        return self.user_id is None or self.user_id == chat_id

    def error(self) -> ApiError:
        description = self.description or default_description(self.error_code, self.retry_after)
        retry_after = self.retry_after if self.error_code == 429 else None
        return ApiError(self.error_code, description, retry_after)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    """The active faults, checked on every Bot API call (cheap when there are none)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self, user_id: int | None = None) -> None:
        """Remove every fault, or only the ones aimed at one user."""
        if user_id is None:
            self._faults.clear()
        else:
            self._faults = [fault for fault in self._faults if fault.user_id != user_id]

    def active(self) -> list[Fault]:
        return list(self._faults)

    async def check(self, method: str, chat_id: int | None) -> None:
        """Raise (or hang on) the first matching fault, using up one of its times."""
        for fault in self._faults:
            if fault.matches(method, chat_id):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                if fault.hang:
                    await asyncio.Event().wait()  # cancelled when the bot hangs up
                raise fault.error()
