"""Putting rendered messages into a chat, and what to do when Telegram says no.

Every call goes through the rate limiter (bot/telegram/pacing.py), which paces,
waits out a 429 for its chat only and tries 5xx, timeouts and network errors
again with backoff. What still fails after that is not lost: the rest of the
reply is logged, counted and kept in the database (bot/storage/undelivered.py),
and the next message to that chat (the person's next press or /continue) sends it
first. A 403 means the participant blocked the bot: they are marked inactive and
nothing else is sent. A 400 is a mistake of the bot's own and goes up to the error
handler. Images are uploaded once and then sent by file_id.

Text messages and edits, the bulk of every reply, go out through
:func:`call_raw`: PTB builds the request and maps Telegram's errors as for its
typed methods, but the answer stays the JSON Telegram sent. Building a PTB
``Message`` (with its chat, sender and keyboard) from every answer took about
a sixth of the event loop's time under load, and the bot reads only the id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.media.pictures import PictureError, photo_file
from bot.storage import participants, undelivered
from bot.telegram.context import BotContext
from bot.telegram.outgoing import AlbumPhoto, Button, Keyboard, Outgoing, fit, keyboard
from bot.telegram.pacing import is_transient
from bot.telegram.runtime import Runtime

log = logging.getLogger(__name__)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the press's spinner (with a short notice); a failure is logged, never raised.

    Telegram needs the answer only for the spinner: nothing the person is shown
    may wait for it or fail with it.
    """
    try:
        await query.answer(text)
    except TelegramError as error:
        log.warning("could not answer the press %s: %s", query.id, error)


def answer_alongside(query: CallbackQuery | None) -> asyncio.Task[None] | None:
    """Answer the press while the reply is made and sent; :func:`answered` waits for it."""
    if query is None:
        return None
    task = asyncio.create_task(answer_query(query))
    _answering.add(task)  # held until done, even if the handler fails before waiting
    task.add_done_callback(_answering.discard)
    return task


async def answered(task: asyncio.Task[None] | None) -> None:
    """Wait for a press's answer started by :func:`answer_alongside` (it never raises)."""
    if task is not None:
        await task


_answering: set[asyncio.Task[None]] = set()


async def call_raw(bot: Bot, endpoint: str, data: dict[str, Any]) -> Any:
    """One Bot API call through PTB (rate limiter, counting, error mapping), answer unparsed.

    ``None`` values are left out, as PTB's typed methods do; values are sent as
    JSON (PTB's own objects too, serialised as its typed methods would). Returns Telegram's
    ``result``: a dict for a message, True for an edit of an inline message.
    """
    return await bot._post(endpoint, data)


def message_id_of(result: Any) -> int:
    """The id of the message a raw send or edit answered with (0 when there is none)."""
    return int(result["message_id"]) if isinstance(result, dict) else 0


