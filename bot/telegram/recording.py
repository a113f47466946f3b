"""The recording mode: a reader reads the course aloud in Telegram, card by card.

A reader (given the role by ``python -m bot readers add``) writes /record. The bot
shows the first card of their language that has no recording of its current
wording; the reader answers with a voice note, which the bot fetches (getFile
and the file download: readers' recordings are course content, a participant's
uploads are still never fetched) and keeps in ``MEDIA_DIR`` under the card's key
and the hash of the wording the reader saw. Then the next card. "Again" records
the last one anew, "Skip" moves on, "Stop" ends. The session lives in the
database, so a voice note after a restart still lands on the card it was for,
and a card reworded while the reader read it is shown again, never stored under
the new words.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.course.model import Lesson
from bot.i18n.languages import is_rtl, native_name
from bot.i18n.text import paragraph
from bot.i18n.translator import N_
from bot.media.speech import Card, Script, VoiceStore, cards, find_card, is_ogg
from bot.storage import readers
from bot.storage.readers import Session
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Button, Outgoing
from bot.telegram.sending import answer_query, send_all

log = logging.getLogger(__name__)
MAX_RECORDING_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download

NOT_A_READER = N_("Only readers can record the course. The administrator gives that role.")
WHICH_LANGUAGE = N_(
    "You read several languages. Write /record and the language, e.g. /record {code}."
)
NOT_YOUR_LANGUAGE = N_("You are no reader of that language. You read: {languages}.")
READ_THIS = N_(
    "Recording in {language}: {left} texts left. Read this aloud and send it as a voice note:"
)
ALL_DONE = N_("Every text in {language} has a recording now. Thank you!")
SAVED = N_("✅ Saved.")
STOPPED = N_("Recording stopped. Thank you! /record goes on where you stopped.")
CHANGED = N_("This text was changed while you read it. Here it is as it is now.")
NOT_OGG = N_("I can only keep a voice note (OGG/Opus). Please record it with the microphone.")
NOT_FETCHED = N_("I could not fetch the voice note. Please send it again.")
NO_SESSION = N_("The recording is not open. Write /record to start.")


async def record_command(update: Update, context: BotContext) -> None:
    """/record [language]: open the recording mode on the first card left to record."""
    rt, tr, reader_id = context.runtime, context.tr, context.reader.telegram_id
    languages = await readers.languages_of(rt.db, reader_id)
    wanted = context.args[0].strip().lower() if context.args else None
    if not languages:
        await _say(context, tr._(NOT_A_READER))
        return
    if wanted is None and len(languages) > 1:
        await _say(context, tr._(WHICH_LANGUAGE).format(code=languages[0]))
        return
    language = wanted or languages[0]
    if language not in languages:
        await _say(context, tr._(NOT_YOUR_LANGUAGE).format(languages=", ".join(languages)))
        return
    await show_next(context, Session(reader_id, language, None, None))


def left_to_record(
    voices: VoiceStore, lessons: list[tuple[Lesson, Card]], language: str, skipped: tuple[str, ...]
) -> list[tuple[Lesson, Script]]:
    """The cards of this language with no recording of their current wording, in order."""
    left: list[tuple[Lesson, Script]] = []
    for lesson, card in lessons:
        script = voices.script(card, language)
        if script is None or script.key in skipped or voices.recording(script) is not None:
            continue
        left.append((lesson, script))
    return left


async def show_next(context: BotContext, session: Session, *, again: Script | None = None) -> None:
    """Show the next card to record (or ``again`` one) and remember it in the session."""
    rt, tr = context.runtime, context.tr
    voices = rt.voices
    assert voices is not None
    left = left_to_record(voices, list(cards(rt.course)), session.language, session.skipped)
    script = again or (left[0][1] if left else None)
    language = native_name(session.language)
    if script is None:
        await readers.stop(rt.db, session.telegram_id)
        await _say(context, tr._(ALL_DONE).format(language=language))
        return
    await readers.show(
        rt.db,
        session.telegram_id,
        session.language,
        script.key,
        script.recorded_name,
        session.skipped,
    )
    count = len(left) + (again is not None and all(s.key != again.key for _, s in left))
    header = tr._(READ_THIS).format(language=language, left=count)
    wording = paragraph(script.wording, is_rtl(session.language))
    buttons = (
        (
            Button(tr._("Skip"), callbacks.recording("skip")),
            Button(tr._("Stop"), callbacks.recording("stop")),
        ),
    )
    await send_all(
        context, session.telegram_id, [Outgoing(f"{tr.message(header)}\n\n{wording}", buttons)]
    )


def _card_of(context: BotContext, key: str | None) -> tuple[str, Card] | None:
    """The lesson id and card a session's key names, if the course still has it."""
    parts = (key or "").split("/")
    if len(parts) != 3:
        return None
    card = find_card(context.runtime.course, parts[1], parts[2])
    return None if card is None else (parts[1], card)


