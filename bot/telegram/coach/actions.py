"""What a coach does from a report: nudge, pause, open a week early, reset a quiz, note.

Called by the press dispatcher in handlers.py only after :func:`authorize` let
the press through, with the :class:`Scope` it returned: nothing here checks
access again or reads an id from the press that the scope has not vouched for.
Each action is stored with the coach and the time (bot.storage.actions) and
appears in the participant's detail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime, timedelta

from bot import coach_files
from bot.clock import utc_now
from bot.course.model import Question
from bot.course.progress import LessonResult, Progress, Stage
from bot.i18n.translator import N_, Translator
from bot.reports import one_page
from bot.reports.names import isolate
from bot.reports.profile import goal_lines, profile_lines
from bot.reports.progress import GroupReport, ParticipantLine, wrong_at_first
from bot.reports.standing import standing_of
from bot.storage import CoachRecord, GroupRecord, actions, participants, profile, progress
from bot.storage.reports import own_answers
from bot.telegram.coach import render as view
from bot.telegram.coach.access import Scope
from bot.telegram.coach.callbacks import CoachPress
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Outgoing
from bot.telegram.runtime import Runtime
from bot.telegram.sending import send_all

OPS = frozenset("NZWRTD")
SHOW_DETAIL_AFTER = frozenset("ZWR")
NOTE_FOR = "coach_note_for"
"""The coach's user_data key: (group id, participant id) the next text is a note on."""
GONE = N_("That participant is no longer in the course.")
NOTE_SAVED = N_("Note saved. No other coach can read it.")


async def group_report(
    rt: Runtime,
    group: GroupRecord,
    now: datetime | None = None,
    *,
    only: Collection[int] | None = None,
) -> GroupReport:
    """The group's report as the bot's settings have it (see bot.coach_files.group_report).

    ``only``: the participants whose lines are needed (see :func:`build_report`); a
    detail or the hard questions then take a moment whatever the group's size.
    """
    return await coach_files.group_report(
        rt.db,
        rt.course,
        group,
        now or utc_now(),
        quiet_days=rt.settings.quiet_days,
        timezone=rt.settings.timezone,
        only=only,
    )


async def first_try_misses(rt: Runtime, participant_id: int) -> dict[str, tuple[Question, ...]]:
    """Per lesson, the questions the participant got wrong at a first try (their rows only)."""
    return wrong_at_first(rt.course, await own_answers(rt.db, participant_id), participant_id)


async def act(
    context: BotContext, coach: CoachRecord, tr: Translator, scope: Scope, press: CoachPress
) -> None:
    rt = context.runtime
    assert scope.participant_id is not None
    report = await group_report(rt, scope.group, only=(scope.participant_id,))
    line = report.line(scope.participant_id)
    if line is None:  # has not agreed yet, or erased between the view and the press
        await _say(context, coach, tr, tr._(GONE))
        return
    match press.op, press.value:
        case "N", None:
            await send_all(context, coach.telegram_id, view.nudge_picker(tr, report.group_id, line))
        case "N", str(choice):
            await _nudge(context, coach, tr, line, int(choice))
        case "Z", None:
            await send_all(context, coach.telegram_id, view.pause_picker(tr, report.group_id, line))
        case "Z", str(days):
            until = rt.today() + timedelta(days=int(days))
            await actions.set_pause(rt.db, coach.id, line.participant_id, until)
        case "W", _:
            await _open_week(context, coach, tr, report, line)
        case "R", str(index):
            await _reset_quiz(context, coach, line, int(index))
        case "T", _:
            if context.user_data is not None:
                context.user_data[NOTE_FOR] = (report.group_id, line.participant_id)
            text = tr._(
                "Write your note about {name} now, as one message. No other coach sees it;"
                " {name} can read it with /mydata, as everything stored about them."
            ).format(name=isolate(line.name))
            await _say(context, coach, tr, text)
        case "D", notes:
            await _summary(context, coach, tr, report, line, notes == "1")


async def _say(context: BotContext, coach: CoachRecord, tr: Translator, text: str) -> None:
    await send_all(context, coach.telegram_id, view.as_messages(tr, [text]))


