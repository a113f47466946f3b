"""GET /healthz and GET /metrics on HEALTH_PORT, for a process manager and Prometheus.

A small aiohttp server of its own, in the bot's event loop, in polling and in
webhook mode alike. /healthz says 200 only when the database answers and
Telegram was reached recently (a long poll succeeds every few seconds, and in
webhook mode the bot's replies do), else 503 with a short reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.clock import utc_now
from bot.ops.metrics import CONTENT_TYPE, Metrics
from bot.storage import Database, participants

log = logging.getLogger(__name__)

# Telegram not reached for this long is unhealthy: a long poll returns every 10 s.
TELEGRAM_STALE_SECONDS = 300.0
DATABASE_TIMEOUT_SECONDS = 5.0


class HealthServer:
    def __init__(
        self,
        db: Database,
        metrics: Metrics,
        timezone: str,
        *,
        telegram_stale_seconds: float = TELEGRAM_STALE_SECONDS,
        database_timeout: float = DATABASE_TIMEOUT_SECONDS,
        probe: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.db = db
        # A webhook bot that nobody wrote to for a while has made no call: before calling
        # Telegram unreachable, ask it once (any successful call counts as reached).
        self.probe = probe
        self.metrics = metrics
        self.timezone = timezone
        self.telegram_stale_seconds = telegram_stale_seconds
        self.database_timeout = database_timeout
        self.app = web.Application()
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/metrics", self.metrics_page)
        self._runner: web.AppRunner | None = None
        self.url: str | None = None

    async def start(self, host: str, port: int) -> str:
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        self.url = f"http://{host}:{runner.addresses[0][1]}"
        log.info("health and metrics at %s/healthz and /metrics", self.url)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def problem(self) -> str | None:
        """What makes the bot unhealthy now, in a few words; None when all is well."""
        database = await self._database_problem()
        if database is not None:
            return database
        since = self.metrics.seconds_since_telegram()
        if (since is None or since > self.telegram_stale_seconds) and self.probe is not None:
            await self._probe()
            since = self.metrics.seconds_since_telegram()
        if since is None:
            return "Telegram not reached yet"
        if since > self.telegram_stale_seconds:
            return f"Telegram not reached for {since:.0f} s"
        return None

    async def _probe(self) -> None:
        assert self.probe is not None
        try:
            await asyncio.wait_for(self.probe(), self.database_timeout)
        except Exception as error:  # unreachable is what /healthz then reports
            log.warning("Telegram did not answer the health probe: %s", type(error).__name__)

    async def _database_problem(self) -> str | None:
        if self.db.path is not None and not self.db.path.exists():
            return "database file missing"
        try:
            await asyncio.wait_for(
                self.db.fetch_value("SELECT count(*) FROM schema_migrations"),
                self.database_timeout,
            )
        except TimeoutError:
            return "database does not answer"
        except Exception as error:  # any failure to answer is the answer
            return f"database error: {type(error).__name__}"
        return None

    async def healthz(self, request: web.Request) -> web.Response:
        problem = await self.problem()
        body = {"status": "ok"} if problem is None else {"status": "fail", "reason": problem}
        return web.json_response(body, status=200 if problem is None else 503, dumps=json.dumps)

    async def metrics_page(self, request: web.Request) -> web.Response:
        await self.refresh_gauges()
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def refresh_gauges(self) -> None:
        """The gauges that are read from the database, fresh for each scrape."""
        try:
            self.metrics.database_bytes.set(await self.db.size_bytes())
            midnight = datetime.combine(
                utc_now().astimezone(ZoneInfo(self.timezone)).date(),
                time(0),
                ZoneInfo(self.timezone),
            )
            active = await participants.count_active_since(self.db, midnight)
            self.metrics.active_today.set(active)
        except Exception as error:
            log.warning("could not read the database for /metrics: %s", type(error).__name__)
