"""Scheduled work: the coaches' Monday digest, quiet alerts and the retention purge.

PTB's JobQueue ticks once a minute; when each job is next due is kept in the
``due_jobs`` table, so a restart neither skips a digest (a due time in the past
runs at the next tick) nor repeats one (the next due time is stored before the
job runs: a crash half-way skips the rest rather than send it twice). Sends go
one by one through the application's rate limiter, which holds the bot within
Telegram's limits however many coaches there are.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.clock import utc_now
from bot.ops.backup import nightly_backup
from bot.reports.digest import build_digest, digest_text, newly_quiet, quiet_alert
from bot.reports.progress import GroupReport, build_report
from bot.storage import GroupRecord, groups, invites, jobs
from bot.storage.coaching import all_coaches
from bot.storage.progress import purge_processed_updates
from bot.storage.reports import group_facts
from bot.storage.retention import purge_expired, purge_unattached
from bot.telegram.coach.render import as_messages, todo_buttons
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Rows
from bot.telegram.runtime import Runtime
from bot.telegram.sending import send_all

log = logging.getLogger(__name__)

TICK_SECONDS = 60
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
    run: Callable[[BotContext, datetime, datetime], Awaitable[object]]
    """Called with the time now and the start of the stretch it covers."""


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


def schedule(application: Application) -> None:  # type: ignore[type-arg]
    """Tick once a minute; what is due is decided by the database, not by the timer."""
    if application.job_queue is None:
        log.warning("no JobQueue: digests, alerts and purges will not run")
        return
    application.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=5, name="coach-jobs")


async def tick(context: BotContext) -> None:
    await run_due(context, utc_now())


async def run_due(context: BotContext, now: datetime) -> None:
    rt = context.runtime
    for job in JOBS:
        due = await jobs.get_due(rt.db, job.name)
        following = next_time(now, rt.settings.timezone, job.at, job.weekday)
        if due is None:
            await jobs.set_due(rt.db, job.name, following)
            continue
        if due > now:
            continue
        await jobs.set_due(rt.db, job.name, following)
        rt.metrics.jobs_due.labels(job.name).inc()
        try:
            sent = await job.run(context, now, due - job.period)
        except Exception as error:
            if isinstance(error, sqlite3.Error):
                rt.metrics.database_errors.labels(type(error).__name__).inc()
            log.exception("the %s job failed", job.name)
            continue
        if isinstance(sent, int) and not isinstance(sent, bool):
            rt.metrics.jobs_sent.labels(job.name).inc(sent)


# ---------------------------------------------------------------- the jobs


async def send_digests(context: BotContext, now: datetime, since: datetime | None = None) -> int:
    """Each coach's Monday message, one part per running group; returns how many were sent."""
    rt = context.runtime
    cache: dict[int, GroupReport] = {}
    sent = 0
    for coach in await all_coaches(rt.db):
        running = [g for g in await groups.groups_of_coach(rt.db, coach.id) if _running(rt, g, now)]
        if not running:
            continue
        tr = rt.translator(coach.language)
        lines = [
            tr._("Good morning, {name}! This is the week in your groups.").format(
                name=coach.first_name
            )
        ]
        buttons: Rows = ()
        for group in running:
            report = await _report(rt, group, now, cache)
            digest = build_digest(report)
            lines += ["", digest_text(tr, rt.course, digest)]
            buttons += todo_buttons(tr, report.group_id, digest.todo)  # one tap from Monday
        await send_all(context, coach.telegram_id, as_messages(tr, lines, buttons))
        sent += 1
    return sent


async def send_quiet_alerts(context: BotContext, now: datetime, since: datetime) -> int:
    """Tell coaches who went quiet since ``since``; returns how many alerts went out."""
    rt = context.runtime
    cache: dict[int, GroupReport] = {}
    sent = 0
    for coach in await all_coaches(rt.db):
        tr = rt.translator(coach.language)
        for group in await groups.groups_of_coach(rt.db, coach.id):
            if not _running(rt, group, now):
                continue
            report = await _report(rt, group, now, cache)
            for line in newly_quiet(report, rt.settings.quiet_days, since):
                text = quiet_alert(tr, report, line)
                await send_all(context, coach.telegram_id, as_messages(tr, [text]))
                sent += 1
    return sent


async def purge(context: BotContext, now: datetime, since: datetime) -> None:
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


async def backup(context: BotContext, now: datetime, since: datetime) -> None:
    """The nightly copy into BACKUP_DIR, when one is set; the oldest beyond BACKUP_KEEP go."""
    rt = context.runtime
    if rt.settings.backup_dir is None or rt.db.path is None:
        return
    await nightly_backup(rt.db.path, rt.settings.backup_dir, rt.settings.backup_keep)


JOBS = (
    Job("coach_digest", timedelta(weeks=1), MORNING, MONDAY, send_digests),
    Job("quiet_alerts", timedelta(days=1), MORNING, None, send_quiet_alerts),
    Job("retention_purge", timedelta(days=1), NIGHT, None, purge),
    Job("backup", timedelta(days=1), BACKUP_TIME, None, backup),
)


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
        facts = await group_facts(rt.db, group)
        cache[group.id] = build_report(
            rt.course, facts, now, quiet_days=rt.settings.quiet_days, timezone=rt.settings.timezone
        )
    return cache[group.id]
