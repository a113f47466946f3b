"""The coach's Monday digest and the alert when someone goes quiet.

Both read the same :class:`GroupReport` as the /group overview: who moved on
(passed a lesson in the last week), who is stuck, who went quiet, who left, and
talking points for the next meeting, so the coach walks in knowing where to
start. Rendering takes a Translator: the coach reads it in their language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.course.model import Course
from bot.course.schedule import unlock_date
from bot.i18n.translator import Translator
from bot.reports.names import isolate
from bot.reports.progress import Flag, GroupReport, ParticipantLine, QuestionStat
from bot.reports.todo import ToDo, action_list
from bot.reports.words import lesson_title, reminders_text, todo_line, week_text

HARD_POINTS = 3


@dataclass(frozen=True, slots=True)
class Digest:
    report: GroupReport
    moved_on: tuple[ParticipantLine, ...]
    stuck: tuple[ParticipantLine, ...]
    quiet: tuple[ParticipantLine, ...]
    hard: tuple[QuestionStat, ...]
    todo: tuple[ToDo, ...] = ()

    @property
    def left(self) -> int:
        return self.report.departures_recent


def build_digest(report: GroupReport) -> Digest:
    return Digest(
        report=report,
        moved_on=tuple(x for x in report.lines if x.recent_lessons > 0),
        stuck=report.with_flag(Flag.STUCK),
        quiet=report.with_flag(Flag.QUIET),
        hard=report.hard_questions[:HARD_POINTS],
        todo=action_list(report),
    )


def digest_text(tr: Translator, course: Course, digest: Digest) -> str:
    """One group's part of the Monday message."""
    lines = [f"📋 {digest.report.name}"]
    lines += _section(tr._("To do this week:"), [todo_line(tr, course, t) for t in digest.todo])
    lines += _section(tr._("Moved on:"), [_moved(tr, x) for x in digest.moved_on])
    lines += _section(tr._("Stuck:"), [_stuck(tr, course, x) for x in digest.stuck])
    lines += _section(tr._("Gone quiet:"), [_quiet(tr, x) for x in digest.quiet])
    if digest.left:
        lines += [
            "",
            tr.ngettext(
                "{n} participant left the course this week.",
                "{n} participants left the course this week.",
                digest.left,
            ).format(n=digest.left),
        ]
    points = talking_points(tr, course, digest)
    lines += _section(tr._("For the next meeting:"), points)
    if not (digest.moved_on or digest.stuck or digest.quiet or digest.left):
        lines.append(tr._("A calm week: nobody moved on, nobody is stuck or quiet."))
    return "\n".join(lines)


def _section(title: str, items: list[str]) -> list[str]:
    return ["", title, *(f"• {item}" for item in items)] if items else []


def _moved(tr: Translator, line: ParticipantLine) -> str:
    done = tr.ngettext(
        "{name}: {n} lesson passed, now in {week}",
        "{name}: {n} lessons passed, now in {week}",
        line.recent_lessons,
    )
    return done.format(name=isolate(line.name), n=line.recent_lessons, week=week_text(tr, line))


def _stuck(tr: Translator, course: Course, line: ParticipantLine) -> str:
    reasons = [
        tr._("failed the quiz of «{lesson}» twice").format(lesson=_lesson_title(tr, course, x))
        for x in line.stuck_lessons
    ]
    if line.weeks_behind >= 2:
        reasons.append(
            tr.ngettext(
                "{n} week behind the group", "{n} weeks behind the group", line.weeks_behind
            ).format(n=line.weeks_behind)
        )
    return f"{isolate(line.name)}: {', '.join(reasons)}"


def _quiet(tr: Translator, line: ParticipantLine) -> str:
    quiet = tr.ngettext(
        "{name}: no activity for {n} day", "{name}: no activity for {n} days", line.days_inactive
    ).format(name=isolate(line.name), n=line.days_inactive)
    unanswered = reminders_text(tr, line.reminders_unanswered)
    return f"{quiet} ({unanswered})" if unanswered else quiet


def _lesson_title(tr: Translator, course: Course, lesson_id: str) -> str:
    return lesson_title(tr, course, lesson_id)


def talking_points(tr: Translator, course: Course, digest: Digest) -> list[str]:
    """What to bring up: people to help, people to call, questions that tripped many."""
    points = [
        tr._("Go through «{lesson}» together with {name}.").format(
            lesson=_lesson_title(tr, course, lesson), name=isolate(line.name)
        )
        for line in digest.stuck
        for lesson in line.stuck_lessons
    ]
    points += [
        tr._("Call {name} and ask how it is going.").format(name=isolate(x.name))
        for x in digest.quiet
    ]
    points += [
        tr._("Talk about «{question}»: {right} of {asked} got it right at the first try.").format(
            question=tr.lesson(s.question.text), right=s.right_first, asked=s.asked
        )
        for s in digest.hard
    ]
    coming = _next_week(tr, course, digest.report)
    return [*points, coming] if coming else points


def _next_week(tr: Translator, course: Course, report: GroupReport) -> str | None:
    if report.pace_week is None or report.pace_week >= len(course.weeks):
        return None
    week = course.weeks[report.pace_week]
    return tr._("Week {number} opens on {date}: {title}.").format(
        number=week.number,
        date=tr.date(unlock_date(report.start_date, week.number)),
        title=tr.lesson(week.title),
    )


def quiet_alert(tr: Translator, report: GroupReport, line: ParticipantLine) -> str:
    return tr.ngettext(
        "💤 {name} in {group} has gone quiet: no activity for {n} day.",
        "💤 {name} in {group} has gone quiet: no activity for {n} days.",
        line.days_inactive,
    ).format(name=isolate(line.name), group=report.name, n=line.days_inactive)


def newly_quiet(
    report: GroupReport, quiet_days: int, since: datetime
) -> tuple[ParticipantLine, ...]:
    """Who crossed the quiet line after ``since``: each quiet spell alerts once."""
    return tuple(
        line
        for line in report.with_flag(Flag.QUIET)
        if line.last_active_at + timedelta(days=quiet_days) > since
    )
