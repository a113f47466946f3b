"""Putting rendered messages into a chat, and what to do when Telegram says no.

A 429 is waited out by the rate limiter, which retries, so the message still
goes. A 403 means the participant blocked the bot: they are marked inactive
and nothing else is sent. Images are uploaded once and then sent by file_id.

A picture drawn as SVG is sent as the PNG rendered from it (bot/media): `make run`
builds them all first, and one missing (a picture added while the bot runs) is
rendered here, in a thread, so no other participant waits for cairo.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from telegram import Message
from telegram.error import BadRequest, Forbidden

from bot.media.pictures import PictureError, photo_file
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
) -> list[int]:
    """Send in order; an ``edit`` message replaces the pressed one when there is one.

    Returns the ids of the messages that now show buttons, oldest first.
    """
    rt = context.runtime
    with_buttons: list[int] = []
    try:
        for message in (piece for whole in messages for piece in fit(whole)):
            if message.edit and pressed is not None:
                await _edit(context, pressed, message)
                shown = pressed.message_id
            elif message.edit and not message.text:
                continue  # "take the pressed card's buttons away", with no card pressed
            else:
                shown = await _send(context, rt, chat_id, message)
            if message.buttons:
                with_buttons.append(shown)
    except Forbidden:
        log.info("a participant blocked the bot; marked inactive")
        await participants.mark_blocked(rt.db, chat_id)
    return with_buttons


async def _send(context: BotContext, rt: Runtime, chat_id: int, message: Outgoing) -> int:
    """Send one message; returns its id."""
    markup = keyboard(message)
    photo = None if message.photo is None else await _photo(rt, message.photo)
    if photo is not None:
        sent = await context.bot.send_photo(
            chat_id,
            _file(rt, photo),
            caption=message.text or None,
            reply_markup=markup,
            filename=photo.name,
        )
        _remember(rt, photo, sent)
        shown = sent.message_id
    elif message.text:
        sent = await context.bot.send_message(chat_id, message.text, reply_markup=markup)
        shown = sent.message_id
    else:
        shown = 0  # a picture that could not be built, with no text of its own
    if message.audio is not None:
        sent = await context.bot.send_voice(chat_id, _file(rt, message.audio))
        _remember(rt, message.audio, sent)
    if message.document is not None:
        attached = message.document
        await context.bot.send_document(chat_id, attached.content, filename=attached.filename)
    return shown


async def _photo(rt: Runtime, source: Path) -> Path | None:
    """The file to send for a picture; None (the text goes alone) when it cannot be built."""
    try:
        return await asyncio.to_thread(photo_file, source, rt.settings.media_dir)
    except (OSError, PictureError):
        log.exception("the picture %s could not be built; its text is sent without it", source)
        return None


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
        if not message.text:  # the text stays, only the buttons change
            await pressed.edit_reply_markup(reply_markup=markup)
        elif pressed.photo:
            await pressed.edit_caption(caption=message.text, reply_markup=markup)
        else:
            await pressed.edit_text(message.text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
