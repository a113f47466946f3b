"""The participant's /settings: when reminders may come, and a planned pause.

The reminder time is first asked right after the consent; /settings changes it
later and starts or ends a pause (appointment, illness, holiday) with an end
date. Memory-check presses are routed on to bot.telegram.participant.review.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.course import reminders as rules
from bot.course.progress import Progress, Stage
from bot.i18n.translator import N_, Translator
from bot.storage import reminders
from bot.storage.records import ParticipantRecord
from bot.storage.reminders import PausedBy
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.outgoing import CLOSE_PRESSED, Button, Outgoing
from bot.telegram.participant import review
from bot.telegram.participant.cards import pressed_message
from bot.telegram.sending import answer_query, send_all

WINDOW_LABELS = {
    "morning": N_("Morning, 08–11"),
    "lunch": N_("Lunch, 11–13"),
    "afternoon": N_("Afternoon, 13–17"),
    "evening": N_("Evening, 17–21"),
    "none": N_("No reminders"),
}
REASON_LABELS = {
    "appointment": N_("An appointment"),
    "illness": N_("I am ill"),
    "holiday": N_("Holiday"),
    "other": N_("Something else"),
}
DAYS_LABELS = {3: N_("3 days"), 7: N_("1 week"), 14: N_("2 weeks")}


async def settings_command(update: Update, context: BotContext) -> None:
    person = context.reader.consented
    if person is None:
        tr = context.tr
        await send_all(
            context,
            context.reader.telegram_id,
            [Outgoing(tr.message(tr._("Please write /start first.")))],
        )
        return
    await send_all(context, person.telegram_id, [await menu(context, person)])


async def menu(context: BotContext, person: ParticipantRecord) -> Outgoing:
    rt, tr = context.runtime, context.tr
    window = rules.window_of(await reminders.get_window(rt.db, person.id))
    lines = [
        tr._("Your settings."),
        tr._("Reminders: {when}").format(when=tr._(WINDOW_LABELS[window.value])),
    ]
    pause = await reminders.get_pause(rt.db, person.id)
    rows = [(Button(tr._("⏰ Reminder time"), callbacks.settings_page("window")),)]
    if pause is not None and pause.until is not None:
        paused = (
            tr._("Your coach paused the reminders until {date}.")
            if pause.by is PausedBy.COACH
            else tr._("Paused until {date}.")
        )
        lines.append(paused.format(date=tr.date(pause.until)))
        rows.append((Button(tr._("▶ End the pause"), callbacks.end_pause()),))
    else:
        rows.append((Button(tr._("⏸ Take a pause"), callbacks.settings_page("pause")),))
    return Outgoing(tr.message("\n".join(lines)), tuple(rows))


def window_picker(tr: Translator) -> Outgoing:
    text = tr._(
        "When may I send you a reminder? Swedish time. I never write at night,"
        " and at most once a day."
    )
    rows = tuple(
        (Button(tr._(label), callbacks.window(name)),) for name, label in WINDOW_LABELS.items()
    )
    return Outgoing(tr.message(text), rows)


def reason_picker(tr: Translator) -> Outgoing:
    rows = tuple(
        (Button(tr._(label), callbacks.pause(reason)),) for reason, label in REASON_LABELS.items()
    )
    return Outgoing(tr.message(tr._("Why do you want a pause?")), rows)


def length_picker(tr: Translator, reason: str) -> Outgoing:
    row = tuple(
        Button(tr._(label), callbacks.pause(reason, days)) for days, label in DAYS_LABELS.items()
    )
    return Outgoing(tr.message(tr._("For how long?")), (row,))


async def press(
    update: Update, context: BotContext, person: ParticipantRecord, choice: callbacks.Choice
) -> bool:
    """A settings or memory-check button of a consented participant.

    True when the lesson should be shown next (a skipped memory check, a reminder's button).
    """
    if isinstance(
        choice,
        callbacks.ReviewStart
        | callbacks.ReviewSkip
        | callbacks.ReviewAnswer
        | callbacks.ReviewConfidence,
    ):
        return await review.press(update, context, person, choice)
    query = update.callback_query
    if query is not None:
        await answer_query(query)
    if isinstance(choice, callbacks.ContinueHere):  # a welcome back or today's check first
        return not await review.before_session(update, context, person)
    rt, tr = context.runtime, context.tr
    out: list[Outgoing]
    match choice:
        case callbacks.OpenSettings("window"):
            out = [window_picker(tr)]
        case callbacks.OpenSettings("pause"):
            out = [reason_picker(tr)]
        case callbacks.OpenSettings():
            out = [await menu(context, person)]
        case callbacks.ChooseWindow(name):
            await reminders.set_window(rt.db, person.id, name)
            said = (
                tr._("All right: no reminders. Write /settings if you change your mind.")
                if name == "none"
                else tr._("Good. Reminders come at this time: {when}.").format(
                    when=tr._(WINDOW_LABELS[name])
                )
            )
            await send_all(
                context,
                person.telegram_id,
                [CLOSE_PRESSED, Outgoing(tr.message(said))],
                pressed_message(update),
            )
            # At onboarding the course begins now; later the choice is all there is to it.
            return Progress.from_json(context.reader.progress).stage is Stage.NEW
        case callbacks.ChoosePause(reason, 0):
            out = [length_picker(tr, reason)]
        case callbacks.ChoosePause(reason, days):
            until = rt.today() + timedelta(days=days)
            await reminders.set_pause(rt.db, person.id, until, reason, PausedBy.PARTICIPANT)
            text = tr._(
                "Paused until {date}. I send you nothing until then."
                " Write /continue whenever you want to go on."
            ).format(date=tr.date(until))
            out = [
                Outgoing(
                    tr.message(text), ((Button(tr._("▶ End the pause"), callbacks.end_pause()),),)
                )
            ]
        case callbacks.EndPause():
            await reminders.clear_pause(rt.db, person.id)
            text = tr._("The pause is over. Good to have you back!")
            out = [Outgoing(tr.message(text), review.continue_button(tr))]
        case _:
            out = []
    await send_all(context, person.telegram_id, out)
    return False


async def ask_window(context: BotContext, person: ParticipantRecord) -> None:
    """Right after the consent: when may reminders come?"""
    tr = context.runtime.translator(person.language)
    await send_all(context, person.telegram_id, [window_picker(tr)])
