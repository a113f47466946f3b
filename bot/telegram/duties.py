"""Everything the scheduler plans and sends, in one list, and the once-a-minute tick.

The coaches' side (digest, quiet alerts, pause notices, the retention purge)
and the participants' side (reminders, week openings, memory checks) each give
a planner and the kinds of item they send; bot.telegram.scheduler runs them.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.clock import utc_now
from bot.telegram.coach import jobs as coach_jobs
from bot.telegram.context import BotApplication, BotContext
from bot.telegram.participant import reminders
from bot.telegram.scheduler import Counts, run

log = logging.getLogger(__name__)

TICK_SECONDS = 60
PLANNERS = (coach_jobs.plan, reminders.plan)
KINDS = {**coach_jobs.KINDS, **reminders.KINDS}


def schedule(application: BotApplication) -> None:
    """Tick once a minute; what is due is decided by the database, not by the timer."""
    if application.job_queue is None:
        log.warning("no JobQueue: reminders, digests and purges will not run")
        return
    application.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=5, name="scheduler")


async def tick(context: BotContext) -> None:
    counts = await run_due(context, utc_now())
    if counts.sent or counts.failed:
        log.info("scheduler: %s", counts.line())


async def run_due(context: BotContext, now: datetime) -> Counts:
    """Plan and send everything due at ``now``: the bot's tick and ``jobs run-due`` alike."""
    return await run(context, now, PLANNERS, KINDS)
