"""One scheduler for everything sent without a press: safe under reruns and restarts.

Reminders, week openings, memory checks, the coaches' digests and alerts are
planned as due items in the database (bot.storage.scheduled), one per
recipient, and then delivered one by one: each item is claimed in a
transaction, sent through the same sender as every reply (bot.telegram.sending),
and marked sent after. So running twice for the same instant sends nothing
twice, and a run killed half-way leaves its claimed item to be retried once the
claim is older than ``STALE_CLAIM``: nothing planned is skipped. One
recipient's failure never stops the others: a 429 or a timeout puts the item
back for later, a 403 fails it and pauses the participant, anything else fails
it and is counted.

What there is to plan and send is listed in bot.telegram.duties, which PTB's
JobQueue runs once a minute in the bot; operators who prefer cron run
``python -m bot jobs run-due`` (see README).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.storage import scheduled
from bot.storage.reminders import PausedBy, set_pause
from bot.storage.scheduled import Item, NewItem
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Outgoing
from bot.telegram.pacing import broadcasting
from bot.telegram.sending import send_all

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
"""A claim older than this was left by a run that died: the item is tried again."""
MAX_ATTEMPTS = 5
WORKERS = 4
"""Items sent at once; the budget still spaces them, and replies still go first."""
RETRY_AFTER_ERROR = timedelta(minutes=2)

Render = Callable[[BotContext, Item, datetime], Awaitable[Sequence[Outgoing] | None]]
"""The messages for an item, made at send time; None drops it (no longer wanted)."""
AfterSent = Callable[[BotContext, Item, datetime], Awaitable[list[NewItem]]]
Plan = Callable[[BotContext, datetime], Awaitable[list[NewItem]]]


@dataclass(frozen=True, slots=True)
class Kind:
    render: Render
    after_sent: AfterSent | None = None


class Later(Exception):
    """Raised by a renderer: not now (quiet hours), try again at ``at``."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at.isoformat())
        self.at = at


@dataclass
class Counts:
    planned: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"planned {self.planned}, sent {self.sent}, retried {self.retried},"
            f" failed {self.failed}, dropped {self.dropped}"
        )


async def run(
    context: BotContext, now: datetime, planners: Sequence[Plan], kinds: dict[str, Kind]
) -> Counts:
    """Plan what is due at ``now`` and deliver every due item."""
    counts = Counts()
    items: list[NewItem] = []
    for planner in planners:
        try:
            items += await planner(context, now)
        except Exception:
            log.exception("planning with %s failed", planner.__qualname__)
    counts.planned = await scheduled.add(context.runtime.db, items, now)
    await deliver(context, now, kinds, counts)
    return counts


async def deliver(
    context: BotContext, now: datetime, kinds: dict[str, Kind], counts: Counts
) -> None:
    """Send every due item, a few at a time, so the database work of one hides behind
    the wait of another and the budget's slots are all used."""
    db = context.runtime.db

    async def worker() -> None:
        with broadcasting():
            while (item := await scheduled.claim_next(db, now, now - STALE_CLAIM)) is not None:
                await _deliver_one(context, item, now, kinds, counts)

    await asyncio.gather(*(worker() for _ in range(WORKERS)))


async def _deliver_one(
    context: BotContext, item: Item, now: datetime, kinds: dict[str, Kind], counts: Counts
) -> None:
    db = context.runtime.db
    kind = kinds.get(item.kind)
    if kind is None:
        await scheduled.finish(db, item.id, "dropped", "unknown kind")
        counts.dropped += 1
        return
    try:
        messages = await kind.render(context, item, now)
        if messages is None:
            await scheduled.finish(db, item.id, "dropped", "no longer due")
            counts.dropped += 1
            return
        delivery = await send_all(context, item.chat_id, messages, keep=False)
    except Later as later:
        await scheduled.retry_at(db, item.id, later.at, "not now")
        counts.retried += 1
        return
    except (RetryAfter, TimedOut, NetworkError) as error:
        await _retry(context, item, now, error, counts)
        return
    except Exception as error:  # one recipient's fault stops no one else (BadRequest, …)
        log.exception("scheduled %s to %s failed", item.kind, item.chat_id)
        await _fail(context, item, repr(error), counts)
        return
    if delivery.blocked:
        await _fail(context, item, "blocked", counts)
        if item.participant_id is not None:
            await set_pause(db, item.participant_id, None, "blocked the bot", PausedBy.BLOCKED)
        return
    await scheduled.mark_sent(db, item.id, now)
    counts.sent += 1
    if kind.after_sent is not None:
        follow = await kind.after_sent(context, item, now)
        counts.planned += await scheduled.add(db, follow, now)


async def _retry(
    context: BotContext, item: Item, now: datetime, error: Exception, counts: Counts
) -> None:
    if item.attempts >= MAX_ATTEMPTS:
        await _fail(context, item, repr(error), counts)
        return
    wait = RETRY_AFTER_ERROR * item.attempts
    if isinstance(error, RetryAfter):
        retry_after = error.retry_after
        seconds = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
        wait = timedelta(seconds=float(seconds) + 1)
    await scheduled.retry_at(context.runtime.db, item.id, now + wait, repr(error))
    counts.retried += 1


async def _fail(context: BotContext, item: Item, error: str, counts: Counts) -> None:
    await scheduled.finish(context.runtime.db, item.id, "failed", error)
    counts.failed += 1
    counts.errors.append(f"{item.kind} to {item.chat_id}: {error}")
