"""What an operator can watch: Prometheus metrics, counted in one place each.

Bot API calls are counted at the Bot level (:class:`CountedBot` sits between
PTB's ExtBot and Bot), so every attempt is seen, the rate limiter's retries
after a 429 too, whichever request backend carries them. Updates are counted
by kind around ``Application.process_update``. No label ever holds a name, a
text or a Telegram id: only method names, status codes, kinds and job names.
"""

from __future__ import annotations

import re
import time
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ExtBot

# A `_created` series beside every counter doubles /metrics for nothing an operator reads.
disable_created_metrics()  # type: ignore[no-untyped-call]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_STATUS_IN_MESSAGE = re.compile(r"\((\d{3})\)")
UPDATE_KINDS = ("message", "callback_query", "edited_message", "my_chat_member")


class Metrics:
    """One registry per running bot, so two bots in one process (tests) never mix."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "bot_updates_handled", "Updates handled, by kind", ["kind"], registry=r
        )
        self.update_seconds = Histogram(
            "bot_update_handling_seconds",
            "Time from an update reaching a handler to its last reply",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.api_calls = Counter(
            "bot_api_calls",
            "Bot API calls, by method and HTTP status",
            ["method", "code"],
            registry=r,
        )
        self.flood_waits = Counter("bot_api_flood_waits", "429 answers from Telegram", registry=r)
        self.flood_seconds = Counter(
            "bot_api_flood_wait_seconds", "Seconds Telegram asked the bot to wait", registry=r
        )
        self.jobs_due = Counter("bot_jobs_due", "Scheduled jobs that came due", ["job"], registry=r)
        self.jobs_sent = Counter(
            "bot_jobs_messages_sent", "Messages the scheduled jobs sent", ["job"], registry=r
        )
        self.database_errors = Counter(
            "bot_database_errors", "SQLite errors while handling updates", ["kind"], registry=r
        )
        self.active_today = Gauge(
            "bot_participants_active_today", "Participants active since local midnight", registry=r
        )
        self.database_bytes = Gauge(
            "bot_database_bytes", "Size of the database files (main, -wal, -shm)", registry=r
        )
        self.telegram_reached = Gauge(
            "bot_telegram_last_reached_timestamp",
            "Unix time of the last successful Bot API call",
            registry=r,
        )
        self.last_reached: float | None = None  # time.monotonic() of the last success

    def api_call(self, method: str, code: str) -> None:
        self.api_calls.labels(method, code).inc()
        if code == "200":
            self.last_reached = time.monotonic()
            self.telegram_reached.set(time.time())

    def seconds_since_telegram(self) -> float | None:
        return None if self.last_reached is None else time.monotonic() - self.last_reached

    def render(self) -> bytes:
        return generate_latest(self.registry)


def status_code(error: TelegramError) -> str:
    """The HTTP status behind a PTB exception, or what went wrong when there was none."""
    if isinstance(error, RetryAfter):
        return "429"
    if isinstance(error, Forbidden):
        return "403"
    if isinstance(error, InvalidToken):
        return "401"
    if isinstance(error, Conflict):
        return "409"
    if isinstance(error, BadRequest):
        return "400"
    if isinstance(error, TimedOut):
        return "timeout"
    if isinstance(error, NetworkError):
        found = _STATUS_IN_MESSAGE.search(error.message)
        if found:
            return found.group(1)
        return "502" if "bad gateway" in error.message.lower() else "network"
    return "error"


class _CountedPost(Bot):
    """Bot._do_post, counted: below ExtBot's rate limiter, so each attempt is one call."""

    __slots__ = ()

    async def _do_post(self, endpoint: str, data: Any, **kwargs: Any) -> Any:
        metrics: Metrics | None = getattr(self, "_ops_metrics", None)
        try:
            result = await super()._do_post(endpoint, data, **kwargs)
        except TelegramError as error:
            if metrics is not None:
                metrics.api_call(endpoint, status_code(error))
                if isinstance(error, RetryAfter):
                    metrics.flood_waits.inc()
                    wait = error.retry_after
                    seconds = wait if isinstance(wait, int) else wait.total_seconds()
                    metrics.flood_seconds.inc(seconds)
            raise
        if metrics is not None:
            metrics.api_call(endpoint, "200")
        return result


class CountedBot(ExtBot, _CountedPost):  # type: ignore[type-arg, misc]
    """ExtBot whose every Bot API call is counted (see :func:`count_calls`)."""

    __slots__ = ()


def count_calls(bot: ExtBot[Any], metrics: Metrics) -> None:
    """Count the calls of the bot PTB's builder made.

    The builder always makes a plain ExtBot with the request backend it was
    given; turning that instance into a CountedBot (same layout, no new slots)
    keeps whatever backend it uses.
    """
    bot.__class__ = CountedBot
    with bot._unfrozen():
        bot._ops_metrics = metrics


def update_kind(update: object) -> str:
    if isinstance(update, Update):
        for kind in UPDATE_KINDS:
            if getattr(update, kind, None) is not None:
                return kind
        return "other"
    return "internal"


class ObservedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, timing and counting each update it handles."""

    async def process_update(self, update: object) -> None:
        metrics: Metrics | None = getattr(self.bot_data.get("runtime"), "metrics", None)
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            if metrics is not None:
                metrics.updates.labels(update_kind(update)).inc()
                metrics.update_seconds.observe(time.perf_counter() - started)