async def _nudge(
    context: BotContext, coach: CoachRecord, tr: Translator, line: ParticipantLine, choice: int
) -> None:
    """The chosen message, in the participant's language, from the bot in the coach's name."""
    rt = context.runtime
    person = await participants.get(rt.db, line.participant_id)
    if person is None:
        await _say(context, coach, tr, tr._(GONE))
        return
    theirs = rt.translator(person.language)
    text = "\n\n".join(
        [
            theirs._("A message from your coach {coach}:").format(coach=isolate(coach.first_name)),
            theirs._(view.NUDGES[choice]),
            theirs._("Write /continue to go on."),
        ]
    )
    await send_all(context, person.telegram_id, [Outgoing(theirs.message(text))])
    await actions.log_action(rt.db, coach.id, person.id, actions.ActionKind.NUDGE, str(choice))
    await _say(context, coach, tr, tr._("Sent to {name}.").format(name=isolate(line.name)))


async def _open_week(
    context: BotContext,
    coach: CoachRecord,
    tr: Translator,
    report: GroupReport,
    line: ParticipantLine,
) -> None:
    rt = context.runtime
    if report.pace_week is None:
        await _say(context, coach, tr, tr._("The group is self-paced: every week is open."))
        return
    extra = await actions.open_next_week(rt.db, coach.id, line.participant_id)
    week = min(report.pace_week + extra, len(rt.course.weeks))
    await _say(
        context,
        coach,
        tr,
        tr._("Week {number} is now open for {name}.").format(number=week, name=isolate(line.name)),
    )
    person = await participants.get(rt.db, line.participant_id)
    if person is not None:
        theirs = rt.translator(person.language)
        told = theirs._("Your coach opened week {number} for you. Write /continue to go on.")
        await send_all(
            context, person.telegram_id, [Outgoing(theirs.message(told.format(number=week)))]
        )


async def _reset_quiz(
    context: BotContext, coach: CoachRecord, line: ParticipantLine, index: int
) -> None:
    """The lesson's quiz as if never taken: the participant starts it afresh."""
    rt = context.runtime
    if index >= len(rt.course.lessons):
        return
    lesson = rt.course.lessons[index]
    state = Progress.from_json(await progress.load(rt.db, line.participant_id))
    state = state.with_result(lesson.id, LessonResult())
    if state.stage is Stage.FAILED and state.lesson_id == lesson.id:
        state = Progress(stage=Stage.READY, lesson_id=lesson.id, results=state.results)
    await actions.reset_quiz(
        rt.db,
        coach.id,
        line.participant_id,
        lesson.id,
        state.to_json(),
        standing_of(rt.course, state),
    )


async def save_note(
    context: BotContext, coach: CoachRecord, tr: Translator, scope: Scope, text: str
) -> None:
    assert scope.participant_id is not None
    await actions.add_note(context.runtime.db, coach.id, scope.participant_id, text.strip())
    await _say(context, coach, tr, tr._(NOTE_SAVED))


async def _summary(
    context: BotContext,
    coach: CoachRecord,
    tr: Translator,
    report: GroupReport,
    line: ParticipantLine,
    with_notes: bool,
) -> None:
    """The one-page PDF for the three-party meeting, built off the event loop."""
    rt = context.runtime
    notes = await actions.notes_of(rt.db, coach.id, line.participant_id) if with_notes else []
    goal = goal_lines(tr, await profile.goal_of(rt.db, line.participant_id), marks=False)
    picks = await profile.picks_of(rt.db, line.participant_id)
    extras = one_page.Extras(
        goal="\n".join(goal) or None,
        profile="\n".join(profile_lines(tr, rt.course, picks, marks=False)) or None,
        notes=[n.text for n in notes],
    )
    wrong = await first_try_misses(rt, line.participant_id)
    data = await asyncio.to_thread(
        one_page.summary_pdf, tr, rt.course, report, [(line, wrong, extras)]
    )
    name = "".join(c if c.isalnum() else "-" for c in line.name).strip("-") or "participant"
    await context.bot.send_document(
        coach.telegram_id,
        document=data,
        filename=f"{name}-{report.as_of.date().isoformat()}.pdf",
        caption=tr.message(tr._("For the meeting. Keep the file safe.")),
    )
