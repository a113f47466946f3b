"""The emulator's HTTP server: the Bot API for the bot, the control API for everyone else.

The real PTB Application talks to it exactly as to api.telegram.org (base_url
``{url}/bot``, base_file_url ``{url}/file/bot``), in the same event loop as the
tests, so an end-to-end test needs no network, no threads and no sleeps.
``/`` is left free for the preview page, which can add its routes to
``Emulator.app`` before ``start`` and follow chats with ``state.subscribe``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import signal
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.emulator.api import MAX_UPLOAD, dispatch
from bot.emulator.control import ControlRoutes
from bot.emulator.errors import ApiError
from bot.emulator.flood import FloodLimits
from bot.emulator.params import Params, Upload
from bot.emulator.state import BotProfile, EmulatorState
from bot.emulator.webhook import WebhookDeliverer

log = logging.getLogger(__name__)
TOKEN = re.compile(r"\d+:\S+")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.envelope(), status=error.error_code, dumps=_dumps)


async def read_params(request: web.Request) -> Params:
    """Parameters from the query string plus a form, multipart or JSON body."""
    values: dict[str, object] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return Params(values)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON encoded request")
        values.update(body)
    elif request.content_type in _FORMS:
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = Upload(value.filename, value.content_type, value.file.read())
            else:
                values[name] = value
    return Params(values, files)


class Emulator:
    """A local Telegram Bot API server, in-process.

    >>> emulator = Emulator()
    >>> url = await emulator.start()          # http://127.0.0.1:<free port>
    >>> ...                                   # point PTB at f"{url}/bot"
    >>> await emulator.stop()
    """

    def __init__(
        self,
        *,
        webhook_retry_delay: float = 1.0,
        idle_quiet: float = 0.2,
        bot: BotProfile | None = None,
        flood: bool = False,
    ):
        self.state = EmulatorState(bot)
        if flood:
            self.state.flood = FloodLimits()
        self.app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._api)
        self.app.router.add_route("*", "/bot{rest:.*}", self._not_found)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        ControlRoutes(self.state, idle_quiet).install(self.app)
        self.webhook = WebhookDeliverer(self.state, webhook_retry_delay)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:8081 (only while started)."""
        if self._url is None:
            raise RuntimeError("the emulator is not started")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port) and return the base URL."""
        self.state.updates.reopen()
        runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        self._url = f"http://{host}:{bound_port}"
        return self._url

    async def stop(self) -> None:
        """Release waiting getUpdates calls, stop webhook delivery and close the server."""
        self.state.updates.close()
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._url = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not TOKEN.fullmatch(token):
            return _error(ApiError(401, "Unauthorized"))
        try:
            params = await read_params(request)
            result = await dispatch(self.state, token, request.match_info["method"], params)
        except ApiError as error:
            return _error(error)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error(ApiError(404, "Not Found"))

    async def _file(self, request: web.Request) -> web.Response:
        """Downloads at /file/bot<token>/<file_path>, as getFile's file_path promises."""
        if not TOKEN.fullmatch(request.match_info["token"]):
            return _error(ApiError(401, "Unauthorized"))
        stored = self.state.file_paths.get(request.match_info["path"])
        if stored is None or stored.data is None:
            return _error(ApiError(404, "Not Found"))
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)


async def serve(host: str, port: int, bot: BotProfile | None = None) -> None:
    """Run the emulator until Ctrl-C or SIGTERM (what process managers send)."""
    emulator = Emulator(bot=bot)
    url = await emulator.start(host, port)
    print(f"Bot API emulator at {url} (bot base_url {url}/bot); Ctrl-C stops it", flush=True)
    stopping = asyncio.Event()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    try:
        await stopping.wait()
    finally:
        await emulator.stop()


def profile_from_args(args: argparse.Namespace) -> BotProfile:
    """The bot getMe describes: --bot-name and --bot-username, else the course bot."""
    default = BotProfile()
    return BotProfile(
        args.bot_name or default.first_name,
        (args.bot_username or default.username).lstrip("@"),
    )


def run_command(args: argparse.Namespace) -> int:
    """`python -m bot emulator --host H --port P [--bot-name N --bot-username U]`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    bot = profile_from_args(args)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, bot))
    return 0
