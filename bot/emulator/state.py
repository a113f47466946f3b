"""The emulated side of Telegram: users, their private chats with the bot, files, menus.

Plain Python (asyncio only for waiting), so tests can drive it without HTTP and
the benchmark's hundreds of users cost a dict lookup each. The HTTP layers
(api.py for the bot, control.py for the simulated users) only translate.
Whoever shows the chats (the preview page) subscribes to changes with
``subscribe``: listeners are called with the user id whenever that chat changes.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.commands import CommandMenus
from bot.emulator.faults import Fault, Faults
from bot.emulator.flood import FloodLimits
from bot.emulator.formatting import Entity
from bot.emulator.markup import Markup, view_buttons
from bot.emulator.media import FileIds, StoredFile, guess_mime, image_mime, photo_sides
from bot.emulator.updates import Activity, Update, UpdateQueue, WebhookQueue

log = logging.getLogger(__name__)

BOT_FIRST_NAME = "Räkna med mig"
BOT_USERNAME = "rakna_med_mig_bot"
CHAT_ACTION_SECONDS = 5.0
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?")

Listener = Callable[[int], None]


@dataclass
class ChatMessage:
    """One message of a private chat, from the bot or from the user."""

    message_id: int
    from_bot: bool
    date: int
    text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    media: StoredFile | None = None
    inline: dict[str, Any] | None = None
    edit_date: int | None = None
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class UserChat:
    """A user and their private chat with the bot (in a private chat, chat id = user id)."""

    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    answers: list[dict[str, Any]] = field(default_factory=list)
    keyboard: list[list[str]] | None = None
    action: str | None = None
    action_at: float = 0.0
    _next_id: int = 1

    def new_message_id(self) -> int:
        """Message ids grow per chat and are shared by both sides, as in Telegram."""
        message_id = self._next_id
        self._next_id += 1
        return message_id

    def user_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        return user | {key: value for key, value in optional.items() if value}

    def chat_json(self) -> dict[str, Any]:
        chat: dict[str, Any] = {
            "id": self.user_id,
            "type": "private",
            "first_name": self.first_name,
        }
        optional = {"last_name": self.last_name, "username": self.username}
        return chat | {key: value for key, value in optional.items() if value}

    @property
    def chat_instance(self) -> str:
        return str(-(self.user_id * 7919 + 104729))


@dataclass
class CallbackQuery:
    """A press the bot has yet to answer (answerCallbackQuery works once)."""

    query_id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class WebhookConfig:
    """What setWebhook set, plus the last delivery error getWebhookInfo reports."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True, slots=True)
class BotProfile:
    """Who a bot is, as getMe tells it."""

    first_name: str = BOT_FIRST_NAME
    username: str = BOT_USERNAME


def now() -> int:
    return int(time.time())


