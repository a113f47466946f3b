"""The coaches' scheduled messages: the Monday digest, quiet alerts, pause notices.

When each recurring job is next due is kept in ``due_jobs``. When it is due, the
planner adds one scheduler item per coach (bot.telegram.scheduler) and only
then moves the due time on: a crash in between adds the same items again
(their keys are the due time), so no coach is skipped and none is sent twice.
The messages are made when each item is sent. The retention purge runs in the
planner itself: it sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.ops.backup import nightly_backup
from bot.reports.digest import build_digest, digest_text, newly_quiet, quiet_alert
from bot.reports.progress import GroupReport
from bot.storage import CoachRecord, GroupRecord, groups, invites, jobs, participants, scheduled
from bot.storage.coaching import all_coaches, coaches_of_group
from bot.storage.database import DATABASE_ERRORS, from_iso, to_iso
from bot.storage.progress import purge_processed_updates
from bot.storage.retention import purge_expired, purge_unattached
from bot.storage.scheduled import REPLY, Item, NewItem
from bot.telegram.coach.actions import group_report
from bot.telegram.coach.render import as_messages, todo_buttons
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Outgoing, Rows
from bot.telegram.runtime import Runtime
from bot.telegram.scheduler import Kind
from bot.telegram.sending import send_all

log = logging.getLogger(__name__)

MORNING = time(8, 0)
NIGHT = time(3, 0)
BACKUP_TIME = time(3, 30)  # after the purge, so a backup never keeps what it just erased
MONDAY = 0


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    period: timedelta
    at: time
    weekday: int | None
    plan: Callable[[BotContext, datetime, datetime, datetime], Awaitable[list[NewItem]]]
    """Called with the time now, the due time and the start of the stretch it covers."""


def next_time(now: datetime, timezone: str, at: time, weekday: int | None) -> datetime:
    """The first local ``at`` (on ``weekday`` if given) strictly after ``now``."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(8):
        candidate = datetime.combine(day, at, zone)
        if candidate > local and (weekday is None or candidate.weekday() == weekday):
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a week has every weekday")


async def plan(context: BotContext, now: datetime) -> list[NewItem]:
    """Add the coaches' items due at ``now``; each job's due time moves on after its items.

    Returns nothing to add: the items are added here, before the due time moves.
    """
    rt = context.runtime
    for job in JOBS:
        due = await jobs.get_due(rt.db, job.name)
        following = next_time(now, rt.settings.timezone, job.at, job.weekday)
        if due is None:
            await jobs.set_due(rt.db, job.name, following)
            continue
        if due > now:
            continue
        rt.metrics.jobs_due.labels(job.name).inc()
        try:
            planned = await job.plan(context, now, due, due - job.period)
        except Exception as error:
            if isinstance(error, DATABASE_ERRORS):
                rt.metrics.database_errors.labels(type(error).__name__).inc()
            log.exception("the %s job failed", job.name)
            planned = []
        await scheduled.add(rt.db, planned, now)
        await jobs.set_due(rt.db, job.name, following)
    return []


# ---------------------------------------------------------------- the jobs


async def plan_digests(
    context: BotContext, now: datetime, due: datetime, since: datetime
) -> list[NewItem]:
    """One digest item per coach; whether they have a running group is seen at send time."""
    return [
        NewItem(
            f"digest:{coach.id}:{to_iso(due)}",
            "coach_digest",
            coach.telegram_id,
            now,
            coach_id=coach.id,
        )
        for coach in await all_coaches(context.runtime.db)
    ]


async def plan_quiet_alerts(
    context: BotContext, now: datetime, due: datetime, since: datetime
) -> list[NewItem]:
    return [
        NewItem(
            f"quiet:{coach.id}:{to_iso(due)}",
            "coach_quiet",
            coach.telegram_id,
            now,
            coach_id=coach.id,
            payload={"since": to_iso(since)},
        )
        for coach in await all_coaches(context.runtime.db)
    ]


async def purge(
    context: BotContext, now: datetime, due: datetime, since: datetime
) -> list[NewItem]:
    """Retention: ended groups after RETENTION_MONTHS; dead invites; old wrong-code tries."""
    rt = context.runtime
    course_length = timedelta(weeks=len(rt.course.weeks))
    purged = await purge_expired(rt.db, rt.settings.retention_months, course_length, now)
    if purged:
        log.info("purged %d ended group(s) past the retention period", len(purged))
    forgotten = await purge_unattached(rt.db, rt.settings.retention_months, now)
    if forgotten:
        log.info("forgot %d person(s) who never agreed or left no group behind", forgotten)
    await invites.purge_expired_invites(rt.db, now)
    await invites.purge_start_attempts(rt.db, now - timedelta(days=1))
    # Telegram redelivers an update for a day at most; older ids guard nothing.
    await purge_processed_updates(rt.db, now - timedelta(days=7))
    await scheduled.purge_finished(rt.db, now - timedelta(days=60))
    return []


async def backup(
    context: BotContext, now: datetime, due: datetime, since: datetime
) -> list[NewItem]:
    """The nightly copy into BACKUP_DIR, when one is set; the oldest beyond BACKUP_KEEP go."""
    rt = context.runtime
    if rt.settings.backup_dir is not None and rt.db.path is not None:
        await nightly_backup(rt.db.path, rt.settings.backup_dir, rt.settings.backup_keep)
    return []


