"""The command menus, built in one place and registered per language with setMyCommands."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.i18n.languages import LANGUAGES
from bot.i18n.translator import N_, Translator

log = logging.getLogger(__name__)

PARTICIPANT: tuple[tuple[str, str], ...] = (
    ("continue", N_("go on where you stopped")),
    ("progress", N_("see how far you have come")),
    ("language", N_("change the language")),
    ("settings", N_("reminder time and pauses")),
    ("mydata", N_("see what is stored about you")),
    ("delete", N_("erase your data")),
    ("help", N_("what the bot can do")),
)

__all__ = ["PARTICIPANT", "register_menus", "set_chat_menu"]


def menu(tr: Translator, entries: tuple[tuple[str, str], ...] = PARTICIPANT) -> list[BotCommand]:
    return [BotCommand(name, tr._(description)[:256]) for name, description in entries]


async def register_menus(bot: ExtBot[None], translators: dict[str, Translator]) -> None:
    """The default menu for private chats, once per language Telegram clients use."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(menu(translators["sv"]), scope=scope)
    for code in LANGUAGES:
        await bot.set_my_commands(menu(translators[code]), scope=scope, language_code=code)


async def set_chat_menu(bot: ExtBot[None], chat_id: int, code: str, tr: Translator) -> None:
    """The menu in the language the participant chose, which may differ from their phone's."""
    try:
        await bot.set_my_commands(menu(tr), scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:  # a menu is a convenience: never fail a language change
        log.warning("could not set the %s menu for chat %s: %s", code, chat_id, error)