class EmulatorState:
    """Everything the emulated Telegram knows; one instance per emulator."""

    def __init__(self, bot: BotProfile | None = None) -> None:
        self.bot_id = 0
        self.default_bot = bot or BotProfile()
        self.bots: dict[int, BotProfile] = {}
        self.chats: dict[int, UserChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        self.file_ids = FileIds()
        self.menus = CommandMenus()
        self.profile: dict[tuple[str, str], str] = {}
        self.faults = Faults()
        self.flood: FloodLimits | None = None
        """Telegram's flood limits, when the emulator runs in flood mode."""
        self.calls: Counter[str] = Counter()
        self.updates = UpdateQueue()
        self.activity = Activity()
        self.webhook: WebhookConfig | None = None
        self.webhook_changed: list[Callable[[], None]] = []
        self.queries: dict[str, CallbackQuery] = {}
        self.listeners: list[Listener] = []
        self._query_ids = itertools.count(4_382_000_000_000_000_001)
        self._media_groups = itertools.count(13_946_582_710_000_001)

    # --- the bot ---------------------------------------------------------------------

    def use_token(self, token: str) -> None:
        """The bot is whoever the token says: its id is the token's leading digits."""
        self.bot_id = int(token.split(":", 1)[0])

    def add_bot(self, token: str, profile: BotProfile) -> None:
        """A bot of its own for this token (each token is one bot, as on Telegram)."""
        self.bots[int(token.split(":", 1)[0])] = profile

    def bot_json(self, full: bool = False) -> dict[str, Any]:
        """The bot as a User; getMe (full) adds the bot-only fields."""
        profile = self.bots.get(self.bot_id, self.default_bot)
        bot: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": profile.first_name,
            "username": profile.username,
        }
        if full:
            bot |= {
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        return bot

    # --- listeners -------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call listener(user_id) on every change to that user's chat; returns unsubscribe."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def notify(self, user_id: int) -> None:
        for listener in list(self.listeners):
            try:
                listener(user_id)
            except Exception:
                log.exception("chat listener failed for user %s", user_id)

    # --- users -----------------------------------------------------------------------

    def user(self, user_id: int, **profile: str | None) -> UserChat:
        """The user's chat, created on first contact; given names and language are kept."""
        chat = self.chats.get(user_id)
        if chat is None:
            chat = UserChat(user_id, profile.get("first_name") or f"User {user_id}")
            self.chats[user_id] = chat
        for name in ("first_name", "last_name", "username", "language_code"):
            value = profile.get(name)
            if value:
                setattr(chat, name, value)
        return chat

    def user_message(self, user_id: int, text: str, **profile: str | None) -> tuple[Update, int]:
        """A user types text; a leading /command gets its bot_command entity."""
        chat = self.user(user_id, **profile)
        message = ChatMessage(chat.new_message_id(), False, now(), text=text)
        command = _COMMAND.match(text)
        if command:
            message.entities = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return self._from_user(chat, message), message.message_id

    def user_upload(
        self, user_id: int, kind: str, upload: tuple[str | None, str | None, bytes], **extra: Any
    ) -> tuple[Update, int, str]:
        """A user sends a photo, document or voice note; answers the update, message, file."""
        file_name, mime_type, data = upload
        caption = extra.pop("caption", None)
        chat = self.user(user_id, **extra.pop("profile", {}))
        stored = self.store_file(kind, data, file_name, mime_type, **extra)
        message = ChatMessage(chat.new_message_id(), False, now(), media=stored, caption=caption)
        return self._from_user(chat, message), message.message_id, stored.file_id

    def _from_user(self, chat: UserChat, message: ChatMessage) -> Update:
        chat.messages[message.message_id] = message
        update = self.updates.push("message", self.message_json(chat, message), chat.user_id)
        self.notify(chat.user_id)
        return update

    def block(self, user_id: int, blocked: bool = True) -> Update:
        """The user blocks (or unblocks) the bot: a my_chat_member update, and from then on
        every message to them is refused with 403, as Telegram does."""
        chat = self.user(user_id)
        member = {"user": self.bot_json(), "status": "member"}
        kicked = {"user": self.bot_json(), "status": "kicked", "until_date": 0}
        body = {
            "chat": chat.chat_json(),
            "from": chat.user_json(),
            "date": now(),
            "old_chat_member": member if blocked else kicked,
            "new_chat_member": kicked if blocked else member,
        }
        self.faults.clear(user_id)
        if blocked:
            self.faults.add(
                Fault(403, user_id=user_id, description="Forbidden: bot was blocked by the user")
            )
        update = self.updates.push("my_chat_member", body, user_id)
        self.notify(user_id)
        return update

    def user_press(self, user_id: int, message_id: int, data: str) -> tuple[Update, str]:
        """A user presses a button, or a hostile client forges any callback data at all."""
        chat = self.user(user_id)
        query = CallbackQuery(str(next(self._query_ids)), user_id, message_id, data)
        self.queries[query.query_id] = query
        body: dict[str, Any] = {
            "id": query.query_id,
            "from": chat.user_json(),
            "message": self._pressed_message(chat, message_id),
            "chat_instance": chat.chat_instance,
            "data": data,
        }
        return self.updates.push("callback_query", body, user_id), query.query_id

    def _pressed_message(self, chat: UserChat, message_id: int) -> dict[str, Any]:
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            return {"chat": chat.chat_json(), "message_id": message_id, "date": 0}
        return self.message_json(chat, message)

    # --- the bot's messages ----------------------------------------------------------

    def new_media_group_id(self) -> str:
        """An album's id: the decimal text of a positive 64-bit number, new for each album."""
        return str(next(self._media_groups))

    def bot_message(self, chat: UserChat, markup: Markup, **content: Any) -> ChatMessage:
        """Store a message the bot sent and apply its keyboard to the chat."""
        message = ChatMessage(chat.new_message_id(), True, now(), inline=markup.inline, **content)
        chat.messages[message.message_id] = message
        if markup.keyboard is not None:
            chat.keyboard = markup.keyboard
        elif markup.remove_keyboard:
            chat.keyboard = None
        chat.action = None
        self.notify(chat.user_id)
        return message

    def edit(self, chat: UserChat, message: ChatMessage, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = now()
        self.notify(chat.user_id)

    def delete(self, chat: UserChat, message: ChatMessage) -> None:
        message.deleted = True
        self.notify(chat.user_id)

    def set_action(self, chat: UserChat, action: str) -> None:
        chat.action, chat.action_at = action, time.monotonic()
        self.notify(chat.user_id)

    def answer(self, query: CallbackQuery, answer: dict[str, Any]) -> None:
        query.answered = True
        chat = self.chats[query.user_id]
        chat.answers.append({"callback_query_id": query.query_id, **answer})
        self.notify(chat.user_id)

    def message_json(
        self, chat: UserChat, message: ChatMessage, nested: bool = False
    ) -> dict[str, Any]:
        """The Message object Telegram would send for this message."""
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_json() if message.from_bot else chat.user_json(),
            "chat": chat.chat_json(),
            "date": message.date,
        }
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        body |= _content_json(message)
        body |= {key: value for key, value in message.extra.items() if not nested}
        if message.inline is not None:
            body["reply_markup"] = message.inline
        return body

    # --- files -----------------------------------------------------------------------

    def store_file(
        self,
        kind: str,
        data: bytes | None,
        file_name: str | None = None,
        mime_type: str | None = None,
        **details: Any,
    ) -> StoredFile:
        """Keep a file and issue its ids; a photo becomes its set of sizes."""
        if kind == "photo":
            return self._store_photo(data, file_name, mime_type, **details)
        return self._register(kind, data, file_name, guess_mime(file_name, mime_type), **details)

    def _store_photo(
        self, data: bytes | None, file_name: str | None, mime_type: str | None, **details: Any
    ) -> StoredFile:
        width, height = details.pop("width", 0), details.pop("height", 0)
        mime = image_mime(data) or guess_mime(file_name, mime_type) or "image/jpeg"
        sizes = [
            self._register("photo", data, file_name, mime, width=w, height=h, **details)
            for w, h in photo_sides(width, height)
        ]
        for size in sizes:
            size.siblings = sizes
        return sizes[-1]

    def _register(
        self, kind: str, data: bytes | None, file_name: str | None, mime: str | None, **details: Any
    ) -> StoredFile:
        file_id, unique_id, path = self.file_ids.issue(kind, file_name)
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime,
            file_path=path,
            **details,
        )
        self.files[file_id] = stored
        self.file_paths[path] = stored
        return stored

    # --- webhook ---------------------------------------------------------------------

    def set_webhook(self, config: WebhookConfig, drop_pending: bool) -> None:
        """Deliver to config.url from now on, starting over with a fresh delivery queue."""
        self.updates.detach_webhook(drop_pending)
        self.updates.set_allowed(config.allowed_updates)
        self.updates.attach_webhook(WebhookQueue())
        self.webhook = config
        self._webhook_changed()

    def delete_webhook(self, drop_pending: bool) -> None:
        self.updates.detach_webhook(drop_pending)
        self.webhook = None
        self._webhook_changed()

    def _webhook_changed(self) -> None:
        for listener in self.webhook_changed:
            listener()

    def webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": self.updates.pending_count,
        }
        if self.webhook is None:
            return info
        optional = {
            "ip_address": self.webhook.ip_address,
            "last_error_date": self.webhook.last_error_date,
            "last_error_message": self.webhook.last_error_message,
            "max_connections": self.webhook.max_connections,
            "allowed_updates": self.webhook.allowed_updates,
        }
        return info | {key: value for key, value in optional.items() if value is not None}

    # --- views and housekeeping ------------------------------------------------------

    def chat_view(self, user_id: int) -> dict[str, Any]:
        """The chat as a person sees it: every message in order, and the press answers."""
        chat = self.chats.get(user_id)
        if chat is None:
            return {"messages": [], "answers": [], "keyboard": None, "chat_action": None}
        acting = time.monotonic() - chat.action_at < CHAT_ACTION_SECONDS
        return {
            "user": chat.user_json(),
            "messages": [_view(message) for message in chat.messages.values()],
            "answers": list(chat.answers),
            "keyboard": chat.keyboard,
            "chat_action": chat.action if acting else None,
        }

    def reset(self, everything: bool = False) -> None:
        """Forget users, chats, files, faults, counts and pending updates.

        The bot's own configuration (its webhook and command menus, set once at
        start-up) survives unless everything is asked for, so a bot that keeps
        running between tests is not left deaf or without menus.
        """
        users = list(self.chats)
        self.chats.clear()
        self.files.clear()
        self.file_paths.clear()
        self.faults.clear()
        self.calls.clear()
        self.queries.clear()
        self.updates.clear()
        if everything:
            self.menus.clear()
            self.profile.clear()
            if self.webhook is not None:
                self.delete_webhook(drop_pending=True)
        for user_id in users:
            self.notify(user_id)


