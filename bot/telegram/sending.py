"""Putting rendered messages into a chat, and what to do when Telegram says no.

A 429 is waited out by the rate limiter, which retries, so the message still
goes. A 403 means the participant blocked the bot: they are marked inactive
and nothing else is sent. Images are uploaded once and then sent by file_id.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from telegram import Message
from telegram.error import BadRequest, Forbidden

from bot.storage import participants
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Outgoing, fit, keyboard
from bot.telegram.runtime import Runtime

log = logging.getLogger(__name__)


async def send_all(
    context: BotContext,
    chat_id: int,
    messages: Sequence[Outgoing],
    pressed: Message | None = None,
) -> bool:
    """Send in order; an ``edit`` message replaces the pressed one when there is one.

    False when the chat has blocked the bot (the scheduler counts that recipient
    as failed and pauses them); any other error is raised for the caller to retry.
    """
    rt = context.runtime
    try:
        for message in (piece for whole in messages for piece in fit(whole)):
            if message.edit and pressed is not None:
                await _edit(context, pressed, message)
            else:
                await _send(context, rt, chat_id, message)
    except Forbidden:
        log.info("chat %s blocked the bot; marking the participant inactive", chat_id)
        await participants.mark_blocked(rt.db, chat_id)
        return False
    return True


async def _send(context: BotContext, rt: Runtime, chat_id: int, message: Outgoing) -> None:
    markup = keyboard(message)
    if message.photo is not None:
        sent = await context.bot.send_photo(
            chat_id, _file(rt, message.photo), caption=message.text or None, reply_markup=markup
        )
        _remember(rt, message.photo, sent)
    else:
        await context.bot.send_message(chat_id, message.text, reply_markup=markup)
    if message.audio is not None:
        sent = await context.bot.send_voice(chat_id, _file(rt, message.audio))
        _remember(rt, message.audio, sent)


def _file(rt: Runtime, path: Path) -> str | bytes:
    return rt.file_ids.get(path) or path.read_bytes()


def _remember(rt: Runtime, path: Path, sent: Message) -> None:
    if sent.photo:
        rt.file_ids[path] = sent.photo[-1].file_id
    elif sent.voice:
        rt.file_ids[path] = sent.voice.file_id


async def _edit(context: BotContext, pressed: Message, message: Outgoing) -> None:
    markup = keyboard(message)
    try:
        if pressed.photo:
            await pressed.edit_caption(caption=message.text, reply_markup=markup)
        else:
            await pressed.edit_text(message.text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
