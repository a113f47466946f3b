"""The coach's side of the bot: /group, /invite, their buttons, and their language.

Every handler here runs before the participant's (application.py registers
them in their own, earlier handler group) and ends the update's handling with
``ApplicationHandlerStop`` when it answered it. The gates for /start, /help,
/language and plain text answer coaches only and let everyone else through to
the participant's handlers.

Access is checked on every command and every press, never trusted from the
button, by one function, :func:`authorize`: the presser must be a coach, must
follow the group the data names, and a participant the data names must be in
that group. Every view and action (nudge, pause, early week, quiz reset, note,
summary) goes through it, the typed note too. Anyone else gets a polite
refusal and sees nothing.

Every handler here is wrapped by :func:`coach_side`: a failure is logged and
answered with one apology, and the update ends there instead of falling
through to the participant's handlers (which would apologise a second time).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from telegram import BotCommandScopeChat, CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import invitations
from bot.clock import utc_now
from bot.coach_files import FileKind, FileOrder, file_name
from bot.i18n.languages import SOURCE, native_name
from bot.i18n.translator import N_, Translator
from bot.storage import CoachRecord, GroupRecord, InviteKind, actions, groups, profile
from bot.storage.coaching import set_language
from bot.telegram.coach import actions as coach_actions
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach import render as view
from bot.telegram.coach.access import authorize
from bot.telegram.coach.actions import NOTE_FOR
from bot.telegram.commands import menu
from bot.telegram.context import BotContext
from bot.telegram.sending import answer_query, send_all

log = logging.getLogger(__name__)

COACH: tuple[tuple[str, str], ...] = (
    ("group", N_("see how your participants are doing")),
    ("invite", N_("make a link for participants")),
    ("language", N_("change the language")),
    ("help", N_("what the bot can do")),
)
FOR_COACHES = N_("That is for coaches. Write /help to see what you can do.")
NOT_YOURS = N_("That is not in one of your groups.")
STALE = N_("That button is no longer active. Write /group to start again.")


SORRY = N_("Sorry, something went wrong on my side. Please try /group again.")
CSV_FILES = N_(
    "Every table of the Excel file as its own CSV file, the overview first. "
    "Open the zip and then the file you need."
)
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def _handled() -> NoReturn:
    """The coach's side answered: the participant's handlers must not run as well."""
    raise ApplicationHandlerStop


def coach_side(handler: Handler) -> Handler:
    """A coach handler whose failure stays on the coach's side, with exactly one apology."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        try:
            await handler(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception:
            log.exception(
                "the coach handler %s failed on update %s", handler.__name__, update.update_id
            )
            await _apologise(update, context)
            raise ApplicationHandlerStop from None

    return guarded


async def _apologise(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None:
        return
    coach = context.resolved.coach if context.resolved else None
    tr = context.runtime.translator(coach.language if coach else None)
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # answered already before the failure
            await answer_query(update.callback_query)
    try:
        await context.bot.send_message(user.id, tr.message(tr._(SORRY)))
    except TelegramError:
        log.warning("could not send the coach's apology for update %s", update.update_id)


# ---------------------------------------------------------------- gates for shared commands


@coach_side
async def help_gate(update: Update, context: BotContext) -> None:
    """/start without a code, /help or any text from a coach: their help, never a course card."""
    coach = context.reader.coach
    if coach is not None:
        await send_help(context, coach)
        _handled()


@coach_side
async def language_gate(update: Update, context: BotContext) -> None:
    coach = context.reader.coach
    if coach is not None:
        await send_all(context, coach.telegram_id, [view.language_picker(context.tr)])
        _handled()


async def send_help(context: BotContext, coach: CoachRecord, greeting: str | None = None) -> None:
    rt = context.runtime
    tr = context.runtime.translator(coach.language)
    followed = await groups.groups_of_coach(rt.db, coach.id)
    lines = [greeting] if greeting else []
    if followed:
        names = ", ".join(g.name for g in followed)
        lines.append(tr._("You follow: {groups}.").format(groups=names))
    else:
        lines.append(tr._("You follow no group yet. Ask the administrator for a coach link."))
    lines += [""] + [f"/{name} – {tr._(description)}" for name, description in COACH]
    await send_all(context, coach.telegram_id, view.as_messages(tr, lines))


async def set_coach_menu(context: BotContext, coach: CoachRecord, tr: Translator) -> None:
    """The coach's own command menu, in their language (a convenience: never fails a step)."""
    try:
        await context.bot.set_my_commands(
            menu(tr, COACH), scope=BotCommandScopeChat(coach.telegram_id)
        )
    except TelegramError as error:
        log.warning("could not set the coach menu for %s: %s", coach.id, error)


# ---------------------------------------------------------------- commands


@coach_side
async def group_command(update: Update, context: BotContext) -> None:
    """/group: the overview, after choosing the group when there are several."""
    coach = await _coach_or_refuse(update, context)
    rt = context.runtime
    tr = context.runtime.translator(coach.language)
    followed = await groups.groups_of_coach(rt.db, coach.id)
    if len(followed) == 1:
        await send_overview(context, coach, followed[0])
    else:
        await _pick_group(context, coach, tr, followed, for_invite=False)
    _handled()


@coach_side
async def invite_command(update: Update, context: BotContext) -> None:
    """/invite: a participant link for one of the coach's groups."""
    coach = await _coach_or_refuse(update, context)
    rt = context.runtime
    tr = context.runtime.translator(coach.language)
    followed = await groups.groups_of_coach(rt.db, coach.id)
    if len(followed) == 1:
        await send_all(context, coach.telegram_id, [view.invite_presets(tr, followed[0])])
    else:
        await _pick_group(context, coach, tr, followed, for_invite=True)
    _handled()


async def _coach_or_refuse(update: Update, context: BotContext) -> CoachRecord:
    coach = context.reader.coach
    if coach is None:
        user = update.effective_user
        if user is not None:
            tr = context.tr
            await send_all(context, user.id, view.as_messages(tr, [tr._(FOR_COACHES)]))
        _handled()
    return coach


async def _pick_group(
    context: BotContext,
    coach: CoachRecord,
    tr: Translator,
    followed: list[GroupRecord],
    *,
    for_invite: bool,
) -> None:
    if not followed:
        text = tr._("You follow no group yet. Ask the administrator for a coach link.")
        await send_all(context, coach.telegram_id, view.as_messages(tr, [text]))
        return
    await send_all(context, coach.telegram_id, [view.group_picker(tr, followed, for_invite)])


# ---------------------------------------------------------------- presses


@coach_side
async def text_gate(update: Update, context: BotContext) -> None:
    """A coach's typed text: the note they were asked for, else their help."""
    coach = context.reader.coach
    if coach is None:
        return
    message = update.effective_message
    pending = context.user_data.pop(NOTE_FOR, None) if context.user_data is not None else None
    if pending is not None and message is not None and message.text:
        group_id, participant_id = pending
        scope = await authorize(context.runtime, coach, group_id, participant_id)
        tr = context.runtime.translator(coach.language)
        if scope is None or scope.participant_id is None:
            await send_all(context, coach.telegram_id, view.as_messages(tr, [tr._(NOT_YOURS)]))
        else:
            await coach_actions.save_note(context, coach, tr, scope, message.text)
            await send_detail(context, coach, scope.group, scope.participant_id)
        _handled()
    await send_help(context, coach)
    _handled()


@coach_side
async def press(update: Update, context: BotContext) -> None:
    """A coach's button: decoded strictly, then checked against who presses it."""
    query = update.callback_query
    if query is None:
        _handled()
    coach = context.reader.coach
    decoded = cb.decode(query.data)
    if coach is None:
        await answer_query(query, context.tr._(FOR_COACHES))
        _handled()
    tr = context.runtime.translator(coach.language)
    if context.user_data is not None and (decoded is None or decoded.op != "T"):
        context.user_data.pop(NOTE_FOR, None)  # another press: the next text is no note
    if decoded is None:
        await answer_query(query, tr._(STALE))
    elif decoded.op == "L" and decoded.value is not None:
        await answer_query(query)
        await _choose_language(context, coach, decoded.value)
    else:
        await _group_press(context, query, coach, tr, decoded)
    _handled()


async def _group_press(
    context: BotContext,
    query: CallbackQuery,
    coach: CoachRecord,
    tr: Translator,
    press: cb.CoachPress,
) -> None:
    rt = context.runtime
    scope = await authorize(rt, coach, press.group_id, press.participant_id)
    if scope is None:
        await answer_query(query, tr._(NOT_YOURS))
        return
    group = scope.group
    await answer_query(query)
    if scope.participant_id is not None and press.op in coach_actions.OPS:
        await coach_actions.act(context, coach, tr, scope, press)
        if press.op in coach_actions.SHOW_DETAIL_AFTER:
            await send_detail(context, coach, group, scope.participant_id)
        return
    match press.op:
        case "G":
            await send_overview(context, coach, group, int(press.value or 0))
        case "P" if press.participant_id is not None:
            await send_detail(context, coach, group, press.participant_id)
        case "Q":
            report = await group_report(rt, group, only=())
            await send_all(context, coach.telegram_id, view.hard_questions(tr, report))
        case "F":
            await send_export(context, coach, group, press.value or "x")
        case "V":
            await send_chart(context, coach, group)
        case "I":
            await _invite_press(context, coach, tr, group, press.value)


async def _choose_language(context: BotContext, coach: CoachRecord, code: str) -> None:
    rt = context.runtime
    await set_language(rt.db, coach.id, code)
    tr = rt.translator(code)
    await set_coach_menu(context, coach, tr)
    said = tr._("Good! I will write in {language} now.").format(language=native_name(code))
    await send_all(context, coach.telegram_id, view.as_messages(tr, [said]))


# ---------------------------------------------------------------- the views


group_report = coach_actions.group_report


async def send_overview(
    context: BotContext, coach: CoachRecord, group: GroupRecord, page: int = 0
) -> None:
    rt = context.runtime
    report = await group_report(rt, group)
    tr = context.runtime.translator(coach.language)
    await send_all(context, coach.telegram_id, view.overview(tr, rt.course, report, page))


async def send_detail(
    context: BotContext, coach: CoachRecord, group: GroupRecord, participant_id: int
) -> None:
    rt = context.runtime
    report = await group_report(rt, group, only=(participant_id,))
    line = report.line(participant_id)
    tr = context.runtime.translator(coach.language)
    if line is None:  # erased between the overview and the press
        await send_all(context, coach.telegram_id, view.as_messages(tr, [tr._(NOT_YOURS)]))
        return
    wrong = await coach_actions.first_try_misses(rt, participant_id)
    record = view.Record(
        actions=await actions.actions_for(rt.db, participant_id),
        notes=await actions.notes_of(rt.db, coach.id, participant_id),
        goal=await profile.goal_of(rt.db, participant_id),
        picks=await profile.picks_of(rt.db, participant_id),
    )
    await send_all(
        context, coach.telegram_id, view.detail(tr, rt.course, report, line, wrong, record)
    )


async def send_export(
    context: BotContext, coach: CoachRecord, group: GroupRecord, fmt: str
) -> None:
    """The spreadsheet is made in a process of its own (bot.coach_files): a big group takes
    a moment, and the participants' replies go on meanwhile.

    The CSV button gives every table, one CSV file each, in a zip (the overview
    first): a coach who asks for CSV expects all of what the XLSX holds. An older
    button for the overview's CSV alone ("c") gets the same zip.
    """
    tr = context.runtime.translator(coach.language)
    caption = tr._("{group}: first names only. Keep the file safe.").format(group=group.name)
    now = utc_now()
    if fmt in ("c", "z"):
        data = await _make(context, coach, group, FileKind.CSV_ZIP, now)
        name = file_name(group.name, now, "zip")
        caption = "\n".join([tr._(CSV_FILES), caption])
    else:
        data = await _make(context, coach, group, FileKind.XLSX, now)
        name = file_name(group.name, now, "xlsx")
    await context.bot.send_document(
        coach.telegram_id, document=data, filename=name, caption=tr.message(caption)
    )


async def send_chart(context: BotContext, coach: CoachRecord, group: GroupRecord) -> None:
    tr = context.runtime.translator(coach.language)
    png = await _make(context, coach, group, FileKind.CHART, utc_now())
    caption = tr._("{group}: lessons done per participant.").format(group=group.name)
    await context.bot.send_photo(coach.telegram_id, photo=png, caption=tr.message(caption))


async def _make(
    context: BotContext, coach: CoachRecord, group: GroupRecord, kind: FileKind, now: datetime
) -> bytes:
    rt = context.runtime
    order = FileOrder(
        kind=kind,
        database=rt.db.address,
        group_id=group.id,
        locales_dir=rt.settings.locales_dir,
        language=coach.language or SOURCE,
        coach=coach.first_name,
        now=now,
        quiet_days=rt.settings.quiet_days,
        timezone=rt.settings.timezone,
    )
    return await rt.files.make(rt.db, rt.course, order)


async def _invite_press(
    context: BotContext, coach: CoachRecord, tr: Translator, group: GroupRecord, preset: str | None
) -> None:
    if preset is None:
        await send_all(context, coach.telegram_id, [view.invite_presets(tr, group)])
        return
    rt = context.runtime
    chosen = cb.INVITE_PRESETS[int(preset)]
    code, expires = await invitations.issue(
        rt.db,
        InviteKind.PARTICIPANT,
        group.id,
        uses=chosen.people,
        days=chosen.days,
        created_by=coach.id,
    )
    link = invitations.deep_link(context.bot.username, code)  # getMe, at start
    text = tr.ngettext(
        "The link for {group}:\n{link}\n\nIt works for {n} person, until {date}. Show the QR "
        "code at the first meeting: participants scan it with their phone's camera.",
        "The link for {group}:\n{link}\n\nIt works for {n} people, until {date}. Show the QR "
        "code at the first meeting: participants scan it with their phone's camera.",
        chosen.people,
    ).format(
        group=group.name,
        link=link,
        n=chosen.people,
        date=tr.date(expires.astimezone(ZoneInfo(rt.settings.timezone)).date()),
    )
    await send_all(context, coach.telegram_id, view.as_messages(tr, [text]))
    await context.bot.send_photo(
        coach.telegram_id, photo=invitations.qr_png(link), caption=tr.message(group.name)
    )
