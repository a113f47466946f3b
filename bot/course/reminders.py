"""When a participant may be nudged, and which nudge is due: the reminder rules.

Pure and dated: every function takes "now" and the course's time zone, so the
rules are tested with fixed dates (daylight-saving changes included) and the
scheduler only stores and sends what they decide. All local times are wall
clock times in the course's zone (Europe/Stockholm unless configured): a
morning reminder comes at 08:00 on the clock in summer and in winter alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.course.model import Lesson


class Window(StrEnum):
    """The part of the day a participant lets reminders come in; NONE: never."""

    MORNING = "morning"
    LUNCH = "lunch"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NONE = "none"


HOURS: dict[Window, tuple[time, time]] = {
    Window.MORNING: (time(8), time(11)),
    Window.LUNCH: (time(11), time(13)),
    Window.AFTERNOON: (time(13), time(17)),
    Window.EVENING: (time(17), time(21)),
}
DEFAULT_WINDOW = Window.AFTERNOON
"""For a participant who never chose (joined before the choice existed)."""

LADDER_DAYS = (1, 3, 7)
"""Days after stopping mid-lesson on which the three reminders come; then a pause."""
WELCOME_BACK_AFTER = timedelta(days=7)
SECONDS_PER_ITEM = 30
"""How long a weak reader takes over one step card or one question, roughly."""


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours in which nothing is sent; they may span midnight (21:00–08:00)."""

    start: time = time(21)
    end: time = time(8)

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"21:00-08:00"``, as QUIET_HOURS is written in the settings."""
        first, _, second = text.replace("–", "-").partition("-")
        return cls(time.fromisoformat(first.strip()), time.fromisoformat(second.strip()))


def window_of(value: str | None) -> Window:
    """A stored choice, or the default when none was made (or it is unknown)."""
    try:
        return Window(value) if value else DEFAULT_WINDOW
    except ValueError:
        return DEFAULT_WINDOW


def local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def may_send(now: datetime, window: Window, quiet: QuietHours, timezone: str) -> bool:
    """Inside the participant's window and outside quiet hours, on the wall clock."""
    if window is Window.NONE:
        return False
    clock = local(now, timezone).time()
    start, end = HOURS[window]
    return start <= clock < end and not quiet.contains(clock)


def window_opens(day: date, window: Window, quiet: QuietHours, timezone: str) -> datetime | None:
    """The first moment on ``day`` a nudge may go: the window's start, past quiet hours.

    None when the window lies wholly in quiet hours (or is NONE). A local time
    that does not exist on that day (a spring-forward gap) moves on with it.
    """
    if window is Window.NONE:
        return None
    zone = ZoneInfo(timezone)
    start, end = HOURS[window]
    at = datetime.combine(day, start, zone)
    while at.astimezone(zone).time() < end:
        if not quiet.contains(at.astimezone(zone).time()):
            return at.astimezone(zone)
        at += timedelta(minutes=30)
    return None


@dataclass(frozen=True, slots=True)
class LadderState:
    """What the scheduler knows about a participant who stopped mid-lesson."""

    stopped_at: datetime
    """Their last activity: the ladder counts days from here."""
    sent: int
    """Reminders already sent since ``stopped_at``."""
    last_nudge_at: datetime | None
    """When anything last went to them unasked (a reminder, a week opening, a check)."""


@dataclass(frozen=True, slots=True)
class Rung:
    """The reminder due now: which of the three (0, 1, 2) and whether it is the last."""

    index: int

    @property
    def last(self) -> bool:
        return self.index == len(LADDER_DAYS) - 1


def due_rung(
    state: LadderState, now: datetime, window: Window, quiet: QuietHours, timezone: str
) -> Rung | None:
    """The reminder to send at ``now``, or None: not yet, not now, or the ladder is done.

    Rung k falls due on the local day ``LADDER_DAYS[k]`` after the stop, at the
    participant's window; missed (the bot was down), it goes at the next window.
    Never outside the window or in quiet hours, never twice a day.
    """
    if state.sent >= len(LADDER_DAYS) or not may_send(now, window, quiet, timezone):
        return None
    today = local(now, timezone).date()
    due_day = local(state.stopped_at, timezone).date() + timedelta(days=LADDER_DAYS[state.sent])
    if today < due_day or nudged_today(state.last_nudge_at, now, timezone):
        return None
    return Rung(state.sent)


def nudged_today(last_nudge_at: datetime | None, now: datetime, timezone: str) -> bool:
    return last_nudge_at is not None and (
        local(last_nudge_at, timezone).date() == local(now, timezone).date()
    )


def paused(paused_until: date | None, now: datetime, timezone: str) -> bool:
    """A planned pause lasts through its end date; it is over the day after."""
    return paused_until is not None and local(now, timezone).date() <= paused_until


def needs_welcome_back(last_active_at: datetime, now: datetime) -> bool:
    return now - last_active_at >= WELCOME_BACK_AFTER


def minutes_for(lesson: Lesson) -> int:
    """A rough reading time for the whole lesson: what a reminder promises."""
    items = len(lesson.steps) + (len(lesson.quiz.questions) if lesson.quiz else 0)
    return max(1, math.ceil(items * SECONDS_PER_ITEM / 60))


def variant(participant_id: int, rung: int, count: int) -> int:
    """Which wording a reminder uses: varies per rung and per person, stable on a rerun."""
    return (participant_id + rung) % count