class _NotTaken(Exception):
    """Telegram did not take a message after every retry: keep it and the rest."""

    def __init__(self, error: TelegramError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of a reply: the messages now showing buttons, or that the chat is gone."""

    shown: list[int] = field(default_factory=list)
    """Ids of the messages that now show buttons, oldest first."""
    blocked: bool = False
    """The person blocked the bot: nothing was sent, and they are marked inactive."""


async def send_all(
    context: BotContext,
    chat_id: int,
    messages: Sequence[Outgoing],
    pressed: Message | None = None,
    *,
    keep: bool = True,
) -> Delivery:
    """Send in order; an ``edit`` message replaces the pressed one when there is one.

    Messages kept from an earlier reply go first, so the chat reads in order. With
    ``keep=False`` (the scheduler's broadcasts) what Telegram does not take is not
    kept but raised, so the scheduler tries that item again itself.
    """
    rt = context.runtime
    pieces = [piece for whole in messages for piece in fit(whole)]
    with_buttons: list[int] = []
    try:
        if chat_id in rt.undelivered_chats and not await _send_kept(context, rt, chat_id):
            await _keep(rt, chat_id, pieces)
            return Delivery(with_buttons)
        for index, message in enumerate(pieces):
            try:
                shown = await _put(context, rt, chat_id, message, pressed)
            except _NotTaken as refused:
                if not keep:
                    raise refused.error from None
                await _keep(rt, chat_id, pieces[index:])
                return Delivery(with_buttons)
            if message.buttons and shown:
                with_buttons.append(shown)
    except Forbidden:
        log.info("a participant blocked the bot; marked inactive")
        await participants.mark_blocked(rt.db, chat_id)
        return Delivery(with_buttons, blocked=True)
    return Delivery(with_buttons)


async def _put(
    context: BotContext, rt: Runtime, chat_id: int, message: Outgoing, pressed: Message | None
) -> int:
    """One message out (or the pressed one edited); the id of the message now showing it."""
    try:
        if message.edit and pressed is not None and await _edit(pressed, message):
            return pressed.message_id
        if message.edit and not message.text:
            return 0  # "take the pressed card's buttons away", with no card pressed
        return await _send(context, rt, chat_id, message)
    except TelegramError as error:
        if isinstance(error, RetryAfter) or is_transient(error):
            rt.failed_sends += 1
            log.warning("Telegram did not take a message for chat %s: %s", chat_id, error)
            raise _NotTaken(error) from error
        raise


async def _send_kept(context: BotContext, rt: Runtime, chat_id: int) -> bool:
    """Send what an earlier reply left behind; False (keeping the rest) if it fails again."""
    sent: list[int] = []
    try:
        for row_id, stored in await undelivered.waiting(rt.db, chat_id):
            await _put(context, rt, chat_id, _decode(stored), None)
            sent.append(row_id)
    except _NotTaken:
        return False
    finally:
        await undelivered.delivered(rt.db, sent)
    rt.undelivered_chats.discard(chat_id)
    log.info("sent %d kept message(s) to chat %s", len(sent), chat_id)
    return True


async def _keep(rt: Runtime, chat_id: int, pieces: Sequence[Outgoing]) -> None:
    # Taking an old card's buttons away means nothing later: only what the person reads.
    pieces = [piece for piece in pieces if piece.text or piece.photo or piece.audio or piece.album]
    if pieces:
        await undelivered.keep(rt.db, chat_id, [_encode(piece) for piece in pieces])
        rt.undelivered_chats.add(chat_id)
        log.warning("kept %d message(s) for chat %s to send later", len(pieces), chat_id)


def _encode(message: Outgoing) -> str:
    """A kept message as JSON; an edit becomes a message of its own (the press is gone)."""
    body: dict[str, Any] = {
        "text": message.text,
        "buttons": [[[b.text, b.data] for b in row] for row in message.buttons],
        "photo": None if message.photo is None else str(message.photo),
        "audio": None if message.audio is None else str(message.audio),
        "album": [[str(photo.path), photo.caption] for photo in message.album],
    }
    return orjson.dumps(body).decode()


def _decode(stored: str) -> Outgoing:
    body = orjson.loads(stored)
    message = Outgoing(
        str(body["text"]),
        tuple(tuple(Button(text, data) for text, data in row) for row in body["buttons"]),
    )
    photo, audio = body.get("photo"), body.get("audio")
    return replace(
        message,
        photo=None if photo is None else Path(photo),
        audio=None if audio is None else Path(audio),
        album=tuple(AlbumPhoto(Path(path), caption) for path, caption in body.get("album", [])),
    )


async def _send(context: BotContext, rt: Runtime, chat_id: int, message: Outgoing) -> int:
    """Send one message; returns its id."""
    if message.album:
        await _send_album(context, rt, chat_id, message.album)
        return 0  # an album has no buttons
    markup = keyboard(message)
    photo = None if message.photo is None else await _photo(rt, message.photo)
    if photo is not None:
        sent = await context.bot.send_photo(
            chat_id,
            _file(rt, photo),
            caption=message.text or None,
            reply_markup=None if markup is None else InlineKeyboardMarkup.de_json(markup, None),
            filename=photo.name,
        )
        _remember(rt, photo, sent)
        shown = sent.message_id
    elif message.text:
        text = {"chat_id": chat_id, "text": message.text, "reply_markup": markup}
        shown = message_id_of(await call_raw(context.bot, "sendMessage", text))
    else:
        shown = 0  # a picture that could not be built, with no text of its own
    if message.audio is not None:
        audio = message.audio
        sent = await context.bot.send_voice(chat_id, _file(rt, audio), filename=audio.name)
        _remember(rt, audio, sent)
    if message.document is not None:
        attached = message.document
        await context.bot.send_document(chat_id, attached.content, filename=attached.filename)
    return shown


async def _send_album(
    context: BotContext, rt: Runtime, chat_id: int, album: Sequence[AlbumPhoto]
) -> None:
    """The pictures as one album, each under its caption; a picture that cannot be built
    is left out (the others keep their letters), and one left alone goes as a photo."""
    built = [(png, photo.caption) for photo in album if (png := await _photo(rt, photo.path))]
    if len(built) == 1:
        png, caption = built[0]
        sent_alone = await context.bot.send_photo(
            chat_id, _file(rt, png), caption=caption, filename=png.name
        )
        _remember(rt, png, sent_alone)
        return
    if not built:
        return
    media = [
        InputMediaPhoto(_file(rt, png), caption=caption, filename=png.name)
        for png, caption in built
    ]
    sent = await context.bot.send_media_group(chat_id, media)
    for (png, _caption), message in zip(built, sent, strict=False):
        _remember(rt, png, message)


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


NOT_EDITABLE = ("message can't be edited", "message to edit not found", "message_id_invalid")
"""What Telegram says when the pressed message is not the bot's, or is gone."""


async def _edit(pressed: Message, message: Outgoing) -> bool:
    """Edit the pressed message; False when it cannot be edited (not the bot's, deleted),
    so the caller sends the message anew: a valid press is answered, never apologised for."""
    try:
        await edit_raw(
            pressed.get_bot(),
            pressed.chat_id,
            pressed.message_id,
            keyboard(message),
            message.text,
            caption=bool(pressed.photo),
        )
    except BadRequest as error:
        said = str(error).lower()
        if any(reason in said for reason in NOT_EDITABLE):
            log.info("the pressed message cannot be edited (%s): sent anew", said)
            return False
        if "not modified" not in said:
            raise
    return True


async def edit_raw(
    bot: Bot,
    chat_id: int,
    message_id: int,
    markup: Keyboard | None,
    text: str = "",
    *,
    caption: bool = False,
) -> None:
    """New buttons for a message (``None``: none left) and, given ``text``, new words.

    ``caption``: the message is a photo, whose words are its caption. Telegram's
    refusals come up as PTB's exceptions, for the caller to judge.
    """
    data: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "reply_markup": markup}
    if not text:  # the words stay, only the buttons change
        await call_raw(bot, "editMessageReplyMarkup", data)
    elif caption:
        await call_raw(bot, "editMessageCaption", {**data, "caption": text})
    else:
        await call_raw(bot, "editMessageText", {**data, "text": text})
