"""The local preview: the emulator, a chat page in the browser, and live lesson reloads.

This is what `make run` starts without BOT_TOKEN, so a newcomer or a trainer can
use the whole bot with no Telegram account and no network: open the printed URL,
chat as a participant in any of the course's languages, and see a lesson edit
(or what is wrong with it) as soon as the file is saved.

Nothing here runs when the bot is on Telegram: ``serve()`` builds a ``Preview``
only without a token, and the page and the watcher exist only inside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.config import Settings
from bot.course.model import Course
from bot.emulator.server import Emulator
from bot.emulator.state import EmulatorState
from bot.media.pictures import picture_alts
from bot.preview.watch import CourseHolder, LessonStatus, LessonWatcher

PREVIEW_TOKEN = "1000000001:preview-token"
PAGE_DIR = Path(__file__).with_name("page")
_ASSETS = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "style.css": "text/css",
}
# The page loads only its own files; media may redirect to a URL the bot sent.
_CSP = (
    "default-src 'self'; img-src * data: blob:; media-src * data: blob:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'"
)


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


@dataclass(eq=False)
class LiveSocket:
    """One open page: its user's chat and the lesson status, pushed whenever they change.

    Changes only mark what is stale and wake the sender, so a burst of changes
    (a message, its edit, a typing action) becomes one push of the newest state.
    """

    ws: web.WebSocketResponse
    user_id: int
    chat_stale: bool = True
    status_stale: bool = True
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def chat_changed(self, user_id: int) -> None:
        if user_id == self.user_id:
            self.chat_stale = True
            self.wake.set()

    def status_changed(self) -> None:
        self.status_stale = True
        self.wake.set()

    def follow(self, user_id: int) -> None:
        """The page switched persona: from now on push this user's chat."""
        self.user_id = user_id
        self.chat_changed(user_id)

    async def push(self, page: PreviewPage) -> None:
        """Send what is stale until the socket closes."""
        self.wake.set()
        while not self.ws.closed:
            await self.wake.wait()
            self.wake.clear()
            if self.chat_stale:
                self.chat_stale = False
                chat = page.describe_pictures(page.state.chat_view(self.user_id))
                await self._send({"type": "chat", "user_id": self.user_id, "chat": chat})
            if self.status_stale:
                self.status_stale = False
                await self._send({"type": "lessons", **page.status.to_json()})

    async def _send(self, body: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionError):  # closed under us: the loop ends
            await self.ws.send_str(_dumps(body))


def _user_id(value: object) -> int | None:
    try:
        user_id = int(str(value))
    except ValueError:
        return None
    return user_id if user_id > 0 else None


def _same_origin(request: web.Request) -> bool:
    """Browsers send Origin with a WebSocket; another site's page must not read chats."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


class PreviewPage:
    """The chat page at ``/``, its live updates and the lesson status, over one emulator."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.status = LessonStatus()
        self.sockets: set[LiveSocket] = set()
        self.alts: Callable[[str], str | None] = lambda file_name: None

    def describe_pictures(self, chat: dict[str, Any]) -> dict[str, Any]:
        """Give each photo the ``alt`` its lesson wrote for it, as the page's alt text."""
        for message in chat.get("messages", []):
            photo = message.get("photo")
            alt = None if photo is None else self.alts(photo.get("file_name") or "")
            if alt is not None:
                photo["alt"] = alt
        return chat

    def install(self, app: web.Application) -> None:
        """Add the routes; call before the emulator starts (aiohttp freezes its router)."""
        app.router.add_get("/", self.index)
        app.router.add_get("/page/{name}", self.asset)
        app.router.add_get("/emulator/live", self.live)
        app.router.add_get("/emulator/lessons/status", self.lessons)
        app.on_shutdown.append(self._close_sockets)

    def show_status(self, status: LessonStatus) -> None:
        """The watcher checked the lessons: every open page updates its banner."""
        self.status = status
        for socket in self.sockets:
            socket.status_changed()

    async def index(self, request: web.Request) -> web.StreamResponse:
        return self._file("index.html")

    async def asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in _ASSETS:
            raise web.HTTPNotFound()
        return self._file(name)

    def _file(self, name: str) -> web.StreamResponse:
        """The page's own files, never cached: a developer's edit shows on reload."""
        headers = {
            "Content-Type": f"{_ASSETS[name]}; charset=utf-8",
            "Cache-Control": "no-cache",
            "Content-Security-Policy": _CSP,
            "X-Content-Type-Options": "nosniff",
        }
        return web.FileResponse(PAGE_DIR / name, headers=headers)

    async def lessons(self, request: web.Request) -> web.Response:
        return web.json_response(self.status.to_json(), dumps=_dumps)

    async def live(self, request: web.Request) -> web.StreamResponse:
        """/emulator/live?user_id=N: the chat JSON and the lesson status, on every change.

        The page may send {"user_id": M} to follow another persona on the same socket.
        """
        user_id = _user_id(request.query.get("user_id"))
        if user_id is None:
            raise web.HTTPBadRequest(text="user_id must be a positive integer")
        if not _same_origin(request):
            raise web.HTTPForbidden(text="the preview only talks to its own page")
        ws = web.WebSocketResponse(heartbeat=20.0)
        await ws.prepare(request)
        socket = LiveSocket(ws, user_id)
        unsubscribe = self.state.subscribe(socket.chat_changed)
        self.sockets.add(socket)
        sender = asyncio.create_task(socket.push(self))
        try:
            await self._listen(socket)
        finally:
            unsubscribe()
            self.sockets.discard(socket)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        return ws

    async def _listen(self, socket: LiveSocket) -> None:
        async for message in socket.ws:
            if message.type is not WSMsgType.TEXT:
                continue
            with contextlib.suppress(ValueError, AttributeError):
                user_id = _user_id(json.loads(message.data).get("user_id"))
                if user_id is not None:
                    socket.follow(user_id)

    async def _close_sockets(self, app: web.Application) -> None:
        """Close open pages first, or stopping the server waits for them."""
        for socket in list(self.sockets):
            await socket.ws.close(code=1001, message=b"the preview stopped")


