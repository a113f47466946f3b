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

import contextlib
import logging
import warnings
from datetime import timedelta

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.course import events as ev
from bot.course.engine import expects_goal, handle
from bot.course.model import StepKind, UploadKind
from bot.course.progress import Progress, Stage
from bot.course.summary import current_week, summarize
from bot.i18n.languages import LANGUAGES, native_name
from bot.i18n.translator import N_, Translator
from bot.reports.standing import standing_of
from bot.storage import (
    AlreadyExists,
    AnswerRow,
    GoalRow,
    ProfileRow,
    QuizResultRow,
    commit_update,
    newcomers,
    participants,
    profile,
    prompts,
)
from bot.storage.newcomers import NewcomerRecord
from bot.storage.prompts import PromptKind
from bot.storage.records import ParticipantRecord
from bot.telegram import callbacks, commands, recording
from bot.telegram.context import BotContext
from bot.telegram.outgoing import CLOSE_PRESSED, Button, Outgoing, coalesce
from bot.telegram.participant import joining, listening, privacy, review, settings
from bot.telegram.participant.cards import pressed_message, send_cards
from bot.telegram.participant.render import REFUSALS
from bot.telegram.sending import answer_alongside, answer_query, answered, send_all

log = logging.getLogger(__name__)
STALE_PRESS = REFUSALS[ev.Refusal.STALE]
PROMPT_GONE = N_("That question was answered already or has expired. Nothing was changed.")
START_FIRST = N_("Please write /start first.")


# ---------------------------------------------------------------- commands


async def start(update: Update, context: BotContext) -> None:
    """First contact: the language picker, then the consent screen, then week 1.

    Until the person agrees, they are only a newcomer: no name is stored.
    """
    user = update.effective_user
    if user is None:
        return
    reader = context.reader
    joined: joining.Joined
    if context.args:  # a deep link's invite code: a coach's, or a participant's for a group
        joined = await joining.join_with_code(update, context, context.args[0])
        if joined is None:
            return  # answered already: a coach joined, a question was asked, or a refusal
    else:
        joined = reader.participant or reader.newcomer
    if joined is None:
        joined = await newcomers.welcome(context.runtime.db, user.id, reader.tr.language)
    if isinstance(joined, NewcomerRecord) or joined.consent_at is None:
        await send_all(context, user.id, [language_picker(context, joined.language)])
        return
    if not await review.before_session(update, context, joined):
        await apply(update, context, joined, ev.Start())


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
    _, renderer = await rt.access(person, context.reader.pace_of(person))
    shown = renderer.progress(summarize(rt.course, state), current_week(rt.course, state))
    await send_cards(context, person.telegram_id, [shown])


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
    """Free text: on a goal step it is the participant's own goal; elsewhere the course is
    driven by buttons, so point the way."""
    person = await known(update, context)
    if person is None:
        return
    message = update.effective_message
    state = Progress.from_json(context.reader.progress)
    typed = (message.text if message is not None else None) or ""
    is_goal = typed != "" and not typed.startswith("/")  # an unknown command is no goal
    if person.consent_at is not None and is_goal and expects_goal(context.runtime.course, state):
        await apply(update, context, person, ev.WriteGoal(typed))
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
    seconds = 0
    if message.photo:
        kind = UploadKind.PHOTO
    elif sound := message.voice or message.audio:
        kind = UploadKind.VOICE
        with warnings.catch_warnings():  # PTB 22 warns that it will become a timedelta
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            seconds = _seconds(sound.duration)
    else:
        kind = UploadKind.DOCUMENT
    await apply(update, context, person, ev.Upload(kind, seconds))


def _seconds(duration: object) -> int:
    """A voice message's length as whole seconds (PTB gives an int or a timedelta)."""
    if isinstance(duration, timedelta):
        return int(duration.total_seconds())
    return duration if isinstance(duration, int) else 0


# ---------------------------------------------------------------- presses