async def voice_gate(update: Update, context: BotContext) -> None:
    """A reader's voice note in an open session is a recording; anyone else's goes on below."""
    message = update.effective_message
    if message is None or message.voice is None:
        return
    rt = context.runtime
    session = await readers.session(rt.db, context.reader.telegram_id)
    if session is None:
        return  # a participant's voice note: noted as an upload, never fetched
    await _take_recording(context, session, message.voice.file_id, message.voice.file_size)
    raise ApplicationHandlerStop


async def _take_recording(
    context: BotContext, session: Session, file_id: str, size: int | None
) -> None:
    rt, tr = context.runtime, context.tr
    voices = rt.voices
    assert voices is not None
    found = _card_of(context, session.card_key)
    script = None if found is None else voices.script(found[1], session.language)
    if script is None or script.recorded_name != session.wording_hash:
        await _say(context, tr._(CHANGED))
        await show_next(context, session, again=script)
        return
    data = await _download(context, file_id, size)
    if data is None:
        await _say(context, tr._(NOT_FETCHED))
        return
    if not is_ogg(data):
        await _say(context, tr._(NOT_OGG))
        return
    await asyncio.to_thread(voices.store_recording, script, data)
    assert found is not None
    again = Button(tr._("↺ Again"), callbacks.recording("again", found[0], found[1].id))
    await send_all(context, session.telegram_id, [Outgoing(tr.message(tr._(SAVED)), ((again,),))])
    await show_next(context, session)


async def _download(context: BotContext, file_id: str, size: int | None) -> bytes | None:
    """The voice note's bytes, fetched through the bot; None when Telegram will not give them."""
    if size is not None and size > MAX_RECORDING_BYTES:
        return None
    try:
        file = await context.bot.get_file(file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        log.warning("could not fetch a reader's recording: %s", error)
        return None
    return data if len(data) <= MAX_RECORDING_BYTES else None


async def press(update: Update, context: BotContext, pressed: callbacks.Recording) -> None:
    """Skip, Stop or Again: only for a reader with an open session."""
    query = update.callback_query
    assert query is not None
    rt, tr = context.runtime, context.tr
    session = await readers.session(rt.db, context.reader.telegram_id)
    if session is None:
        await answer_query(query, tr._(NO_SESSION))
        return
    await answer_query(query)
    if pressed.action == "stop":
        await readers.stop(rt.db, session.telegram_id)
        await _say(context, tr._(STOPPED))
        return
    if pressed.action == "skip":
        skipped = (*session.skipped, session.card_key) if session.card_key else session.skipped
        moved = Session(session.telegram_id, session.language, None, None, skipped)
        await show_next(context, moved)
        return
    voices = rt.voices
    assert voices is not None
    card = find_card(rt.course, pressed.lesson_id, pressed.item_id)
    script = None if card is None else voices.script(card, session.language)
    await show_next(context, session, again=script)


async def _say(context: BotContext, text: str) -> None:
    tr = context.tr
    await send_all(context, context.reader.telegram_id, [Outgoing(tr.message(text))])
