"""The participant's side of the bot: commands, button presses and uploads.

Handlers stay thin: they turn the update into an engine event, save the
outcome in one transaction keyed by the update id (save first, send second),
then send what the renderer made of the actions. Every press is decoded
strictly and checked by the engine against where the participant stands, so a
stale or forged press gets a polite answer and changes nothing. Who is speaking
was resolved once for the update (``context.reader``); the update processor
runs one person's updates one at a time, so nothing here takes a lock.
"""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.course import events as ev
from bot.course.engine import handle
from bot.course.model import UploadKind
from bot.course.progress import Progress, Stage
from bot.course.summary import summarize
from bot.i18n.languages import LANGUAGES, native_name
from bot.i18n.translator import N_, Translator
from bot.storage import AlreadyExists, AnswerRow, QuizResultRow, commit_update, participants
from bot.storage.records import ParticipantRecord
from bot.telegram import callbacks, commands
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Button, Outgoing, coalesce
from bot.telegram.participant import joining, privacy, review, settings
from bot.telegram.participant.render import REFUSALS
from bot.telegram.sending import send_all

log = logging.getLogger(__name__)
STALE_PRESS = REFUSALS[ev.Refusal.STALE]
START_FIRST = N_("Please write /start first.")


# ---------------------------------------------------------------- commands


async def start(update: Update, context: BotContext) -> None:
    """First contact: the language picker, then the consent screen, then week 1."""
    user = update.effective_user
    if user is None:
        return
    if context.args:  # a deep link's invite code: a coach's, or a participant's for a group
        person = await joining.join_with_code(update, context, context.args[0])
        if person is None:
            return  # answered already: a coach joined, or the code was refused
    else:
        person = context.reader.participant
    if person is None:
        try:
            person = await participants.create(
                context.runtime.db, user.id, user.first_name or "", context.reader.tr.language
            )
        except AlreadyExists:  # stored by another process between the read and now
            person = await participants.get_by_telegram_id(context.runtime.db, user.id)
            if person is None:
                return
    if person.consent_at is None:
        await send_all(context, user.id, [language_picker(context, person.language)])
        return
    if not await review.before_session(update, context, person):
        await apply(update, context, person, ev.Start())


async def continue_(update: Update, context: BotContext) -> None:
    person = await consented(update, context)
    if person is not None and not await review.before_session(update, context, person):
        await apply(update, context, person, ev.Start())


async def show_progress(update: Update, context: BotContext) -> None:
    person = await consented(update, context)
    if person is None:
        return
    rt = context.runtime
    state = Progress.from_json(context.reader.progress)
    text = rt.renderer(person.language).progress(summarize(rt.course, state))
    await send_all(context, person.telegram_id, [Outgoing(text)])


async def language(update: Update, context: BotContext) -> None:
    person = await known(update, context)
    if person is not None:
        await send_all(context, person.telegram_id, [language_picker(context, person.language)])


async def help_(update: Update, context: BotContext) -> None:
    tr = context.tr
    lines = [tr._("I am the Räkna med mig course bot. These commands help you:")]
    lines += [f"/{name} – {tr._(description)}" for name, description in commands.PARTICIPANT]
    await send_all(context, context.reader.telegram_id, [Outgoing(tr.message("\n".join(lines)))])


async def text_message(update: Update, context: BotContext) -> None:
    """Free text: the course is driven by buttons, so point the way."""
    person = await known(update, context)
    if person is None:
        return
    tr = context.tr
    text = tr._("Please use the buttons. Write /continue to see where you are, or /help.")
    await send_all(context, person.telegram_id, [Outgoing(tr.message(text))])


async def upload(update: Update, context: BotContext) -> None:
    """A photo, file or voice message: only the fact and its kind are kept, never the file."""
    message = update.effective_message
    person = await consented(update, context)
    if person is None or message is None:
        return
    if message.photo:
        kind = UploadKind.PHOTO
    elif message.voice or message.audio:
        kind = UploadKind.VOICE
    else:
        kind = UploadKind.DOCUMENT
    await apply(update, context, person, ev.Upload(kind))


# ---------------------------------------------------------------- presses


