"""🔊: a card read aloud as a voice note, in the participant's language or in Swedish.

Listening changes nothing in the course, so any card the participant may open can
be heard, the current one or one read before. What is played is the card as it
reads now: audio is named by the hash of the exact wording, so a changed text is
never heard in its old words. A voice file is uploaded once and then sent by the
file_id Telegram gave it (bot/telegram/sending.py); synthetic audio not yet built
is made in a thread, off the event loop, and kept for the next press.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.course import events as ev
from bot.i18n.languages import SOURCE
from bot.i18n.translator import N_
from bot.media.speech import find_card
from bot.storage.records import ParticipantRecord
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Outgoing
from bot.telegram.participant.render import REFUSALS
from bot.telegram.sending import answer_alongside, answer_query, answered, send_all

NO_AUDIO = N_("There is no voice recording of this text yet.")


async def listen(
    update: Update, context: BotContext, person: ParticipantRecord, press: callbacks.Listen
) -> None:
    query = update.callback_query
    assert query is not None
    rt, tr = context.runtime, context.tr
    card = find_card(rt.course, press.lesson_id, press.item_id)
    located = rt.course.locate(press.lesson_id)
    access, _ = await rt.access(person)
    if card is None or located is None or not access.allows(located[0]):
        await answer_query(query, tr._(REFUSALS[ev.Refusal.LOCKED]))
        return
    voices = rt.voices
    assert voices is not None
    language = SOURCE if press.swedish else (person.language or SOURCE)
    script = voices.script(card, language)
    path = None if script is None else await asyncio.to_thread(voices.voice_file, script)
    if path is None:
        await answer_query(query, tr._(NO_AUDIO))
        return
    answering = answer_alongside(query)
    await send_all(context, person.telegram_id, [Outgoing("", audio=path)])
    await answered(answering)
