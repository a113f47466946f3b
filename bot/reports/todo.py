"""The action list that opens /group and the Monday digest: who to contact now, and why.

A pure function of the :class:`GroupReport`, so its rules sit beside the flag
rules they read (bot.reports.progress) and are tested with plain values.
The few people listed, worst first: failed a quiz twice, sure but wrong on a
safety question, behind the group, gone quiet (with the reminders that went
unanswered), then those whose week opened and who have not started.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.reports.progress import WEEKS_BEHIND_STUCK, Flag, GroupReport, ParticipantLine

MAX_TODO = 5
"""A coach acts on a few people a week; the overview shows everyone."""
NOT_STARTED_DAYS = 3
"""Days in a group with an open week and nothing done before it is worth a call."""


class Why(StrEnum):
    FAILED_TWICE = "failed_twice"
    SURE_WRONG = "sure_wrong"
    BEHIND = "behind"
    QUIET = "quiet"
    NOT_STARTED = "not_started"


@dataclass(frozen=True, slots=True)
class Reason:
    why: Why
    lesson_id: str | None = None
    question_id: str | None = None
    count: int = 0
    """Days quiet, or weeks behind."""
    reminders: int = 0


@dataclass(frozen=True, slots=True)
class ToDo:
    line: ParticipantLine
    reasons: tuple[Reason, ...]


def reasons_for(report: GroupReport, line: ParticipantLine) -> tuple[Reason, ...]:
    found = [Reason(Why.FAILED_TWICE, lesson_id=x) for x in line.stuck_lessons]
    found += [
        Reason(Why.SURE_WRONG, lesson_id=lesson, question_id=question)
        for lesson, question in line.sure_mistakes
    ]
    if Flag.STUCK in line.flags and line.weeks_behind >= WEEKS_BEHIND_STUCK:
        found.append(Reason(Why.BEHIND, count=line.weeks_behind))
    if Flag.QUIET in line.flags:
        found.append(
            Reason(Why.QUIET, count=line.days_inactive, reminders=line.reminders_unanswered)
        )
    joined_days = line.days_in_group if line.days_in_group is not None else NOT_STARTED_DAYS
    if (
        not found
        and not line.started
        and not line.paused
        and (report.pace_week is None or report.pace_week >= 1)
        and joined_days >= NOT_STARTED_DAYS
    ):
        found.append(Reason(Why.NOT_STARTED))
    return tuple(found)


def action_list(report: GroupReport) -> tuple[ToDo, ...]:
    """The people to contact this week, in the order of the module's docstring."""
    order = {
        Why.FAILED_TWICE: 0,
        Why.SURE_WRONG: 1,
        Why.BEHIND: 2,
        Why.QUIET: 3,
        Why.NOT_STARTED: 4,
    }
    todos = [ToDo(line, r) for line in report.lines if (r := reasons_for(report, line))]
    todos.sort(key=lambda t: (min(order[r.why] for r in t.reasons), -t.line.days_inactive))
    return tuple(todos[:MAX_TODO])
