"""Webhook delivery: POST each update to the bot, with its secret, until it is accepted.

Like Telegram, one update per request, at most max_connections requests at once,
one at a time per chat (so a participant's messages arrive in order), and a
failed delivery is retried with a growing delay while getWebhookInfo reports
the last error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import aiohttp

from bot.emulator.state import EmulatorState, WebhookConfig
from bot.emulator.updates import Update, WebhookQueue

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_RETRY_DELAY = 60.0


class WebhookDeliverer:
    """Runs the delivery workers for the current webhook, restarting them when it changes."""

    def __init__(self, state: EmulatorState, retry_delay: float = 1.0, timeout: float = 30.0):
        self._state = state
        self._retry_delay = retry_delay
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._workers: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        state.webhook_changed.append(self._restart)

    def _restart(self) -> None:
        """Called synchronously by the state whenever setWebhook/deleteWebhook runs."""
        for worker in self._workers:
            worker.cancel()
        self._workers.clear()
        config, queue = self._state.webhook, self._state.updates.webhook
        if config is None or queue is None:
            return
        for _ in range(config.max_connections):
            worker = asyncio.create_task(self._work(config, queue))
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)

    async def stop(self) -> None:
        workers = list(self._workers)
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _work(self, config: WebhookConfig, queue: WebhookQueue) -> None:
        while True:
            update = await queue.take()
            await self._deliver(config, update)
            queue.done(update)

    async def _deliver(self, config: WebhookConfig, update: Update) -> None:
        """POST until the bot answers 2xx; the chat waits meanwhile, as in Telegram."""
        delay = self._retry_delay
        body = json.dumps(update.to_json(), ensure_ascii=False).encode()
        while True:
            self._state.activity.begin()
            try:
                error = await self._post(config, body)
            finally:
                self._state.activity.end()
            if error is None:
                return
            log.info("webhook delivery of update %s failed: %s", update.update_id, error)
            config.last_error_date, config.last_error_message = int(time.time()), error
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY)

    async def _post(self, config: WebhookConfig, body: bytes) -> str | None:
        """One delivery attempt: None when accepted, else the error getWebhookInfo shows."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers[SECRET_HEADER] = config.secret_token
        try:
            async with self._session.post(config.url, data=body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"{type(error).__name__}: {error}"
