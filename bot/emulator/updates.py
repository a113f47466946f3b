"""Updates on their way to the bot: long polling, webhook scheduling, and idleness.

Everything here is event driven (asyncio.Event and asyncio.Queue, never a sleep
loop): the benchmark pushes hundreds of users through one queue, and a waiting
getUpdates must wake the moment an update arrives, as Telegram's does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import POLL_CONFLICT, WEBHOOK_CONFLICT, ApiError

# What getUpdates delivers when allowed_updates is empty or was never given.
DEFAULT_ALLOWED = frozenset({"message", "edited_message", "callback_query"})
MAX_LIMIT = 100


@dataclass
class Update:
    """One update: its id, its kind (the Update field it fills) and the user it came from."""

    update_id: int
    kind: str
    body: dict[str, Any]
    user_id: int

    def to_json(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.body}


class Signal:
    """A one-shot wake-up that many coroutines can wait on, renewed after each firing."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float) -> None:
        """Return when fired or after timeout seconds, whichever comes first."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


class WebhookQueue:
    """Updates waiting for the webhook: one in flight per chat, in order, like Telegram.

    Chats that have an update ready sit in an asyncio.Queue, so each delivery
    worker wakes for exactly one chat and nothing is scanned.
    """

    def __init__(self) -> None:
        self._waiting: dict[int, deque[Update]] = {}
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._busy: set[int] = set()
        self.count = 0

    def add(self, update: Update) -> None:
        queue = self._waiting.setdefault(update.user_id, deque())
        queue.append(update)
        self.count += 1
        if len(queue) == 1 and update.user_id not in self._busy:
            self._ready.put_nowait(update.user_id)

    async def take(self) -> Update:
        """The next update to deliver; its chat gets nothing else until done()."""
        user_id = await self._ready.get()
        self._busy.add(user_id)
        return self._waiting[user_id][0]

    def done(self, update: Update) -> None:
        """The webhook accepted the update: forget it and free its chat."""
        queue = self._waiting.get(update.user_id)
        if not queue or queue[0] is not update:
            return  # drained meanwhile (the webhook changed): nothing to forget
        queue.popleft()
        self.count -= 1
        self._busy.discard(update.user_id)
        if queue:
            self._ready.put_nowait(update.user_id)
        else:
            del self._waiting[update.user_id]

    def drain(self) -> list[Update]:
        """Every update not yet delivered, in order; the queue is empty afterwards."""
        updates = sorted(itertools.chain(*self._waiting.values()), key=lambda u: u.update_id)
        self._waiting.clear()
        self._busy.clear()
        self._ready = asyncio.Queue()
        self.count = 0
        return updates


class UpdateQueue:
    """Pending updates in update_id order, fetched by getUpdates or handed to a webhook."""

    def __init__(self) -> None:
        self._pending: deque[Update] = deque()
        self._ids = itertools.count(1)
        self._fetched_upto = 0
        self.last_id = 0
        """The newest update given to the bot (or waiting for it)."""
        self._arrived = Signal()
        self._poll = 0
        self.allowed = DEFAULT_ALLOWED
        self.webhook: WebhookQueue | None = None
        self.closed = False

    def push(self, kind: str, body: dict[str, Any], user_id: int) -> Update:
        """Queue an update; kinds the bot did not ask for are never created, as in Telegram."""
        update = Update(next(self._ids), kind, body, user_id)
        if kind not in self.allowed:
            return update
        self.last_id = update.update_id
        if self.webhook is not None:
            self.webhook.add(update)
        else:
            self._pending.append(update)
            self._arrived.fire()
        return update

    @property
    def fetched_upto(self) -> int:
        """The newest update the bot has fetched (by polling; a webhook counts at delivery)."""
        return self._fetched_upto

    @property
    def pending_count(self) -> int:
        return len(self._pending) + (self.webhook.count if self.webhook else 0)

    def has_backlog(self) -> bool:
        """Whether some update has not reached the bot yet."""
        if self.webhook is not None:
            return self.webhook.count > 0
        return bool(self._pending) and self._pending[-1].update_id > self._fetched_upto

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is not None:
            self.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED

    async def fetch(self, offset: int | None, limit: int | None, timeout: float) -> list[Update]:
        """getUpdates: confirm below offset, then return what is pending or wait for it."""
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        self._confirm(offset)
        self._poll += 1
        mine = self._poll
        self._arrived.fire()  # an earlier long poll is superseded and ends with 409
        limit = min(max(limit or MAX_LIMIT, 1), MAX_LIMIT)
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            if mine != self._poll:
                raise ApiError(409, POLL_CONFLICT)
            batch = list(itertools.islice(self._pending, limit))
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self.closed:
                if batch:
                    self._fetched_upto = max(self._fetched_upto, batch[-1].update_id)
                return batch
            await self._arrived.wait(remaining)

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and self._pending[0].update_id < offset:
            self._pending.popleft()

    def attach_webhook(self, webhook: WebhookQueue) -> None:
        """From now on updates go to the webhook, starting with those already pending."""
        for update in self._pending:
            webhook.add(update)
        self._pending.clear()
        self.webhook = webhook

    def detach_webhook(self, drop_pending: bool) -> None:
        """Back to getUpdates; undelivered updates wait for it unless dropped."""
        if self.webhook is None:
            if drop_pending:
                self._pending.clear()
            return
        undelivered = self.webhook.drain()
        self.webhook = None
        if not drop_pending and undelivered:
            self._pending.extend(undelivered)
            self._fetched_upto = min(self._fetched_upto, undelivered[0].update_id - 1)

    def clear(self) -> None:
        """Forget every pending update; update ids keep counting up so no offset goes stale."""
        self._pending.clear()
        if self.webhook is not None:
            self.webhook.drain()

    def close(self) -> None:
        """Release every waiting getUpdates (the server is stopping)."""
        self.closed = True
        self._arrived.fire()

    def reopen(self) -> None:
        """Wait for updates again (the server started again)."""
        self.closed = False


class Activity:
    """When the bot last did something, so /emulator/idle can answer without sleeping."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.last = time.monotonic()
        self._changed = Signal()

    def touch(self) -> None:
        self.last = time.monotonic()
        self._changed.fire()

    def begin(self) -> None:
        self.in_flight += 1
        self.touch()

    def end(self) -> None:
        self.in_flight -= 1
        self.touch()

    async def wait_idle(self, queue: UpdateQueue, quiet: float, timeout: float) -> bool:
        """True once nothing is pending or in flight and quiet seconds passed since activity."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            wait = deadline - now
            if self.in_flight == 0 and not queue.has_backlog():
                settled = self.last + quiet - now
                if settled <= 0:
                    return True
                wait = min(wait, settled)
            if deadline - now <= 0:
                return False
            await self._changed.wait(wait)
