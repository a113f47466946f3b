"""Week unlocking: a paced group opens week n on its start date + 7·(n−1) days."""

from __future__ import annotations

from datetime import date, timedelta

from bot.course.engine import Access


def weeks_open(start: date, today: date) -> int:
    """How many weeks a paced group has reached; 0 before its start date."""
    if today < start:
        return 0
    return (today - start).days // 7 + 1


def unlock_date(start: date, week_number: int) -> date:
    return start + timedelta(days=7 * (week_number - 1))


def access_for(start: date | None, self_paced: bool, today: date, extra_weeks: int = 0) -> Access:
    """The engine's Access for a participant: open when self-paced or in no group.

    ``extra_weeks``: weeks a coach opened early for this participant, on top of
    the group's pacing (also before the group's start date).
    """
    if start is None or self_paced:
        return Access()
    return Access(weeks_open=weeks_open(start, today) + max(0, extra_weeks))