async def press(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    decoded = callbacks.decode(query.data, context.runtime.course)
    person = context.reader.participant
    if decoded is None:
        await query.answer(context.tr._(STALE_PRESS))
        return
    if isinstance(
        decoded, callbacks.PickLanguage | callbacks.AnswerConsent | callbacks.ConfirmErase
    ):
        await settings_press(update, context, person, decoded)
        return
    if person is None or person.consent_at is None:
        await query.answer(context.tr._(START_FIRST))
        return
    if isinstance(decoded, callbacks.Choice):  # reminders, pauses, memory checks
        if await settings.press(update, context, person, decoded):
            await apply(update, context, person, ev.Continue(), pressed=False)
        return
    await apply(update, context, person, decoded)


async def settings_press(
    update: Update,
    context: BotContext,
    person: ParticipantRecord | None,
    setting: callbacks.Setting,
) -> None:
    query = update.callback_query
    assert query is not None
    match setting:
        case callbacks.PickLanguage(code) if person is not None:
            await query.answer()
            await choose(update, context, person, code)
        case callbacks.AnswerConsent(agreed) if person is not None and person.consent_at is None:
            await query.answer()
            await consent(update, context, person, agreed)
        case callbacks.ConfirmErase(erase) if person is not None:
            await query.answer()
            await privacy.confirm_delete(update, context, person, erase)
        case _:
            await query.answer(context.tr._(STALE_PRESS))


# ---------------------------------------------------------------- language and consent


def language_picker(context: BotContext, current: str | None) -> Outgoing:
    tr = context.runtime.translator(current)
    rows = tuple((Button(native_name(code), callbacks.language(code)),) for code in LANGUAGES)
    text = tr._("Welcome to Räkna med mig! Which language do you want to read in?")
    return Outgoing(tr.message(text), rows)


async def choose(update: Update, context: BotContext, person: ParticipantRecord, code: str) -> None:
    rt = context.runtime
    await participants.set_language(rt.db, person.id, code)
    tr = rt.translator(code)
    await commands.set_chat_menu(context.bot, person.telegram_id, code, tr)
    if person.consent_at is None:
        await send_all(context, person.telegram_id, [consent_screen(tr)])
        return
    said = Outgoing(
        tr.message(tr._("Good! I will write in {language} now.").format(language=native_name(code)))
    )
    await send_all(context, person.telegram_id, [said])
    reader = await context.refresh_reader(update)
    if reader.participant is not None:
        await apply(update, context, reader.participant, ev.Continue(), pressed=False)


def consent_screen(tr: Translator) -> Outgoing:
    text = "\n\n".join(
        [
            tr._("Before we start: what I store, and who sees it."),
            tr._(
                "I store your first name, your language, your group, your answers, "
                "how far you have come and when you were last here. Nothing else. "
                "If you send me a photo or a file, I only note that it arrived; I never keep it."
            ),
            tr._("Your coach sees how you are doing in the course. Nobody else does."),
            tr._(
                "You can see everything I store with /mydata and erase it with /delete, "
                "at any time."
            ),
        ]
    )
    buttons = (
        (Button(tr._("Yes, I agree"), callbacks.consent(True)),),
        (Button(tr._("No, thank you"), callbacks.consent(False)),),
    )
    return Outgoing(tr.message(text), buttons)


async def consent(
    update: Update, context: BotContext, person: ParticipantRecord, agreed: bool
) -> None:
    rt = context.runtime
    tr = rt.translator(person.language)
    if not agreed:
        await participants.erase(rt.db, person.telegram_id)
        text = tr._(
            "All right. I have not kept anything about you. Write /start if you change your mind."
        )
        await send_all(context, person.telegram_id, [Outgoing(tr.message(text))])
        return
    await participants.set_consent(rt.db, person.id)
    await settings.ask_window(context, person)
    reader = await context.refresh_reader(update)
    if reader.participant is not None:
        await apply(update, context, reader.participant, ev.Start(), pressed=False)


# ---------------------------------------------------------------- the course


async def known(update: Update, context: BotContext) -> ParticipantRecord | None:
    """The participant writing, or None after telling a stranger to /start."""
    person = context.reader.participant
    if person is None:
        tr = context.tr
        await send_all(
            context, context.reader.telegram_id, [Outgoing(tr.message(tr._(START_FIRST)))]
        )
    return person


async def consented(update: Update, context: BotContext) -> ParticipantRecord | None:
    person = await known(update, context)
    if person is not None and person.consent_at is None:
        await send_all(context, person.telegram_id, [language_picker(context, person.language)])
        return None
    return person


async def apply(
    update: Update,
    context: BotContext,
    person: ParticipantRecord,
    event: ev.Event,
    *,
    pressed: bool = True,
) -> None:
    """Run one event through the engine: save first, send second, each update once.

    ``pressed=False`` when the event follows from a press already answered
    (a language change, a consent), so the press is not answered twice.
    """
    rt = context.runtime
    query = update.callback_query if pressed else None
    before = Progress.from_json(context.reader.progress)
    access, renderer = await rt.access(person)
    outcome = handle(rt.course, before, event, access)
    refusals = [a for a in outcome.actions if isinstance(a, ev.Refused)]
    if refusals and query is not None:
        await query.answer(renderer.refusal(refusals[0].reason))
        return
    saved = await commit_update(
        rt.db,
        update_id=update.update_id,
        participant_id=person.id,
        progress_state=outcome.progress.to_json() if outcome.progress != before else None,
        answers=[
            AnswerRow(a.week_id, a.lesson_id, a.question_id, a.attempt, a.correct, a.answer)
            for a in outcome.actions
            if isinstance(a, ev.RecordAnswer)
        ],
        quiz_results=[
            QuizResultRow(r.week_id, r.lesson_id, r.run, r.percent, r.passed)
            for r in outcome.actions
            if isinstance(r, ev.RecordQuizResult)
        ],
    )
    if query is not None:
        await query.answer()
    if not saved:
        return
    messages = renderer.render(outcome.actions)
    if isinstance(event, ev.Start) and before.stage is Stage.NEW:
        welcome = Outgoing(renderer.finish(renderer.tr._("Let us begin! Week 1 starts here.")))
        messages = coalesce([welcome, *messages])
    pressed_message = query.message if query is not None else None
    editable = pressed_message if isinstance(pressed_message, Message) else None
    await send_all(context, person.telegram_id, messages, editable)
