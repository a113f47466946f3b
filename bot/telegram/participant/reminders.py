"""What the scheduler sends a participant: reminders, week openings, memory-check offers.

The rules (when, how often, which rung) are the engine's (bot.course.reminders);
this module asks them for every participant at each tick, turns the answers
into scheduler items, and renders each item when it is sent. An item checks at
send time that it still holds: a participant who came back is not reminded of
the old step, and nothing goes during a pause or outside their window.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import orjson
from telegram import Update
from telegram.constants import ChatMemberStatus

from bot.course import reminders as rules
from bot.course.model import Week
from bot.course.progress import Progress, Stage
from bot.course.schedule import unlock_date
from bot.i18n.translator import N_, Translator
from bot.storage import participants, scheduled
from bot.storage.database import to_iso
from bot.storage.records import ParticipantRecord
from bot.storage.reminders import (
    Candidate,
    PausedBy,
    candidates,
    clear_pause,
    get_pause,
    get_window,
    set_pause,
)
from bot.storage.scheduled import Item, NewItem
from bot.telegram.coach.jobs import tell_coaches_of_pause
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Outgoing
from bot.telegram.participant import review
from bot.telegram.participant.review import continue_button, what_waits
from bot.telegram.runtime import Runtime
from bot.telegram.scheduler import Kind, Later

REMINDER, WEEK_OPEN, REVIEW_OFFER = "reminder", "week_open", "review_offer"
MID_LESSON = frozenset({Stage.STEP, Stage.QUESTION})
PLAN_SLICE = 25
"""People planned between two yields to the event loop (about a millisecond of work)."""
LADDER_PAUSE_REASON = "3 reminders"

GREETINGS = (
    N_("Hi {name}! Your lesson is waiting for you, just where you left it."),
    N_("{name}, shall we go on? A few minutes is enough."),
    N_("Hello {name}. One small step today?"),
)
LAST_REMINDER = N_(
    "This is my last reminder for now. Your place is kept: come back whenever you like."
)


def quiet_hours(rt: Runtime) -> rules.QuietHours:
    return rules.QuietHours.parse(rt.settings.quiet_hours)


def local_day(rt: Runtime, moment: datetime) -> date:
    return rules.local(moment, rt.settings.timezone).date()


# ---------------------------------------------------------------- planning


async def plan(context: BotContext, now: datetime) -> list[NewItem]:
    """Every participant's unasked messages due at ``now`` (week openings first).

    The loop goes over everyone once a minute, mostly without a database trip that
    would let other work in: it yields to the event loop every PLAN_SLICE people, so
    at 10,000 participants a minute's planning (about a second) never holds every
    participant's press back for all of it.
    """
    rt = context.runtime
    items: list[NewItem] = []
    opening: dict[date, list[tuple[Week, date]]] = {}  # per group start, for this pass
    for count, person in enumerate(await candidates(rt.db), start=1):
        if count % PLAN_SLICE == 0:
            await asyncio.sleep(0)
        if await _paused(rt, person, now):
            continue
        stage, lesson_id = Progress.stage_of(orjson.loads(person.progress or "{}"))
        items += _week_openings(rt, person, now, opening)
        items += await _ladder(context, person, stage, lesson_id, now)
        items += await _review_offer(rt, person, stage, now)
    return items


async def _paused(rt: Runtime, person: Candidate, now: datetime) -> bool:
    """A pause holds; one the bot made (ladder, 403) ends once the participant writes."""
    pause = person.pause
    if pause is None:
        return False
    automatic = pause.by in (PausedBy.LADDER, PausedBy.BLOCKED)
    if automatic and person.last_active_at > pause.at:
        await clear_pause(rt.db, person.participant_id)
        return False
    if pause.until is None:
        return True
    if rules.paused(pause.until, now, rt.settings.timezone):
        return True
    await clear_pause(rt.db, person.participant_id)
    return False


def _opened_lately(rt: Runtime, start: date, today: date) -> list[tuple[Week, date]]:
    """The weeks of a group started on ``start`` that opened today or yesterday."""
    found = []
    for week in rt.course.weeks[1:]:
        opens = unlock_date(start, week.number)
        if today - timedelta(days=1) <= opens <= today:
            found.append((week, opens))
    return found


def _nudge_day(person: Candidate, day: date) -> str:
    return f"{person.participant_id}:{day.isoformat()}"


def _week_openings(
    rt: Runtime, person: Candidate, now: datetime, opening: dict[date, list[tuple[Week, date]]]
) -> list[NewItem]:
    """A paced group's week that opened today (or yesterday, if missed): one message.

    ``opening``: the weeks that opened today or yesterday, per group start, filled in as
    the pass goes (everyone of a group shares them).
    """
    if person.group_start is None or person.self_paced:
        return []
    tz, today = rt.settings.timezone, local_day(rt, now)
    weeks = opening.get(person.group_start)
    if weeks is None:
        weeks = opening[person.group_start] = _opened_lately(rt, person.group_start, today)
    if not weeks:
        return []
    window = rules.window_of(person.window)
    if window is rules.Window.NONE:
        window = rules.Window.MORNING  # news of a week is no reminder: it still comes
    items = []
    for week, opens in weeks:
        if local_day(rt, person.created_at) >= opens:
            continue  # joined after it opened: they found it open
        due = rules.window_opens(opens, window, quiet_hours(rt), tz)
        if due is None:
            continue
        if due < now and opens < today:
            due = rules.window_opens(today, window, quiet_hours(rt), tz) or due
        items.append(
            NewItem(
                f"week:{person.participant_id}:{week.id}",
                WEEK_OPEN,
                person.telegram_id,
                due,
                participant_id=person.participant_id,
                nudge_day=_nudge_day(person, local_day(rt, due)),
                payload={"week": week.id},
            )
        )
    return items


async def _ladder(
    context: BotContext, person: Candidate, stage: Stage, lesson_id: str | None, now: datetime
) -> list[NewItem]:
    rt = context.runtime
    if stage not in MID_LESSON or lesson_id is None:
        return []
    anchor = person.last_active_at
    sent = await scheduled.count_sent(rt.db, person.participant_id, REMINDER, anchor)
    if sent >= len(rules.LADDER_DAYS):
        return await pause_after_ladder(
            context, person.participant_id, person.group_id, anchor, now
        )
    state = rules.LadderState(
        anchor, sent, await scheduled.last_nudge_at(rt.db, person.participant_id)
    )
    window = rules.window_of(person.window)
    rung = rules.due_rung(state, now, window, quiet_hours(rt), rt.settings.timezone)
    if rung is None:
        return []
    return [
        NewItem(
            f"reminder:{person.participant_id}:{to_iso(anchor)}:{rung.index}",
            REMINDER,
            person.telegram_id,
            now,
            participant_id=person.participant_id,
            nudge_day=_nudge_day(person, local_day(rt, now)),
            anchor=anchor,
            payload={"rung": rung.index, "lesson": lesson_id},
        )
    ]


async def pause_after_ladder(
    context: BotContext, participant_id: int, group_id: int | None, anchor: datetime, now: datetime
) -> list[NewItem]:
    """After the third reminder: pause, and tell the coaches (once: the items' keys say so)."""
    await set_pause(
        context.runtime.db, participant_id, None, LADDER_PAUSE_REASON, PausedBy.LADDER, at=now
    )
    return await tell_coaches_of_pause(context, group_id, participant_id, anchor, now)


async def _review_offer(
    rt: Runtime, person: Candidate, stage: Stage, now: datetime
) -> list[NewItem]:
    """A memory check offered by a reminder, on a day with no lesson reminder."""
    tz, today = rt.settings.timezone, local_day(rt, now)
    window = rules.window_of(person.window)
    if stage in MID_LESSON or not rules.may_send(now, window, quiet_hours(rt), tz):
        return []
    if local_day(rt, person.last_active_at) == today:
        return []  # they were here today: the check is offered when they start
    if not await review.has_check_due(rt, person.participant_id, today):
        return []
    return [
        NewItem(
            f"review:{person.participant_id}:{today.isoformat()}",
            REVIEW_OFFER,
            person.telegram_id,
            now,
            participant_id=person.participant_id,
            nudge_day=_nudge_day(person, today),
        )
    ]


# ---------------------------------------------------------------- rendering


async def _still_wanted(
    rt: Runtime, item: Item, now: datetime
) -> tuple[Translator, ParticipantRecord] | None:
    """The participant and their translator, or None when the item no longer holds."""
    if item.participant_id is None:
        return None
    person = await participants.get(rt.db, item.participant_id)
    if person is None or person.blocked_at is not None or person.consent_at is None:
        return None
    pause = await get_pause(rt.db, person.id)
    if pause is not None and (
        pause.until is None or rules.paused(pause.until, now, rt.settings.timezone)
    ):
        return None
    if item.anchor is not None and person.last_active_at != item.anchor:
        return None  # they came back since: the old step is stale
    return rt.translator(person.language), person


def _wait_for_window(rt: Runtime, now: datetime, window: rules.Window) -> None:
    """Quiet hours (or a missed window): raise Later, for the next opening of the window."""
    tz = rt.settings.timezone
    if rules.may_send(now, window, quiet_hours(rt), tz):
        return
    today = local_day(rt, now)
    for day in (today, today + timedelta(days=1)):
        opens = rules.window_opens(day, window, quiet_hours(rt), tz)
        if opens is not None and opens > now:
            raise Later(opens)
    raise Later(now + timedelta(hours=1))


async def _wanted_now(
    rt: Runtime, item: Item, now: datetime
) -> tuple[Translator, ParticipantRecord] | None:
    """The reader and the person, when the item is still wanted and their window is open now."""
    found = await _still_wanted(rt, item, now)
    if found is None:
        return None
    window = rules.window_of(await get_window(rt.db, found[1].id))
    if not rules.may_send(now, window, quiet_hours(rt), rt.settings.timezone):
        return None
    return found


async def render_reminder(context: BotContext, item: Item, now: datetime) -> list[Outgoing] | None:
    rt = context.runtime
    found = await _wanted_now(rt, item, now)
    if found is None:
        return None  # outside the window now: the ladder plans it again at the next one
    tr, person = found
    rung = int(item.payload.get("rung", 0))
    greeting = tr._(GREETINGS[rules.variant(person.id, rung, len(GREETINGS))])
    lines = [greeting.format(name=person.first_name)]
    waits = what_waits(tr, rt.course, str(item.payload.get("lesson", "")))
    if waits is not None:
        lines.append(waits)
    if rung == len(rules.LADDER_DAYS) - 1:
        lines.append(tr._(LAST_REMINDER))
    return [Outgoing(tr.message("\n\n".join(lines)), continue_button(tr))]


async def after_reminder(context: BotContext, item: Item, now: datetime) -> list[NewItem]:
    """The last rung sent: pause the participant and tell their coaches at once."""
    if int(item.payload.get("rung", 0)) < len(rules.LADDER_DAYS) - 1 or item.anchor is None:
        return []
    assert item.participant_id is not None
    person = await participants.get(context.runtime.db, item.participant_id)
    group_id = None if person is None else person.group_id
    return await pause_after_ladder(context, item.participant_id, group_id, item.anchor, now)


async def render_week_open(context: BotContext, item: Item, now: datetime) -> list[Outgoing] | None:
    rt = context.runtime
    found = await _still_wanted(rt, item, now)
    week = rt.course.week(str(item.payload.get("week", "")))
    if found is None or week is None:
        return None
    tr, person = found
    name = person.first_name
    window = rules.window_of(await get_window(rt.db, person.id))
    _wait_for_window(rt, now, rules.Window.MORNING if window is rules.Window.NONE else window)
    text = tr._("Week {number} is open now: {title}. Shall we begin, {name}?").format(
        number=week.number, title=tr.lesson(week.title), name=name
    )
    label = tr._("▶ Begin week {number}").format(number=week.number)
    return [Outgoing(tr.message(text), continue_button(tr, label))]


async def render_review_offer(
    context: BotContext, item: Item, now: datetime
) -> list[Outgoing] | None:
    rt = context.runtime
    found = await _wanted_now(rt, item, now)
    if found is None:
        return None
    tr, person = found
    day = local_day(rt, now)
    again = item.attempts > 1
    return await review.offer(rt, tr, person.id, day, person.first_name, again=again)


KINDS = {
    REMINDER: Kind(render_reminder, after_reminder),
    WEEK_OPEN: Kind(render_week_open),
    REVIEW_OFFER: Kind(render_review_offer),
}


async def chat_member_changed(update: Update, context: BotContext) -> None:
    """The participant blocked the bot (or unblocked it): stop, or allow, unasked messages."""
    change = update.my_chat_member
    person = context.reader.participant
    if change is None or person is None:
        return
    db = context.runtime.db
    if change.new_chat_member.status == ChatMemberStatus.BANNED:
        await participants.mark_blocked(db, person.telegram_id)
        await set_pause(db, person.id, None, "blocked the bot", PausedBy.BLOCKED)
    elif change.new_chat_member.status == ChatMemberStatus.MEMBER:
        await participants.touch(db, person.id)  # the planner then ends the pause
