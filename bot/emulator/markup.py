"""Keyboards: checked the way Telegram checks them before a message is sent.

A keyboard Telegram refuses takes the whole message down with it (a 65-byte
callback_data, a 101st button), so these limits must fail in tests, not in the
participants' phones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import ApiError, bad_request

MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_BYTES = 64
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_INLINE_EXTRAS = ("icon_custom_emoji_id", "style")
_URL = re.compile(r"(https?|tg)://\S+", re.IGNORECASE)

Keyboard = list[list[dict[str, Any]]]


@dataclass(frozen=True)
class Markup:
    """What a reply_markup does to a message and to the chat's keyboard."""

    inline: dict[str, Any] | None = None  # echoed back in Message.reply_markup
    keyboard: list[list[str]] | None = None  # a reply keyboard under the input field
    remove_keyboard: bool = False


def _unparsable() -> ApiError:
    return bad_request("can't parse reply keyboard markup JSON object")


def parse_markup(raw: object, inline_only: bool = False) -> Markup:
    """Check a decoded reply_markup; edits accept an inline keyboard only."""
    if raw is None:
        return Markup()
    if not isinstance(raw, dict):
        raise _unparsable()
    if "inline_keyboard" in raw:
        return Markup(inline=_inline_keyboard(raw["inline_keyboard"]))
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        return Markup(keyboard=_reply_keyboard(raw["keyboard"]))
    if raw.get("remove_keyboard") is True:
        return Markup(remove_keyboard=True)
    if raw.get("force_reply") is True:
        return Markup()
    raise _unparsable()


def _inline_keyboard(rows: object) -> dict[str, Any] | None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard: Field "inline_keyboard" must be an Array')
    checked: Keyboard = [[_inline_button(button) for button in row] for row in rows]
    checked = [row for row in checked if row]
    if sum(len(row) for row in checked) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return {"inline_keyboard": checked} if checked else None


def _inline_button(button: object) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        _check_callback_data(button["callback_data"])
    if "url" in button:
        _check_url(button["url"])
    kept = ("text", actions[0], *_INLINE_EXTRAS)
    return {name: button[name] for name in kept if name in button}


def _check_callback_data(data: object) -> None:
    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def _check_url(url: object) -> None:
    if not isinstance(url, str) or not _URL.fullmatch(url):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _reply_keyboard(rows: object) -> list[list[str]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse reply keyboard markup: Field "keyboard" must be an Array')
    texts = [[_reply_button_text(button) for button in row] for row in rows]
    return [row for row in texts if row]


def _reply_button_text(button: object) -> str:
    text = button.get("text") if isinstance(button, dict) else button
    if not isinstance(text, str) or not text:
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    return text


def view_buttons(inline: dict[str, Any] | None) -> list[list[dict[str, str]]]:
    """The inline keyboard as the chat view shows it: text plus data or url."""
    if inline is None:
        return []
    rows: list[list[dict[str, str]]] = []
    for row in inline["inline_keyboard"]:
        shown: list[dict[str, str]] = []
        for button in row:
            item = {"text": button["text"]}
            if "callback_data" in button:
                item["data"] = button["callback_data"]
            elif "url" in button:
                item["url"] = button["url"]
            shown.append(item)
        rows.append(shown)
    return rows
