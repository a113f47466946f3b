"""Bot command menus per scope and language, resolved the way Telegram resolves them.

The course shows its commands in the participant's language; which list a user
actually sees depends on Telegram's fallback order, so the emulator applies the
same order and tests can ask what a given user would see.
"""

from __future__ import annotations

import re
from typing import Any

from bot.emulator.errors import bad_request

MAX_COMMANDS = 100
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_PLAIN_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
_CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")

Command = dict[str, str]


def scope_key(raw: object) -> str:
    """A stable key for a BotCommandScope: "default", "chat:42", "chat_member:42:7"."""
    if raw is None:
        return "default"
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = raw["type"]
    if kind in _PLAIN_SCOPES:
        return str(kind)
    if kind not in _CHAT_SCOPES:
        raise bad_request("unsupported bot command scope type")
    if "chat_id" not in raw:
        raise bad_request('can\'t parse BotCommandScope: Field "chat_id" must be present')
    key = f"{kind}:{raw['chat_id']}"
    if kind == "chat_member":
        if "user_id" not in raw:
            raise bad_request('can\'t parse BotCommandScope: Field "user_id" must be present')
        key += f":{raw['user_id']}"
    return key


def language(code: str | None) -> str:
    """A language_code for a command list: empty, or two lowercase letters."""
    code = code or ""
    if code and not _LANGUAGE.fullmatch(code):
        raise bad_request("LANG_CODE_INVALID")
    return code


def check_commands(raw: object) -> list[Command]:
    """The BotCommand list of setMyCommands, refused where Telegram refuses it."""
    if not isinstance(raw, list):
        raise bad_request("can't parse commands JSON object")
    if len(raw) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked: list[Command] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.fullmatch(command.lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": command.lower(), "description": description})
    return checked


class CommandMenus:
    """Command lists stored per (scope, language)."""

    def __init__(self) -> None:
        self._lists: dict[tuple[str, str], list[Command]] = {}

    def set(self, scope: str, language_code: str, commands: list[Command]) -> None:
        if commands:
            self._lists[(scope, language_code)] = commands
        else:
            self._lists.pop((scope, language_code), None)

    def get(self, scope: str, language_code: str) -> list[Command]:
        return list(self._lists.get((scope, language_code), []))

    def delete(self, scope: str, language_code: str) -> None:
        self._lists.pop((scope, language_code), None)

    def clear(self) -> None:
        self._lists.clear()

    def for_user(self, user_id: int, language_code: str | None) -> list[Command]:
        """What a user sees in a private chat: chat scope, then all private chats, then
        default; within each, the user's language before the language-less list."""
        languages = [language_code, ""] if language_code else [""]
        for scope in (f"chat:{user_id}", "all_private_chats", "default"):
            for code in languages:
                found = self._lists.get((scope, code))
                if found:
                    return list(found)
        return []

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"scope": scope, "language_code": code, "commands": commands}
            for (scope, code), commands in self._lists.items()
        ]
