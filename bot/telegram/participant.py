"""The participant's side of the bot: commands, button presses and uploads.

Handlers stay thin: they turn the update into an engine event, save the
outcome in one transaction keyed by the update id (save first, send second),
then send what the renderer made of the actions. Every press is decoded
strictly and checked by the engine against where the participant stands, so a
stale or forged press gets a polite answer and changes nothing.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType

from bot.course import events as ev
from bot.course.engine import handle
from bot.course.model import UploadKind
from bot.course.progress import Progress, Stage
from bot.course.summary import summarize
from bot.i18n.languages import LANGUAGES, choose_language, native_name
from bot.i18n.translator import Translator
from bot.storage import (
    AlreadyExists,
    AnswerRow,
    QuizResultRow,
    commit_update,
    participants,
    progress,
)
from bot.storage.records import ParticipantRecord
from bot.telegram import callbacks, commands, joining, privacy
from bot.telegram.render import REFUSALS, Button, Outgoing, coalesce
from bot.telegram.runtime import Context, runtime
from bot.telegram.sending import send_all

log = logging.getLogger(__name__)
STALE_PRESS = REFUSALS[ev.Refusal.STALE]


# ---------------------------------------------------------------- commands


async def start(update: Update, context: Context) -> None:
    """First contact: the language picker, then the consent screen, then week 1."""
    rt, user = runtime(context), update.effective_user
    if user is None or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    if context.args:  # a deep link's invite code: a coach's, or a participant's for a group
        person = await joining.join_with_code(update, context, context.args[0])
        if person is None:
            return  # answered already: a coach joined, or the code was refused
    else:
        person = await participants.get_by_telegram_id(rt.db, user.id)
    if person is None:
        language = choose_language(user.language_code)
        try:
            person = await participants.create(rt.db, user.id, user.first_name or "", language)
        except AlreadyExists:  # a second /start raced the first
            person = await participants.get_by_telegram_id(rt.db, user.id)
            if person is None:
                return
    if person.consent_at is None:
        await send_all(context, user.id, [language_picker(context, person.language)])
        return
    await apply(update, context, person, ev.Start())


async def continue_(update: Update, context: Context) -> None:
    person = await consented(update, context)
    if person is not None:
        await apply(update, context, person, ev.Start())


async def show_progress(update: Update, context: Context) -> None:
    person = await consented(update, context)
    if person is None:
        return
    rt = runtime(context)
    state = Progress.from_json(await progress.load(rt.db, person.id))
    text = rt.renderer(person.language).progress(summarize(rt.course, state))
    await send_all(context, person.telegram_id, [Outgoing(text)])


async def language(update: Update, context: Context) -> None:
    person = await known(update, context)
    if person is not None:
        await send_all(context, person.telegram_id, [language_picker(context, person.language)])


async def help_(update: Update, context: Context) -> None:
    rt, user = runtime(context), update.effective_user
    if user is None:
        return
    person = await participants.get_by_telegram_id(rt.db, user.id)
    tr = rt.translator(person.language if person else choose_language(user.language_code))
    lines = [tr._("I am the Räkna med mig course bot. These commands help you:")]
    lines += [f"/{name} – {tr._(description)}" for name, description in commands.PARTICIPANT]
    await send_all(context, user.id, [Outgoing(tr.message("\n".join(lines)))])


async def text_message(update: Update, context: Context) -> None:
    """Free text: the course is driven by buttons, so point the way."""
    person = await known(update, context)
    if person is None:
        return
    tr = runtime(context).translator(person.language)
    text = tr._("Please use the buttons. Write /continue to see where you are, or /help.")
    await send_all(context, person.telegram_id, [Outgoing(tr.message(text))])


async def upload(update: Update, context: Context) -> None:
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


async def press(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    rt = runtime(context)
    decoded = callbacks.decode(query.data, rt.course)
    person = await participants.get_by_telegram_id(rt.db, query.from_user.id)
    tr = rt.translator(
        person.language if person else choose_language(query.from_user.language_code)
    )
    if decoded is None:
        await query.answer(tr._(STALE_PRESS))
        return
    if isinstance(decoded, callbacks.Setting):
        await settings_press(update, context, person, decoded)
        return
    if person is None or person.consent_at is None:
        await query.answer(tr._("Please write /start first."))
        return
    await apply(update, context, person, decoded)


async def settings_press(
    update: Update, context: Context, person: ParticipantRecord | None, setting: callbacks.Setting
) -> None:
    query = update.callback_query
    assert query is not None
    if setting.name == "lang" and person is not None and setting.value in LANGUAGES:
        await query.answer()
        await choose(update, context, person, setting.value)
    elif setting.value not in ("yes", "no") and setting.name in ("consent", "delete"):
        await query.answer(
            runtime(context).translator(person.language if person else None)._(STALE_PRESS)
        )
    elif setting.name == "consent" and person is not None and person.consent_at is None:
        await query.answer()
        await consent(update, context, person, setting.value == "yes")
    elif setting.name == "delete" and person is not None:
        await query.answer()
        await privacy.confirm_delete(update, context, person, setting.value == "yes")
    else:
        tr = runtime(context).translator(person.language if person else None)
        await query.answer(tr._(STALE_PRESS))


# ---------------------------------------------------------------- language and consent


def language_picker(context: Context, current: str | None) -> Outgoing:
    tr = runtime(context).translator(current)
    rows = tuple(
        (Button(native_name(code), callbacks.setting("lang", code)),) for code in LANGUAGES
    )
    text = tr._("Welcome to Räkna med mig! Which language do you want to read in?")
    return Outgoing(tr.message(text), rows)


async def choose(update: Update, context: Context, person: ParticipantRecord, code: str) -> None:
    rt = runtime(context)
    await participants.set_language(rt.db, person.id, code)
    await commands.set_chat_menu(context.bot, person.telegram_id, code, rt.translator(code))
    tr = rt.translator(code)
    if person.consent_at is None:
        await send_all(context, person.telegram_id, [consent_screen(tr)])
        return
    said = Outgoing(
        tr.message(tr._("Good! I will write in {language} now.").format(language=native_name(code)))
    )
    await send_all(context, person.telegram_id, [said])
    refreshed = await participants.get(rt.db, person.id)
    if refreshed is not None:
        await apply(update, context, refreshed, ev.Continue(), pressed=False)


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
        (Button(tr._("Yes, I agree"), callbacks.setting("consent", "yes")),),
        (Button(tr._("No, thank you"), callbacks.setting("consent", "no")),),
    )
    return Outgoing(tr.message(text), buttons)


async def consent(
    update: Update, context: Context, person: ParticipantRecord, agreed: bool
) -> None:
    rt = runtime(context)
    tr = rt.translator(person.language)
    if not agreed:
        await participants.erase(rt.db, person.telegram_id)
        text = tr._(
            "All right. I have not kept anything about you. Write /start if you change your mind."
        )
        await send_all(context, person.telegram_id, [Outgoing(tr.message(text))])
        return
    await participants.set_consent(rt.db, person.id)
    refreshed = await participants.get(rt.db, person.id)
    if refreshed is not None:
        await apply(update, context, refreshed, ev.Start(), pressed=False)


# ---------------------------------------------------------------- the course


async def known(update: Update, context: Context) -> ParticipantRecord | None:
    """The participant writing, or None after telling a stranger to /start."""
    rt, user = runtime(context), update.effective_user
    if (
        user is None
        or update.effective_chat is None
        or update.effective_chat.type != ChatType.PRIVATE
    ):
        return None
    person = await participants.get_by_telegram_id(rt.db, user.id)
    if person is None:
        tr = rt.translator(choose_language(user.language_code))
        await send_all(context, user.id, [Outgoing(tr.message(tr._("Please write /start first.")))])
    return person


async def consented(update: Update, context: Context) -> ParticipantRecord | None:
    person = await known(update, context)
    if person is not None and person.consent_at is None:
        await send_all(context, person.telegram_id, [language_picker(context, person.language)])
        return None
    return person


async def apply(
    update: Update,
    context: Context,
    person: ParticipantRecord,
    event: ev.Event,
    *,
    pressed: bool = True,
) -> None:
    """Run one event through the engine: save first, send second, each update once.

    ``pressed=False`` when the event follows from a press already answered
    (a language change, a consent), so the press is not answered twice.
    """
    rt = runtime(context)
    query = update.callback_query if pressed else None
    async with rt.lock_for(person.telegram_id):
        before = Progress.from_json(await progress.load(rt.db, person.id))
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
        await send_all(context, person.telegram_id, messages, query.message if query else None)  # type: ignore[arg-type]