async def press(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    person = context.reader.consented
    decoded = callbacks.decode(query.data, context.runtime.course, seed(person))
    if decoded is None:
        await answer_query(query, context.tr._(STALE_PRESS))
        if person is not None and person.consent_at is not None:
            await show_way_on(update, context, person)
        return
    if isinstance(decoded, callbacks.PickLanguage | callbacks.AnswerConsent):
        await settings_press(update, context, decoded)
        return
    if isinstance(decoded, callbacks.AnswerPrompt):
        await answer_prompt(update, context, decoded)
        return
    if isinstance(decoded, callbacks.Recording):  # a reader need not be a participant
        await recording.press(update, context, decoded)
        return
    if person is None:
        await answer_query(query, context.tr._(START_FIRST))
        return
    if isinstance(decoded, callbacks.Listen):
        await listening.listen(update, context, person, decoded)
        return
    if isinstance(decoded, callbacks.Choice):  # reminders, pauses, memory checks, the way on
        if await settings.press(update, context, person, decoded):
            new = Progress.from_json(context.reader.progress).stage is Stage.NEW
            event: ev.Event = ev.Start() if new else ev.Continue()
            await apply(update, context, person, event, pressed=False)
        return
    if isinstance(decoded, ev.Repeat) and _in_quiz(context, decoded.lesson_id):
        await answer_query(query)
        await ask_to_leave_quiz(context, decoded.lesson_id)
        return
    if isinstance(decoded, callbacks.Choice):  # reminders, pauses, memory checks
        if await settings.press(update, context, person, decoded):
            await apply(update, context, person, ev.Continue(), pressed=False)
        return
    await apply(update, context, person, decoded)


def seed(person: ParticipantRecord | None) -> str:
    """What the engine shuffles a participant's options by: their Telegram id, stable for good
    (the same after a restart, and known to a test or benchmark driving them)."""
    return "" if person is None else str(person.telegram_id)


async def show_way_on(
    update: Update, context: BotContext, person: ParticipantRecord, close: bool = True
) -> None:
    """An old button was pressed: its card loses its buttons, and one button leads on."""
    _, renderer = await context.runtime.access(person, context.reader.pace_of(person))
    messages = [CLOSE_PRESSED, renderer.way_on()] if close else [renderer.way_on()]
    await send_cards(context, person.telegram_id, messages, pressed_message(update))


async def close_pressed(update: Update, context: BotContext) -> None:
    """The pressed card is done with: its buttons go, so only the current card is live."""
    await send_all(context, context.reader.telegram_id, [CLOSE_PRESSED], pressed_message(update))


async def settings_press(
    update: Update,
    context: BotContext,
    setting: callbacks.PickLanguage | callbacks.AnswerConsent,
) -> None:
    query = update.callback_query
    assert query is not None
    reader = context.reader
    waiting = reader.newcomer is not None or (
        reader.participant is not None and reader.participant.consent_at is None
    )
    match setting:
        case callbacks.PickLanguage(code) if reader.participant or reader.newcomer:
            await answer_query(query)
            await close_pressed(update, context)
            await choose(update, context, code)
        case callbacks.AnswerConsent(agreed) if waiting:
            await answer_query(query)
            await close_pressed(update, context)
            await consent(update, context, agreed)
        case _:
            await answer_query(query, context.tr._(STALE_PRESS))


async def answer_prompt(
    update: Update, context: BotContext, answer: callbacks.AnswerPrompt
) -> None:
    """A yes or no on a prompt: acted on once, on the prompt it belongs to, within minutes."""
    query = update.callback_query
    assert query is not None
    try:
        kind = PromptKind(answer.kind)
    except ValueError:
        kind = None
    subject = None
    if kind is not None:
        subject = await prompts.take(
            context.runtime.db, context.reader.telegram_id, kind, answer.token
        )
    if kind is None or subject is None:
        await answer_query(query, context.tr._(PROMPT_GONE))
        return
    await answer_query(query)
    await _close_prompt(query)
    match kind:
        case PromptKind.ERASE if context.reader.participant is not None:
            await privacy.confirm_delete(update, context, context.reader.participant, answer.yes)
        case PromptKind.MOVE_GROUP:
            await joining.move(update, context, subject, answer.yes)
        case PromptKind.BECOME_COACH:
            await joining.become_coach(update, context, subject, answer.yes)
        case PromptKind.LEAVE_QUIZ if context.reader.consented is not None:
            event: ev.Event = ev.Repeat(subject) if answer.yes else ev.Continue()
            await apply(update, context, context.reader.consented, event, pressed=False)


async def _close_prompt(query: CallbackQuery) -> None:
    """The answered prompt keeps its text and loses its buttons: it cannot be pressed again."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):
            await query.message.edit_reply_markup(reply_markup=None)


def _in_quiz(context: BotContext, lesson_id: str) -> bool:
    state = Progress.from_json(context.reader.progress)
    return state.stage is Stage.QUESTION and state.lesson_id == lesson_id


async def ask_to_leave_quiz(context: BotContext, lesson_id: str) -> None:
    """ "Read the lesson again" during its quiz would throw the quiz away: ask first."""
    reader, tr = context.reader, context.tr
    token = await prompts.open_prompt(
        context.runtime.db, reader.telegram_id, PromptKind.LEAVE_QUIZ, lesson_id
    )
    text = tr._("You are in the middle of the quiz. Do you want to leave it and read the lesson?")
    buttons = (
        (
            Button(
                tr._("Yes, read the lesson"),
                callbacks.prompt_answer(PromptKind.LEAVE_QUIZ, token, True),
            ),
        ),
        (
            Button(
                tr._("No, go on with the quiz"),
                callbacks.prompt_answer(PromptKind.LEAVE_QUIZ, token, False),
            ),
        ),
    )
    await send_all(context, reader.telegram_id, [Outgoing(tr.message(text), buttons)])


# ---------------------------------------------------------------- language and consent


def language_picker(context: BotContext, current: str | None) -> Outgoing:
    tr = context.runtime.translator(current)
    rows = tuple((Button(native_name(code), callbacks.language(code)),) for code in LANGUAGES)
    text = tr._("Welcome to Räkna med mig! Which language do you want to read in?")
    return Outgoing(tr.message(text), rows)


async def choose(update: Update, context: BotContext, code: str) -> None:
    rt, reader = context.runtime, context.reader
    tr = rt.translator(code)
    if reader.participant is None:  # a newcomer: the consent screen in their language
        await newcomers.set_language(rt.db, reader.telegram_id, code)
        await commands.set_chat_menu(context.bot, reader.telegram_id, code, tr)
        await send_all(context, reader.telegram_id, [consent_screen(tr)])
        return
    person = reader.participant
    await participants.set_language(rt.db, person.id, code)
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
                "I store your first name and the first letter of your last name, your "
                "language, your group, your answers (your goal and your vocational profile "
                "too), how far you have come, when I may remind you and when you were last "
                "here. Nothing else. If you send me a photo, a file or a voice message, I only "
                "note that it arrived; I never keep it."
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


async def consent(update: Update, context: BotContext, agreed: bool) -> None:
    """Yes: only now is the person stored, with their first name. No: nothing is kept."""
    rt, reader, user = context.runtime, context.reader, update.effective_user
    tr = context.tr
    if not agreed or user is None:
        await participants.erase(rt.db, reader.telegram_id)
        text = tr._(
            "All right. I have not kept anything about you. Write /start if you change your mind."
        )
        await send_all(context, reader.telegram_id, [Outgoing(tr.message(text))])
        return
    last_name = (user.last_name or "").strip()
    initial = last_name[:1] or None  # to tell two equal first names apart, kept from now on
    if reader.participant is not None:  # agreed before consent came first
        await participants.set_consent(rt.db, reader.participant.id, last_initial=initial)
    else:
        newcomer = reader.newcomer
        with contextlib.suppress(AlreadyExists):
            await participants.create(
                rt.db,
                user.id,
                user.first_name or "",
                newcomer.language if newcomer else tr.language,
                group_id=newcomer.group_id if newcomer else None,
                consented=True,
                last_initial=initial,
            )
    reader = await context.refresh_reader(update)
    if reader.participant is not None:  # the course begins once the reminder time is chosen
        await settings.ask_window(context, reader.participant)


# ---------------------------------------------------------------- the course


async def known(update: Update, context: BotContext) -> ParticipantRecord | None:
    """The participant writing, or None after telling a stranger to /start."""
    reader = context.reader
    if reader.participant is None and reader.newcomer is not None:
        picker = language_picker(context, reader.newcomer.language)
        await send_all(context, reader.telegram_id, [picker])
        return None
    if reader.participant is None:
        tr = context.tr
        await send_all(context, reader.telegram_id, [Outgoing(tr.message(tr._(START_FIRST)))])
    return reader.participant


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
    access, renderer = await rt.access(person, context.reader.pace_of(person))
    outcome = handle(rt.course, before, event, access, seed(person))
    refusals = [a for a in outcome.actions if isinstance(a, ev.Refused)]
    if refusals and query is not None:
        reason = refusals[0].reason
        await answer_query(query, renderer.refusal(reason))
        if reason in (ev.Refusal.STALE, ev.Refusal.UNKNOWN):
            await show_way_on(update, context, person, close=not on_current_card(before, event))
        return
    answering = answer_alongside(query)  # the spinner stops while the reply is made
    changed = outcome.progress != before
    saved = await commit_update(
        rt.db,
        update_id=update.update_id,
        participant_id=person.id,
        progress_state=outcome.progress.to_json() if changed else None,
        standing=standing_of(rt.course, outcome.progress) if changed else None,
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
        picks=[
            ProfileRow(p.topic.value, p.cards, p.lesson_id, p.step_id)
            for p in outcome.actions
            if isinstance(p, ev.RecordProfile)
        ],
        goals=goal_rows(outcome.actions),
    )
    if not saved:
        await answered(answering)
        return
    goal = None
    if any(
        isinstance(a, ev.ShowStep) and a.step.kind is StepKind.GOAL_REVIEW for a in outcome.actions
    ):
        goal = await profile.goal_of(rt.db, person.id)
    messages = renderer.render(outcome.actions, goal)
    if isinstance(event, ev.Start) and before.stage is Stage.NEW:
        welcome = Outgoing(renderer.finish(renderer.tr._("Let us begin! Week 1 starts here.")))
        messages = coalesce([welcome, *messages])
    editable = pressed_message(update) if query is not None else None
    if editable is not None and not any(m.edit for m in messages):
        messages = [CLOSE_PRESSED, *messages]  # a step, offer or result card that was used
    await send_cards(context, person.telegram_id, messages, editable)
    await answered(answering)


def goal_rows(actions: tuple[ev.Action, ...]) -> list[GoalRow]:
    """The goal written, or kept at the review, as rows to store with the progress."""
    rows: list[GoalRow] = []
    for action in actions:
        if isinstance(action, ev.RecordGoal):
            rows.append(
                GoalRow(action.week_number, action.text, action.voice_seconds, action.review)
            )
        elif isinstance(action, ev.RecordGoalKept):
            rows.append(GoalRow(action.week_number, kept=True))
    return rows


def on_current_card(progress: Progress, event: ev.Event) -> bool:
    """A stale press from the card still current (a double tap) keeps that card's buttons."""
    if isinstance(event, (ev.Next, ev.TickCard, ev.ChangeGoal)):
        return event.lesson_id == progress.lesson_id and event.step_id == progress.item_id
    if isinstance(event, ev.ANSWER_EVENTS):
        return event.lesson_id == progress.lesson_id and event.question_id == progress.item_id
    return False