async def digest_for(
    context: BotContext, coach: CoachRecord, now: datetime, cache: dict[int, GroupReport]
) -> list[Outgoing] | None:
    """A coach's Monday message, one part per running group; None without one."""
    rt = context.runtime
    running = [g for g in await groups.groups_of_coach(rt.db, coach.id) if _running(rt, g, now)]
    if not running:
        return None
    tr = rt.translator(coach.language)
    lines = [
        tr._("Good morning, {name}! This is the week in your groups.").format(name=coach.first_name)
    ]
    buttons: Rows = ()
    for group in running:
        report = await _report(rt, group, now, cache)
        digest = build_digest(report)
        lines += ["", digest_text(tr, rt.course, digest)]
        buttons += todo_buttons(tr, report.group_id, digest.todo)  # one tap from Monday
    return as_messages(tr, lines, buttons)


async def alerts_for(
    context: BotContext,
    coach: CoachRecord,
    now: datetime,
    since: datetime,
    cache: dict[int, GroupReport],
) -> list[Outgoing]:
    """One message for each of the coach's participants who went quiet since ``since``."""
    rt = context.runtime
    tr = rt.translator(coach.language)
    messages: list[Outgoing] = []
    for group in await groups.groups_of_coach(rt.db, coach.id):
        if not _running(rt, group, now):
            continue
        report = await _report(rt, group, now, cache)
        for line in newly_quiet(report, rt.settings.quiet_days, since):
            messages += as_messages(tr, [quiet_alert(tr, report, line)])
    return messages


async def send_digests(context: BotContext, now: datetime, since: datetime | None = None) -> int:
    """Send every coach's digest at once (outside the scheduler); returns how many went."""
    cache: dict[int, GroupReport] = {}
    sent = 0
    for coach in await all_coaches(context.runtime.db):
        messages = await digest_for(context, coach, now, cache)
        if messages:
            await send_all(context, coach.telegram_id, messages)
            sent += 1
    return sent


async def send_quiet_alerts(context: BotContext, now: datetime, since: datetime) -> int:
    """Send the quiet alerts at once (outside the scheduler); returns how many went."""
    cache: dict[int, GroupReport] = {}
    sent = 0
    for coach in await all_coaches(context.runtime.db):
        for message in await alerts_for(context, coach, now, since, cache):
            await send_all(context, coach.telegram_id, [message])
            sent += 1
    return sent


# ---------------------------------------------------------------- rendering items


async def _coach(context: BotContext, item: Item) -> CoachRecord | None:
    """The coach an item is for, if they are still a coach."""
    return await groups.get_coach_by_telegram_id(context.runtime.db, item.chat_id)


async def render_digest(
    context: BotContext, item: Item, now: datetime
) -> Sequence[Outgoing] | None:
    coach = await _coach(context, item)
    return None if coach is None else await digest_for(context, coach, now, {})


async def render_quiet(context: BotContext, item: Item, now: datetime) -> Sequence[Outgoing] | None:
    coach = await _coach(context, item)
    if coach is None:
        return None
    since = from_iso(str(item.payload["since"]))
    return await alerts_for(context, coach, now, since, {}) or None


async def render_paused(
    context: BotContext, item: Item, now: datetime
) -> Sequence[Outgoing] | None:
    """Tell the coach a participant was paused after the last of three reminders."""
    coach = await _coach(context, item)
    person_id = item.payload.get("participant")
    person = (
        None if person_id is None else await participants.get(context.runtime.db, int(person_id))
    )
    if coach is None or person is None:
        return None
    tr = context.runtime.translator(coach.language)
    group = (
        None
        if person.group_id is None
        else await groups.get_group(context.runtime.db, person.group_id)
    )
    text = tr._(
        "{name} ({group}) has gone quiet: paused after 3 reminders. Nothing more is sent"
        " to them until they write again."
    ).format(name=person.first_name, group=group.name if group else "–")
    return as_messages(tr, [text])


async def tell_coaches_of_pause(
    context: BotContext, group_id: int | None, participant_id: int, anchor: datetime, now: datetime
) -> list[NewItem]:
    """Items telling each coach of the participant's group that the ladder paused them."""
    if group_id is None:
        return []
    return [
        NewItem(
            f"paused:{coach.id}:{participant_id}:{to_iso(anchor)}",
            "coach_paused",
            coach.telegram_id,
            now,
            coach_id=coach.id,
            priority=REPLY,
            payload={"participant": participant_id},
        )
        for coach in await coaches_of_group(context.runtime.db, group_id)
    ]


def _running(rt: Runtime, group: GroupRecord, now: datetime) -> bool:
    """A group gets digests and alerts until a week after it ended."""
    ended = group.ended_at.date() if group.ended_at else None
    end = ended or group.start_date + timedelta(weeks=len(rt.course.weeks))
    return now.astimezone(ZoneInfo(rt.settings.timezone)).date() <= end + timedelta(weeks=1)


async def _report(
    rt: Runtime, group: GroupRecord, now: datetime, cache: dict[int, GroupReport]
) -> GroupReport:
    """One report per group per run, however many coaches follow it."""
    if group.id not in cache:
        cache[group.id] = await group_report(rt, group, now)
    return cache[group.id]


JOBS = (
    Job("coach_digest", timedelta(weeks=1), MORNING, MONDAY, plan_digests),
    Job("quiet_alerts", timedelta(days=1), MORNING, None, plan_quiet_alerts),
    Job("retention_purge", timedelta(days=1), NIGHT, None, purge),
    Job("backup", timedelta(days=1), BACKUP_TIME, None, backup),
)

KINDS = {
    "coach_digest": Kind(render_digest),
    "coach_quiet": Kind(render_quiet),
    "coach_paused": Kind(render_paused),
}