def _content_json(message: ChatMessage) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if message.text is not None:
        body["text"] = message.text
        if message.entities:
            body["entities"] = message.entities
    media = message.media
    if media is not None:
        body[media.kind] = media.photo_sizes() if media.kind == "photo" else media.to_json()
    if message.caption:
        body["caption"] = message.caption
        if message.caption_entities:
            body["caption_entities"] = message.caption_entities
    return body


def _view(message: ChatMessage) -> dict[str, Any]:
    """One message as the chat view (tests, the preview page) shows it."""
    item: dict[str, Any] = {
        "message_id": message.message_id,
        "from": "bot" if message.from_bot else "user",
        "text": message.text,
        "caption": message.caption or None,
        "buttons": view_buttons(message.inline),
        "edited": message.edit_date is not None,
        "deleted": message.deleted,
        "date": message.date,
    }
    if message.entities:
        item["entities"] = message.entities
    if message.caption_entities:
        item["caption_entities"] = message.caption_entities
    if message.media is not None:
        item[message.media.kind] = _media_view(message.media)
    if "media_group_id" in message.extra:
        item["media_group_id"] = message.extra["media_group_id"]
    return item


def _media_view(media: StoredFile) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "url": f"/emulator/media/{media.file_id}",
        "file_name": media.file_name,
        "mime_type": media.mime_type,
    }
    if media.kind == "photo":
        shown |= {"width": media.width, "height": media.height}
    if media.kind in {"voice", "audio"}:
        shown["duration"] = media.duration
    return shown
