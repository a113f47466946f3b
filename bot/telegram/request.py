"""The bot's HTTP client for the Bot API: PTB's ``BaseRequest`` over one aiohttp session.

PTB's default backend (httpx, with httpcore, h11 and anyio below it) took more
than half of the event loop's time under load (issue "Faster than the
framework's own echo bot"). aiohttp is already the emulator's and the preview's
server, so the bot reuses it as a client: one pooled session with keep-alive
connections, bodies encoded as JSON by orjson, uploads as multipart forms.

PTB stays in charge of everything above the wire: it builds the parameters,
turns status codes into ``BadRequest``, ``Forbidden``, ``RetryAfter`` and so on
(``BaseRequest._request_wrapper``), and parses the answer. This class only has
to send the request and to say ``TimedOut`` or ``NetworkError`` when the
network fails, as PTB's own backend does.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """PTB's request interface over one aiohttp ``ClientSession``.

    The timeouts mean what PTB's documentation says they mean: ``connect`` for
    opening a connection, ``read`` for each wait on the server's answer,
    ``pool`` for waiting on a free connection of the pool, and ``write`` for
    sending the request (aiohttp has no write timeout of its own, so the whole
    request is bounded by the sum of the four, which is what a slow upload hits).
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session inside the running loop (aiohttp binds it to the loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                json_serialize=lambda value: orjson.dumps(value).decode(),
                # Answers are small JSON: unpacking gzip would cost more than it saves.
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """orjson instead of the standard library: the answer of every call goes through here."""
        try:
            parsed: JSONDict = orjson.loads(payload)
        except orjson.JSONDecodeError as error:
            raise TelegramError("Invalid server response") from error
        return parsed

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        uploads = request_data is not None and request_data.contains_files
        timeout = self._timeout(
            _given(read_timeout, self._read_timeout),
            _given(write_timeout, self._media_write_timeout if uploads else self._write_timeout),
            _given(connect_timeout, self._connect_timeout),
            _given(pool_timeout, self._pool_timeout),
        )
        body: dict[str, Any] = {}
        if request_data is not None:
            body = {"data": _form(request_data)} if uploads else {"json": request_data.parameters}
        try:
            async with self._session.request(method, url, timeout=timeout, **body) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut(f"Timed out: {error!r}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        """PTB's four timeouts in aiohttp's terms (see the class docstring)."""
        parts = (read, write, connect, pool)
        total = None if any(part is None for part in parts) else sum(p or 0.0 for p in parts)
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=total, connect=waiting, sock_connect=connect, sock_read=read
        )


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _form(request_data: RequestData) -> aiohttp.FormData:
    """A multipart body: the parameters as JSON-encoded fields, each InputFile as a file part."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        if isinstance(part, tuple):
            file_name, content, *rest = part
            mime_type = rest[0] if rest else None
            form.add_field(name, content, filename=file_name, content_type=mime_type)
        else:
            form.add_field(name, part)
    return form
