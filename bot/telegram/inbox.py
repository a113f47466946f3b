"""The durable inbox: no update Telegram handed over is lost when the bot dies.

PTB's Updater puts a fetched batch into the Application's queue and confirms it
with its very next getUpdates, before anything is handled: a crash then drops the
taps in memory (16 to 72 per kill), and the participant sees a spinner. PTB's
webhook server answers 200 before handling too. So the fetching is done here,
and only the fetching; PTB's Application, update processor and handlers stay:

- Polling: each batch is committed to the database together with the offset
  that confirms it; only then does the next getUpdates send that offset.
- Webhook: the update is committed before the answer 200 (Telegram retries
  anything else).
- Each stored update goes into ``application.update_queue``; once the update
  processor has handled it, its row is deleted.
- At start, what is left in the inbox (fetched, never handled) is handled first.

Handled updates leave the inbox together (:class:`Leaving`): under load one
DELETE takes every update that finished while the last one was on its way,
instead of one trip to the database per update.

An update whose handling is cancelled (the process stops mid-way) stays in the
inbox, so it is handled after the restart; the course's own log of applied update
ids (bot/storage/progress.py) keeps an answer from counting twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from aiohttp import web
from telegram import Update
from telegram.error import TelegramError, TimedOut

from bot.storage import Database, inbox
from bot.storage.inbox import Received
from bot.telegram.context import BotApplication
from bot.telegram.processor import PerUserUpdateProcessor

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Pauses after a failed getUpdates: doubling from the first to the last.
FIRST_PAUSE, LAST_PAUSE = 0.5, 30.0


class Inbox:
    """Fetches updates into the database, then hands them to PTB's Application."""

    def __init__(
        self,
        application: BotApplication,
        db: Database,
        allowed_updates: list[str],
    ) -> None:
        self.application = application
        self.db = db
        self.allowed_updates = allowed_updates
        self._leaving = Leaving(db)
        self._offset: int | None = None
        self._polling: asyncio.Task[None] | None = None
        self._webhook: web.AppRunner | None = None

    async def start_polling(self, timeout: int = 10) -> None:
        """Handle what a previous run left, then poll in the background."""
        await self.application.bot.delete_webhook()
        self._offset = await inbox.next_offset(self.db)
        await self._open()
        self._polling = asyncio.create_task(self._poll(timeout), name="inbox:polling")

    async def start_webhook(self, host: str, port: int, url: str, secret: str | None) -> None:
        """Serve Telegram's webhook calls on host:port at the path of ``url``."""
        await self._open()
        path = "/" + url.rsplit("/", 1)[-1]  # as PTB's Updater: the URL's last segment
        server = web.Application()
        server.router.add_post(path, self._receive(secret))
        self._webhook = web.AppRunner(server, access_log=None)
        await self._webhook.setup()
        await web.TCPSite(self._webhook, host, port).start()
        await self.application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=self.allowed_updates
        )

    async def stop(self) -> None:
        """Stop fetching; what was fetched is handled by the Application's own stop."""
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        if self._webhook is not None:
            await self._webhook.cleanup()
            self._webhook = None

    # --- both ways in ---------------------------------------------------------------

    async def _open(self) -> None:
        """Let handled updates go, and queue what a previous run fetched but never handled."""
        processor = self.application.update_processor
        if isinstance(processor, PerUserUpdateProcessor):
            processor.on_handled = self._handled
            processor.hold = self.db.serialised
            if self.db.dialect == "postgresql":  # other processes may handle the same inbox
                processor.still_wanted = self._still_pending
        left = await inbox.pending(self.db)
        if left:
            log.info("handling %d update(s) fetched before the last stop", len(left))
        for received in left:
            await self._hand_over(orjson.loads(received.payload))

    async def _hand_over(self, payload: dict[str, Any]) -> None:
        try:
            update = Update.de_json(payload, self.application.bot)
        except Exception:  # nothing can handle it: it must not come back at every start
            log.exception("update %s cannot be read; dropped", payload.get("update_id"))
            await inbox.done(self.db, [int(payload["update_id"])])
            return
        await self.application.update_queue.put(update)

    async def _still_pending(self, update: object) -> bool:
        return not isinstance(update, Update) or await inbox.is_pending(self.db, update.update_id)

    async def _handled(self, update: object) -> None:
        if isinstance(update, Update):
            await self._leaving.leave(update.update_id)

    async def _store(self, payloads: list[dict[str, Any]], next_offset: int | None = None) -> None:
        """Commit the updates, then hand the ones not seen before to the Application."""
        received = [
            Received(int(p["update_id"]), _sender(p), orjson.dumps(p).decode()) for p in payloads
        ]
        fresh = {r.update_id for r in await inbox.store(self.db, received, next_offset=next_offset)}
        for payload in payloads:
            if payload["update_id"] in fresh:
                await self._hand_over(payload)

    # --- polling ----------------------------------------------------------------------

    async def _poll(self, timeout: int) -> None:
        pause = FIRST_PAUSE
        while True:
            try:
                payloads = await self._get_updates(timeout)
            except TimedOut:
                continue  # a long poll that outlived its read timeout: ask again
            except TelegramError as error:
                log.warning("getUpdates failed (%s); again in %.1f s", error, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LAST_PAUSE)
                continue
            if payloads:
                next_offset = int(payloads[-1]["update_id"]) + 1
                try:
                    await self._store(payloads, next_offset)
                except Exception:  # the database refused: fetch the same batch again
                    log.exception(
                        "could not store %d update(s); again in %.1f s", len(payloads), pause
                    )
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, LAST_PAUSE)
                    continue
                self._offset = next_offset  # the next getUpdates confirms this batch
            pause = FIRST_PAUSE

    async def _get_updates(self, timeout: int) -> list[dict[str, Any]]:
        """The raw JSON of the next batch: it is stored as Telegram sent it."""
        bot = self.application.bot
        read_timeout = (bot._request[0].read_timeout or 0) + timeout
        data: dict[str, Any] = {
            "offset": self._offset,
            "timeout": timeout,
            "allowed_updates": self.allowed_updates,
        }
        result = await bot._post("getUpdates", data, read_timeout=read_timeout)
        return list(result)

    # --- webhook ----------------------------------------------------------------------

    def _receive(self, secret: str | None) -> Any:
        async def receive(request: web.Request) -> web.Response:
            if secret is not None and request.headers.get(SECRET_HEADER) != secret:
                return web.Response(status=403)
            try:
                payload = orjson.loads(await request.read())
                int(payload["update_id"])
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                return web.Response(status=400)
            await self._store([payload])
            return web.Response()

        return receive


class Leaving:
    """Handled updates leave the inbox in groups, each caller returning once its row is gone.

    A caller adds its update id and queues for the lock; whoever gets the lock
    deletes every id added so far, so the callers that queued meanwhile find
    theirs gone and return without a trip of their own. Idle, each update still
    leaves at once. If a delete fails, its ids stay in the inbox and are handled
    again after a restart, as a failed delete of one would be; the course's log
    of applied updates keeps that from counting twice.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: set[int] = set()
        self._lock = asyncio.Lock()

    async def leave(self, update_id: int) -> None:
        self._waiting.add(update_id)
        async with self._lock:
            if update_id not in self._waiting:
                return  # deleted with the group of whoever held the lock before
            group, self._waiting = self._waiting, set()
            await inbox.done(self.db, group)


def _sender(payload: dict[str, Any]) -> int | None:
    """The Telegram id of whoever the update comes from, so erasing them finds the row."""
    for value in payload.values():
        if isinstance(value, dict):
            sender = value.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None
