"""The bot's clock: one place that says what time it is, so tests can set it.

Everything that depends on "now" (pacing of weeks, gone-quiet flags, retention,
scheduled messages) asks this module, never ``datetime.now`` directly. Tests and
`jobs run-due --now` move it with :func:`set_now`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_fixed: datetime | None = None


def utc_now() -> datetime:
    """Now, in UTC (or the time a test set)."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def today(timezone: str) -> date:
    """Today's date where the course runs (Europe/Stockholm unless configured)."""
    return utc_now().astimezone(ZoneInfo(timezone)).date()


def set_now(moment: datetime | None) -> None:
    """Fix the clock at ``moment`` (timezone-aware), or let it run again with None."""
    if moment is not None and moment.tzinfo is None:
        raise ValueError("give the clock a timezone-aware time")
    global _fixed
    _fixed = moment
