"""The control API: tests, the benchmark and the preview act as users through it.

These routes are a contract (tests/emulator_client.py wraps them): a user sends
a message, presses a button (with any data at all, as a hostile client could)
or uploads a file; anyone can read a chat as the user sees it, wait until the
bot is idle instead of sleeping, inject faults, and count the bot's calls.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web

from bot.emulator.faults import Fault
from bot.emulator.formatting import utf16_len
from bot.emulator.media import KINDS, image_size, ogg_duration
from bot.emulator.state import BotProfile, EmulatorState

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_PROFILE = ("first_name", "last_name", "username", "language_code")


def _refuse(message: str, status: int = 400) -> web.HTTPException:
    body = json.dumps({"error": message})
    if status == 404:
        return web.HTTPNotFound(text=body, content_type="application/json")
    return web.HTTPBadRequest(text=body, content_type="application/json")


def _user_id(request: web.Request) -> int:
    try:
        user_id = int(request.match_info["user_id"])
    except ValueError:
        raise _refuse("user_id must be a positive integer") from None
    if user_id <= 0:
        raise _refuse("user_id must be a positive integer")
    return user_id


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON body. Only application/json is taken: a page on another site can send
    a form or plain text to localhost without asking, but not JSON."""
    if request.content_type != "application/json":
        raise _refuse("send the body as application/json")
    try:
        body = await request.json()
    except ValueError:
        raise _refuse("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _refuse("the body must be a JSON object")
    return body


def _profile(body: dict[str, Any]) -> dict[str, str | None]:
    return {name: body.get(name) for name in _PROFILE if isinstance(body.get(name), str)}


def _number(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        raise _refuse(f"not a number: {value}") from None


class ControlRoutes:
    """The /emulator/* handlers over one EmulatorState."""

    def __init__(self, state: EmulatorState, quiet: float):
        self.state = state
        self.quiet = quiet

    def install(self, app: web.Application) -> None:
        add = app.router
        add.add_post("/emulator/users/{user_id}/messages", self.message)
        add.add_post("/emulator/users/{user_id}/presses", self.press)
        add.add_post("/emulator/users/{user_id}/uploads", self.upload)
        add.add_post("/emulator/users/{user_id}/block", self.block)
        add.add_get("/emulator/users/{user_id}/chat", self.chat)
        add.add_get("/emulator/users/{user_id}/commands", self.commands)
        add.add_get("/emulator/users", self.users)
        add.add_get("/emulator/media/{file_id}", self.media)
        add.add_post("/emulator/idle", self.idle)
        add.add_post("/emulator/faults", self.add_fault)
        add.add_get("/emulator/faults", self.faults)
        add.add_delete("/emulator/faults", self.clear_faults)
        add.add_get("/emulator/calls", self.calls)
        add.add_post("/emulator/reset", self.reset)
        add.add_post("/emulator/bots", self.add_bot)

    async def block(self, request: web.Request) -> web.Response:
        """The user blocks the bot (``{"blocked": false}`` unblocks it)."""
        user_id, body = _user_id(request), await _body(request)
        update = self.state.block(user_id, body.get("blocked", True) is not False)
        return web.json_response({"update_id": update.update_id})

    async def message(self, request: web.Request) -> web.Response:
        """A user sends a text message."""
        user_id, body = _user_id(request), await _body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _refuse("text must be a non-empty string")
        if utf16_len(text) > TEXT_LIMIT:
            raise _refuse("text is longer than Telegram allows (4096)")
        update, message_id = self.state.user_message(user_id, text, **_profile(body))
        return web.json_response({"update_id": update.update_id, "message_id": message_id})

    async def press(self, request: web.Request) -> web.Response:
        """A user presses an inline button of a message (any data is passed on as is)."""
        user_id, body = _user_id(request), await _body(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise _refuse("message_id (integer) and data (string) are required")
        self.state.user(user_id, **_profile(body))
        update, query_id = self.state.user_press(user_id, message_id, data)
        return web.json_response({"update_id": update.update_id, "callback_query_id": query_id})

    async def upload(self, request: web.Request) -> web.Response:
        """A user sends a photo, document, voice note or audio file."""
        user_id, body = _user_id(request), await _body(request)
        kind = body.get("kind")
        if kind not in KINDS:
            raise _refuse(f"kind must be one of {', '.join(KINDS)}")
        data = _content(body)
        caption = body.get("caption")
        if caption is not None and (not isinstance(caption, str) or len(caption) > CAPTION_LIMIT):
            raise _refuse("caption must be a string of at most 1024 characters")
        upload = (body.get("file_name"), body.get("mime_type"), data)
        update, message_id, file_id = self.state.user_upload(
            user_id, kind, upload, caption=caption, profile=_profile(body), **_read(kind, data)
        )
        answer = {"update_id": update.update_id, "message_id": message_id, "file_id": file_id}
        return web.json_response(answer)

    async def chat(self, request: web.Request) -> web.Response:
        return web.json_response(self.state.chat_view(_user_id(request)))

    async def commands(self, request: web.Request) -> web.Response:
        """The command menu this user would see, by Telegram's scope and language order."""
        user_id = _user_id(request)
        known = self.state.chats.get(user_id)
        code = request.query.get("language_code") or (known.language_code if known else None)
        commands = self.state.menus.for_user(user_id, code)
        return web.json_response({"language_code": code, "commands": commands})

    async def users(self, request: web.Request) -> web.Response:
        """Everyone who has written to the bot, for a page that lists the chats."""
        users = [
            {"user": chat.user_json(), "messages": len(chat.messages)}
            for chat in self.state.chats.values()
        ]
        return web.json_response({"users": users})

    async def media(self, request: web.Request) -> web.StreamResponse:
        """The bytes of a file (sent by the bot or a user), or a redirect to its URL."""
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise _refuse("no such file", 404)
        if stored.data is None and stored.url:
            raise web.HTTPFound(stored.url)
        headers = {}
        if stored.file_name:
            headers["Content-Disposition"] = f'inline; filename="{stored.file_name}"'
        return web.Response(
            body=stored.data or b"",
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    async def idle(self, request: web.Request) -> web.Response:
        """Return once every update reached the bot and it has been quiet for a moment."""
        timeout = _number(request.query.get("timeout"), 10.0)
        quiet = _number(request.query.get("quiet"), self.quiet)
        state = self.state
        if await state.activity.wait_idle(state.updates, quiet, timeout):
            return web.json_response({"idle": True})
        busy = {
            "idle": False,
            "pending_updates": state.updates.pending_count,
            "calls_in_flight": state.activity.in_flight,
        }
        return web.json_response(busy, status=408)

    async def add_fault(self, request: web.Request) -> web.Response:
        """Make the next matching calls fail: 429 flood control, 403 blocked, 5xx."""
        body = await _body(request)
        try:
            fault = Fault(
                error_code=int(body["error_code"]),
                method=body.get("method"),
                user_id=int(body["user_id"]) if body.get("user_id") is not None else None,
                retry_after=int(body.get("retry_after", 1)),
                times=int(body["times"]) if body.get("times") is not None else None,
                description=body.get("description"),
                hang=bool(body.get("hang", False)),
            )
        except (KeyError, TypeError, ValueError):
            raise _refuse("error_code (integer) is required; see the docstring") from None
        self.state.faults.add(fault)
        return await self.faults(request)

    async def add_bot(self, request: web.Request) -> web.Response:
        """Give a token a bot of its own: {"token": "…", "username": "…", "first_name": "…"}."""
        body = await _body(request)
        token, username = body.get("token"), body.get("username")
        if not isinstance(token, str) or ":" not in token or not isinstance(username, str):
            raise _refuse("token (digits:secret) and username are required")
        first_name = str(body.get("first_name") or username)
        self.state.add_bot(token, BotProfile(first_name, username.lstrip("@")))
        return web.json_response({"token": token.split(":")[0], "username": username})

    async def faults(self, request: web.Request) -> web.Response:
        return web.json_response({"faults": [f.to_json() for f in self.state.faults.active()]})

    async def clear_faults(self, request: web.Request) -> web.Response:
        user_id = request.query.get("user_id")
        self.state.faults.clear(int(user_id) if user_id and user_id.isdigit() else None)
        return await self.faults(request)

    async def calls(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.state.calls))

    async def reset(self, request: web.Request) -> web.Response:
        everything = request.query.get("all", "").lower() in {"1", "true", "yes"}
        self.state.reset(everything)
        return web.json_response({"reset": True, "all": everything})


def _content(body: dict[str, Any]) -> bytes:
    encoded = body.get("content_base64")
    if not isinstance(encoded, str):
        raise _refuse("content_base64 is required")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("content_base64 is not valid base64") from None
    if not data:
        raise _refuse("the file is empty")
    return data


def _read(kind: str, data: bytes) -> dict[str, int]:
    """What Telegram would read from a user's file (lenient: tests may send stand-ins)."""
    if kind == "photo":
        width, height = image_size(data) or (0, 0)
        return {"width": width, "height": height}
    if kind in {"voice", "audio"}:
        return {"duration": ogg_duration(data) or 0}
    return {}
