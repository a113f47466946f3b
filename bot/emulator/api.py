"""The Bot API methods the emulator implements, each refusing what Telegram refuses.

Every method declares its required parameters here, and a test checks them
against the machine-readable Bot API (api.min.json), so a call Telegram would
refuse for a missing parameter is refused here too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.commands import check_commands, language, scope_key
from bot.emulator.errors import NOT_MODIFIED, QUERY_INVALID, ApiError, bad_request
from bot.emulator.formatting import Formatted, format_text, utf16_len
from bot.emulator.markup import Markup, parse_markup
from bot.emulator.media import MAX_DOWNLOAD, StoredFile, image_size, ogg_duration
from bot.emulator.params import Params, Upload
from bot.emulator.state import ChatMessage, EmulatorState, UserChat, WebhookConfig

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
MAX_UPLOAD = 50 * 1024 * 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LINK_PREVIEW_FIELDS = ("is_disabled", "url", "prefer_small_media", "prefer_large_media")


@dataclass(frozen=True)
class Call:
    """One Bot API call: the emulator state and the call's parameters."""

    state: EmulatorState
    params: Params


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    required: tuple[str, ...]


METHODS: dict[str, Method] = {}


def method(name: str, *required: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API name (method names are case-insensitive)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = Method(name, handler, required)
        return handler

    return register


async def dispatch(state: EmulatorState, token: str, name: str, params: Params) -> Any:
    """Run one call: count it, check required parameters and injected faults, then run it."""
    found = METHODS.get(name.lower())
    if found is None:
        raise ApiError(404, "Not Found")
    state.use_token(token)
    state.calls[found.name] += 1
    polling = found.name == "getUpdates"
    # A waiting getUpdates is the bot at rest, not busy: it must not hold off /idle.
    if polling:
        state.activity.touch()
    else:
        state.activity.begin()
    try:
        missing = params.missing(found.required)
        if missing is not None:
            raise missing
        await state.faults.check(found.name, _loose_chat_id(params))
        if state.flood is not None:
            state.flood.check(found.name, _loose_chat_id(params))
        return await found.handler(Call(state, params))
    finally:
        if polling:
            state.activity.touch()
        else:
            state.activity.end()


def _loose_chat_id(params: Params) -> int | None:
    try:
        return int(params.text("chat_id") or "")
    except ValueError:
        return None


# --- shared checks ------------------------------------------------------------------


def _chat(call: Call) -> UserChat:
    """The private chat addressed by chat_id; only users who wrote to the bot have one."""
    try:
        chat_id = int(call.params.text("chat_id") or "")
    except ValueError:
        raise bad_request("chat not found") from None
    chat = call.state.chats.get(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    return chat


def _text(call: Call, limit: int = TEXT_LIMIT) -> Formatted:
    params = call.params
    raw = params.text("text") or ""
    formatted = format_text(raw, params.text("parse_mode"), params.json("entities", "entities"))
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > limit:
        raise bad_request("message is too long")
    return formatted


def _caption(call: Call) -> Formatted:
    params = call.params
    raw = params.text("caption") or ""
    entities = params.json("caption_entities", "caption entities")
    formatted = format_text(raw, params.text("parse_mode"), entities)
    if utf16_len(formatted.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return formatted


def _markup(call: Call, inline_only: bool = False) -> Markup:
    return parse_markup(call.params.json("reply_markup", "reply keyboard markup"), inline_only)


def _extras(call: Call, chat: UserChat) -> dict[str, Any]:
    """Fields a sent message carries besides its content: the reply and link preview."""
    extras: dict[str, Any] = {}
    reply = _reply_to(call, chat)
    if reply is not None:
        extras["reply_to_message"] = call.state.message_json(chat, reply, nested=True)
    preview = call.params.json("link_preview_options", "link preview options")
    if isinstance(preview, dict):
        kept = {key: preview[key] for key in _LINK_PREVIEW_FIELDS if key in preview}
        if kept:
            extras["link_preview_options"] = kept
    return extras


def _reply_to(call: Call, chat: UserChat) -> ChatMessage | None:
    params = call.params
    parameters = params.json("reply_parameters", "reply parameters")
    settings = parameters if isinstance(parameters, dict) else {}
    message_id = settings.get("message_id") or params.integer("reply_to_message_id")
    if not isinstance(message_id, int):
        return None
    target = chat.messages.get(message_id)
    if target is not None and not target.deleted:
        return target
    if settings.get("allow_sending_without_reply") or params.boolean("allow_sending_without_reply"):
        return None
    raise bad_request("message to be replied not found")


def _message(call: Call, verb: str) -> tuple[UserChat, ChatMessage]:
    """The bot message an edit or delete addresses."""
    params = call.params
    if "inline_message_id" in params:
        raise bad_request("MESSAGE_ID_INVALID")
    if "chat_id" not in params:
        raise bad_request("chat_id is empty")
    message_id = params.integer("message_id", "message identifier is not specified")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    chat = _chat(call)
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(f"message to {verb} not found")
    return chat, message


def _editable(call: Call) -> tuple[UserChat, ChatMessage]:
    chat, message = _message(call, "edit")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


# --- identity and updates -----------------------------------------------------------


@method("getMe")
async def get_me(call: Call) -> dict[str, Any]:
    return call.state.bot_json(full=True)


@method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    params = call.params
    call.state.updates.set_allowed(_allowed_updates(params))
    updates = await call.state.updates.fetch(
        params.integer("offset"), params.integer("limit"), float(params.integer("timeout") or 0)
    )
    return [update.to_json() for update in updates]


def _allowed_updates(params: Params) -> list[str] | None:
    allowed = params.json("allowed_updates", "allowed updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed updates JSON object")
    return allowed


@method("setWebhook", "url")
async def set_webhook(call: Call) -> bool:
    params = call.params
    url = params.text("url") or ""
    if not re.match(r"https?://[^/\s]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.text("secret_token") or None
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    config = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=min(max(params.integer("max_connections") or 40, 1), 100),
        allowed_updates=_allowed_updates(params),
        ip_address=params.text("ip_address") or None,
    )
    call.state.set_webhook(config, params.boolean("drop_pending_updates"))
    return True


@method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    call.state.delete_webhook(call.params.boolean("drop_pending_updates"))
    return True


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> dict[str, Any]:
    return call.state.webhook_info()


@method("close")
async def close(call: Call) -> bool:
    return True


@method("logOut")
async def log_out(call: Call) -> bool:
    return True


# --- messages -----------------------------------------------------------------------


@method("sendMessage", "chat_id", "text")
async def send_message(call: Call) -> dict[str, Any]:
    chat = _chat(call)
    formatted = _text(call)
    markup = _markup(call)
    message = call.state.bot_message(
        chat,
        markup,
        text=formatted.text,
        entities=formatted.entities,
        extra=_extras(call, chat),
    )
    return call.state.message_json(chat, message)


@method("editMessageText")
async def edit_message_text(call: Call) -> dict[str, Any]:
    chat, message = _editable(call)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    formatted = _text(call)
    inline = _markup(call, inline_only=True).inline
    old = (message.text, message.entities, message.inline)
    if old == (formatted.text, formatted.entities, inline):
        raise bad_request(NOT_MODIFIED)
    call.state.edit(chat, message, text=formatted.text, entities=formatted.entities, inline=inline)
    return call.state.message_json(chat, message)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> dict[str, Any]:
    chat, message = _editable(call)
    if message.media is None:
        raise bad_request("there is no caption in the message to edit")
    formatted = _caption(call)
    inline = _markup(call, inline_only=True).inline
    old = (message.caption or "", message.caption_entities, message.inline)
    if old == (formatted.text, formatted.entities, inline):
        raise bad_request(NOT_MODIFIED)
    call.state.edit(
        chat,
        message,
        caption=formatted.text or None,
        caption_entities=formatted.entities,
        inline=inline,
    )
    return call.state.message_json(chat, message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    chat, message = _editable(call)
    inline = _markup(call, inline_only=True).inline
    if inline == message.inline:
        raise bad_request(NOT_MODIFIED)
    call.state.edit(chat, message, inline=inline)
    return call.state.message_json(chat, message)


@method("deleteMessage", "chat_id", "message_id")
async def delete_message(call: Call) -> bool:
    chat, message = _message(call, "delete")
    call.state.delete(chat, message)
    return True


@method("deleteMessages", "chat_id", "message_ids")
async def delete_messages(call: Call) -> bool:
    chat = _chat(call)
    ids = call.params.json("message_ids", "message identifiers")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message identifiers are not specified")
    for message_id in ids:
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is not None and not message.deleted:
            call.state.delete(chat, message)
    return True


@method("sendChatAction", "chat_id", "action")
async def send_chat_action(call: Call) -> bool:
    chat = _chat(call)
    action = call.params.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    call.state.set_action(chat, action)
    return True


@method("answerCallbackQuery", "callback_query_id")
async def answer_callback_query(call: Call) -> bool:
    params = call.params
    query = call.state.queries.get(params.text("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request(QUERY_INVALID)
    text = params.text("text") or None
    if text is not None and len(text) > ALERT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    answer: dict[str, Any] = {"text": text, "show_alert": params.boolean("show_alert")}
    if "url" in params:
        answer["url"] = params.text("url")
    call.state.answer(query, answer)
    return True


# --- media --------------------------------------------------------------------------


def _send_media(kind: str) -> Handler:
    async def send(call: Call) -> dict[str, Any]:
        chat = _chat(call)
        media = _media_file(call, kind)
        caption = _caption(call)
        markup = _markup(call)
        message = call.state.bot_message(
            chat,
            markup,
            media=media,
            caption=caption.text or None,
            caption_entities=caption.entities,
            extra=_extras(call, chat),
        )
        return call.state.message_json(chat, message)

    return send


def _media_file(call: Call, kind: str) -> StoredFile:
    """The file to send: a fresh upload, a URL, or a file_id the emulator issued."""
    source = call.params.file(kind)
    assert source is not None  # required parameter, checked before the handler runs
    return _file_from(call, kind, source)


def _file_from(call: Call, kind: str, source: Upload | str) -> StoredFile:
    if isinstance(source, Upload):
        return _uploaded(call, kind, source)
    if re.match(r"https?://", source):
        return call.state.store_file(kind, None, url=source, **_details(call, kind, b""))
    known = call.state.files.get(source)
    if known is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if known.kind != kind:
        raise bad_request(f"can't use file of type {known.kind.title()} as {kind.title()}")
    return known.siblings[-1] if known.siblings else known


def _uploaded(call: Call, kind: str, upload: Upload) -> StoredFile:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > MAX_UPLOAD:
        raise ApiError(413, "Request Entity Too Large")
    details = _details(call, kind, upload.data)
    return call.state.store_file(kind, upload.data, upload.file_name, upload.mime_type, **details)


def _details(call: Call, kind: str, data: bytes) -> dict[str, Any]:
    """What Telegram reads from the file itself: a photo's size, a voice note's length."""
    params = call.params
    if kind == "photo":
        size = image_size(data) if data else (0, 0)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10_000 or max(width, height) > 20 * max(min(width, height), 1):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        return {"width": width, "height": height}
    details: dict[str, Any] = {}
    if kind in {"voice", "audio"}:
        given = params.integer("duration")
        details["duration"] = given if given is not None else ogg_duration(data) or 0
    if kind == "audio":
        details |= {"title": params.text("title"), "performer": params.text("performer")}
    return details


for _kind in ("photo", "document", "voice", "audio"):
    method(f"send{_kind.title()}", "chat_id", _kind)(_send_media(_kind))


# --- albums -------------------------------------------------------------------------

ALBUM_MAX = 10
ALBUM_KINDS = ("photo", "document", "audio")
"""What an album here holds; Telegram's videos and live photos the emulator does not keep."""
_NOT_IN_ALBUMS = {"animation": "can't be used in sendMediaGroup", "voice_note": "is not allowed"}


@dataclass(frozen=True)
class _AlbumItem:
    kind: str
    file: StoredFile
    caption: Formatted


@method("sendMediaGroup", "chat_id", "media")
async def send_media_group(call: Call) -> list[dict[str, Any]]:
    """2-10 photos (or documents, or audio) as one album: messages sharing a media_group_id.

    As Telegram's server does, every item is read (and refused) before anything is
    stored, an album takes no reply_markup, and a single item is sent as an ordinary
    message outside any album.
    """
    chat = _chat(call)
    media = call.params.json("media", "media")
    if media is None or media == []:
        raise bad_request("there are no messages to send")
    if not isinstance(media, list):
        raise bad_request("expected an Array of InputMedia")
    if len(media) > ALBUM_MAX:
        raise bad_request("too many messages to send as an album")
    specs = [_album_spec(item) for item in media]
    _check_album_kinds([kind for kind, _ in specs])
    items = [_AlbumItem(kind, *_album_content(call, kind, spec)) for kind, spec in specs]
    extra = _extras(call, chat)
    extra.pop("link_preview_options", None)
    if len(items) > 1:
        extra["media_group_id"] = call.state.new_media_group_id()
    sent = [
        call.state.bot_message(
            chat,
            Markup(),
            media=item.file,
            caption=item.caption.text or None,
            caption_entities=item.caption.entities,
            extra=dict(extra),
        )
        for item in items
    ]
    return [call.state.message_json(chat, message) for message in sent]


def _album_spec(item: object) -> tuple[str, dict[str, Any]]:
    """An InputMedia of an album: its kind, or Telegram's refusal of it."""
    if not isinstance(item, dict):
        raise bad_request("can't parse InputMedia: expected an Object")
    kind = item.get("type")
    if not isinstance(kind, str):
        raise bad_request('can\'t parse InputMedia: field "type" must be of type String')
    if kind in _NOT_IN_ALBUMS:
        raise bad_request(f'can\'t parse InputMedia: type "{kind}" {_NOT_IN_ALBUMS[kind]}')
    if kind not in ALBUM_KINDS:
        raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
    return kind, item


def _check_album_kinds(kinds: list[str]) -> None:
    """Documents go only with documents, audio only with audio."""
    for alone in ("document", "audio"):
        if alone in kinds and any(kind != alone for kind in kinds):
            raise bad_request(f"{alone} can't be mixed with other media types")


def _album_content(call: Call, kind: str, spec: dict[str, Any]) -> tuple[StoredFile, Formatted]:
    source = spec.get("media")
    if not isinstance(source, str) or not source:
        raise bad_request("can't parse InputMedia: media not found")
    if source.startswith("attach://"):
        upload = call.params.upload(source.removeprefix("attach://"))
        if upload is None:
            raise bad_request("can't parse InputMedia: media not found")
        found: Upload | str = upload
    else:
        found = source
    mode = spec.get("parse_mode")
    caption = format_text(
        str(spec.get("caption") or ""),
        mode if isinstance(mode, str) else None,
        spec.get("caption_entities"),
    )
    if utf16_len(caption.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return _file_from(call, kind, found), caption


@method("getFile", "file_id")
async def get_file(call: Call) -> dict[str, Any]:
    known = call.state.files.get(call.params.text("file_id") or "")
    if known is None:
        raise bad_request("invalid file_id")
    if known.data is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if len(known.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return known.to_file()


# --- command menus and the bot's profile --------------------------------------------


def _menu_key(call: Call) -> tuple[str, str]:
    params = call.params
    scope = scope_key(params.json("scope", "BotCommandScope"))
    return scope, language(params.text("language_code"))


@method("setMyCommands", "commands")
async def set_my_commands(call: Call) -> bool:
    commands = check_commands(call.params.json("commands", "commands"))
    call.state.menus.set(*_menu_key(call), commands)
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[dict[str, str]]:
    return call.state.menus.get(*_menu_key(call))


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.state.menus.delete(*_menu_key(call))
    return True


def _profile_methods(name: str, field: str, limit: int) -> None:
    """setMyX/getMyX for the bot's name, description and short description."""

    async def set_value(call: Call) -> bool:
        value = call.params.text(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field.replace('_', ' ')} is too long")
        code = language(call.params.text("language_code"))
        call.state.profile[(field, code)] = value
        return True

    async def get_value(call: Call) -> dict[str, str]:
        code = language(call.params.text("language_code"))
        profile = call.state.profile
        value = profile.get((field, code)) or profile.get((field, ""))
        return {field: value if value is not None else _default_profile(field)}

    method(f"setMy{name}")(set_value)
    method(f"getMy{name}")(get_value)


def _default_profile(field: str) -> str:
    return "Räkna med mig" if field == "name" else ""


_profile_methods("Name", "name", 64)
_profile_methods("Description", "description", 512)
_profile_methods("ShortDescription", "short_description", 120)