class Preview:
    """The page and the lesson watcher around one emulator.

    >>> preview = Preview(Emulator())       # adds the page's routes
    >>> url = await preview.start()           # the emulator listens
    >>> application = await start_bot(preview.bot_settings(settings), db, course)
    >>> preview.attach(runtime_of(application), settings)  # lesson edits reach this bot
    >>> await preview.stop()
    """

    def __init__(self, emulator: Emulator, interval: float = 0.5) -> None:
        self.emulator = emulator
        self.page = PreviewPage(emulator.state)
        self.page.install(emulator.app)
        self.interval = interval
        self.watcher: LessonWatcher | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        return await self.emulator.start(host, port)

    def bot_settings(self, settings: Settings) -> Settings:
        """Settings for a bot that talks to this emulator instead of Telegram."""
        return preview_settings(settings, self.emulator.url)

    def attach(self, holder: CourseHolder, settings: Settings) -> None:
        """Watch the running bot's lessons and swap its course on every clean edit.

        Handlers read ``holder.course`` on every update, so the next tap sees the
        new course; progress refers to ids, so participants keep their place.
        """
        self.page.alts = PictureAlts(holder, settings)
        self.watcher = LessonWatcher(
            holder,
            settings.lessons_dir,
            settings.locales_dir,
            interval=self.interval,
            on_status=self.page.show_status,
        )
        self.watcher.start()

    async def stop(self) -> None:
        if self.watcher is not None:
            await self.watcher.stop()
            self.watcher = None
        await self.emulator.stop()


class PictureAlts:
    """A picture's description by its uploaded file name, for the course the bot runs now."""

    def __init__(self, holder: CourseHolder, settings: Settings) -> None:
        self.holder = holder
        self.settings = settings
        self._course: Course | None = None
        self._alts: dict[str, str] = {}

    def __call__(self, file_name: str) -> str | None:
        course = self.holder.course
        if course is not self._course:  # reloaded after an edit: look again
            settings = self.settings
            self._alts = picture_alts(course, settings.lessons_dir, settings.media_dir)
            self._course = course
        return self._alts.get(file_name)


async def start_preview(settings: Settings) -> Preview:
    """Start the emulator with its page on HOST:PORT and say where to open it."""
    preview = Preview(Emulator())
    url = await preview.start(settings.host, settings.port)
    print(f"Local preview: open {url}/ in your browser to chat with the bot.", flush=True)
    print(f"  Lesson edits in {settings.lessons_dir}/ load as soon as they check clean;")
    print("  the page shows what is wrong until they do. Ctrl-C stops the preview.")
    print(f"  Scripts can act as users too: curl {url}/emulator/users/1/chat", flush=True)
    return preview


def preview_settings(settings: Settings, emulator_url: str) -> Settings:
    """Settings for a bot that talks to the local emulator instead of Telegram."""
    return replace(
        settings, bot_token=PREVIEW_TOKEN, bot_api_url=f"{emulator_url}/bot", webhook_url=None
    )
