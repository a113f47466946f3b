"""One person's updates in order, many people's at once: PTB's update processor hook.

python-telegram-bot hands every update to an update processor, which here runs up
to ``max_concurrent_updates`` at a time but never two of the same person together:
a quick double tap, a press that arrives while a language change is saved, or a
consent and a /start cannot interleave, across every handler group. The per-person
locks live only while someone waits on them, so the table does not grow.

Several bot processes may share one PostgreSQL database: ``hold`` (the
database's per-person lock) then keeps a person's updates in order across them,
and ``still_wanted`` lets an update go that another process handled meanwhile.

The processor also knows when everything it was given is handled, which is what
tests (and a clean stop) wait for instead of a quiet period, and what the durable
inbox (bot/telegram/inbox.py) hears through ``on_handled`` to let an update go.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB takes its place for an update before the update waits for its person, so a person
# whose chat is held (a 429 storm) and who keeps tapping would fill every place. PTB's
# bound is therefore only on how many updates may wait; this processor's own semaphore,
# taken once it is the person's turn, bounds how many are handled at once.
WAITING_PER_HANDLED = 64


@asynccontextmanager
async def _nothing_to_hold(key: int) -> AsyncIterator[None]:
    yield


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates * WAITING_PER_HANDLED)
        self._handling = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._in_flight = 0
        self._highest_started = 0
        self._changed = asyncio.Condition()
        self.on_handled: Callable[[object], Awaitable[None]] | None = None
        """Called once an update is handled (not when its handling is cancelled)."""
        self.hold: Callable[[int], AbstractAsyncContextManager[None]] = _nothing_to_hold
        """Held around a person's update, beside the process's own lock for them."""
        self.still_wanted: Callable[[object], Awaitable[bool]] | None = None
        """Asked once the person is held: False drops an update handled elsewhere."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the person's turn, then handle; the person's lock lives while it is wanted.

        PTB enters this in the order updates were fetched (its semaphore is first in,
        first out), which is what :meth:`wait_handled` relies on.
        """
        await self._begin(update)
        try:
            key = _person(update)
            if key is None:
                async with self._handling:
                    await self._handle(update, coroutine)
                return
            self._waiting[key] = self._waiting.get(key, 0) + 1
            lock = self._locks.setdefault(key, asyncio.Lock())
            try:
                async with lock, self._handling, self.hold(key):
                    if self.still_wanted is None or await self.still_wanted(update):
                        await self._handle(update, coroutine)
                    elif isinstance(coroutine, Coroutine):
                        coroutine.close()  # handled by another process: never run
            finally:
                self._waiting[key] -= 1
                if not self._waiting[key]:
                    del self._waiting[key]
                    del self._locks[key]
        finally:
            await self._end()

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine
        if self.on_handled is not None:
            await self.on_handled(update)

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to release: every lock is gone once its updates are handled."""

    async def _begin(self, update: object) -> None:
        async with self._changed:
            self._in_flight += 1
            if isinstance(update, Update):
                self._highest_started = max(self._highest_started, update.update_id)
            self._changed.notify_all()

    async def _end(self) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    async def wait_started(self, update_id: int) -> None:
        """Return once update ``update_id`` has reached the processor (it may still wait)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._highest_started >= update_id)

    async def wait_handled(self, update_id: int) -> None:
        """Return once update ``update_id`` and every update before it are handled.

        Updates reach the processor in the order they were fetched, so once the
        given one has started and nothing is in flight, all earlier ones are done.
        """
        async with self._changed:
            await self._changed.wait_for(
                lambda: self._highest_started >= update_id and self._in_flight == 0
            )


def _person(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None
