"""The coach's views as messages: the overview, a participant, the hard questions.

Pure functions of a :class:`GroupReport` (the one aggregation layer) and a
Translator, returning ``Outgoing`` values, so they are tested without Telegram.
Only first names appear; every word goes through the coach's catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.course.model import Course, Question
from bot.course.summary import LessonSummary, WeekSummary
from bot.i18n.languages import LANGUAGES, native_name
from bot.i18n.translator import N_, Translator
from bot.reports.progress import GroupReport, ParticipantLine
from bot.reports.words import flags_text, last_active, week_text
from bot.storage import GroupRecord
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach.callbacks import INVITE_PRESETS
from bot.telegram.outgoing import Button, Outgoing, Rows

MAX_PERSON_BUTTONS = 90
"""Telegram takes about a hundred buttons under one message; the rest are in the exports."""
HARD_SHOWN = 10


def as_messages(tr: Translator, lines: Sequence[str], buttons: Rows = ()) -> list[Outgoing]:
    """One message; the sender splits it to fit, buttons under the last piece (the thumb)."""
    return [Outgoing(tr.message("\n".join(lines)), buttons)]


# ---------------------------------------------------------------- choosing


def group_picker(tr: Translator, groups: Sequence[GroupRecord], for_invite: bool) -> Outgoing:
    rows = tuple(
        (Button(g.name, cb.invite(g.id) if for_invite else cb.overview(g.id)),) for g in groups
    )
    return Outgoing(tr.message(tr._("Which group?")), rows)


def language_picker(tr: Translator) -> Outgoing:
    rows = tuple((Button(native_name(code), cb.language(code)),) for code in LANGUAGES)
    return Outgoing(tr.message(tr._("Which language do you want to read in?")), rows)


# ---------------------------------------------------------------- the overview


def overview(tr: Translator, course: Course, report: GroupReport) -> list[Outgoing]:
    lines = [_header(tr, course, report), ""]
    lines += [_line(tr, line) for line in report.lines] or [tr._("Nobody has joined yet.")]
    if report.departures or report.waiting:
        lines.append("")
    if report.departures:
        lines.append(_departures(tr, report.departures))
    if report.waiting:
        lines.append(
            tr.ngettext(
                "{n} person opened the link but has not agreed yet",
                "{n} people opened the link but have not agreed yet",
                report.waiting,
            ).format(n=report.waiting)
        )
    return as_messages(tr, lines, overview_buttons(tr, report))


def _header(tr: Translator, course: Course, report: GroupReport) -> str:
    if report.pace_week is None:
        pace = tr._("self-paced")
    elif report.pace_week == 0:
        pace = tr._("starts on {date}").format(date=tr.date(report.start_date))
    else:
        pace = tr._("week {number} of {total}").format(
            number=report.pace_week, total=len(course.weeks)
        )
    people = tr.ngettext("{n} participant", "{n} participants", len(report.lines)).format(
        n=len(report.lines)
    )
    return f"👥 {report.name} · {pace} · {people}"


def _line(tr: Translator, line: ParticipantLine) -> str:
    parts = [
        line.first_name,
        week_text(tr, line),
        tr._("{done}/{total} lessons").format(done=line.lessons_done, total=line.lessons_total),
    ]
    if line.quiz_average is not None:
        parts.append(tr._("quiz average {percent} %").format(percent=line.quiz_average))
    parts += [last_active(tr, line.days_inactive), flags_text(tr, line)]
    return " · ".join(parts)


def _departures(tr: Translator, count: int) -> str:
    return tr.ngettext(
        "{n} participant left the course", "{n} participants left the course", count
    ).format(n=count)


def overview_buttons(tr: Translator, report: GroupReport) -> Rows:
    people = [
        Button(line.first_name, cb.participant(report.group_id, line.participant_id))
        for line in report.lines[:MAX_PERSON_BUTTONS]
    ]
    rows = [tuple(people[i : i + 2]) for i in range(0, len(people), 2)]
    rows.append(
        (
            Button(tr._("Hard questions"), cb.hard_questions(report.group_id)),
            Button(tr._("Chart"), cb.chart(report.group_id)),
        )
    )
    rows.append(
        (
            Button(tr._("Excel (XLSX)"), cb.export(report.group_id, "x")),
            Button(tr._("CSV"), cb.export(report.group_id, "c")),
        )
    )
    return tuple(rows)


def back(tr: Translator, group_id: int) -> Rows:
    return ((Button(tr._("◀ Back to the group"), cb.overview(group_id)),),)


# ---------------------------------------------------------------- one participant


def detail(
    tr: Translator,
    report: GroupReport,
    line: ParticipantLine,
    wrong: dict[str, tuple[Question, ...]],
) -> list[Outgoing]:
    lines = [f"👤 {_line(tr, line)}"]
    lines += _stuck_reasons(tr, line)
    if wrong:
        lines.append(tr._("Under each lesson: the questions answered wrong at the first try."))
    untouched: list[int] = []
    for summary in line.weeks:
        if not _touched(summary):
            untouched.append(summary.week.number)
            continue
        heading = tr._("Week {number}: {title}").format(
            number=summary.week.number, title=tr.lesson(summary.week.title)
        )
        lines += ["", heading]
        for lesson in summary.lessons:
            lines.append(_lesson_line(tr, lesson))
            lines += [f"    ✗ {tr.lesson(q.text)}" for q in wrong.get(lesson.lesson.id, ())]
    if untouched:
        lines += ["", tr._("Not started: week {numbers}").format(numbers=_ranges(untouched))]
    return as_messages(tr, lines, back(tr, report.group_id))


def _touched(summary: WeekSummary) -> bool:
    return any(s.passed or s.best_percent is not None or s.failed_runs for s in summary.lessons)


def _lesson_line(tr: Translator, lesson: LessonSummary) -> str:
    mark = "✓" if lesson.passed else ("✗" if lesson.failed_runs else "·")
    parts = [f"{mark} {tr.lesson(lesson.lesson.title)}"]
    if lesson.best_percent is not None:
        parts.append(f"{lesson.best_percent} %")
    if lesson.failed_runs:
        failed = lesson.failed_runs
        parts.append(tr.ngettext("{n} failed try", "{n} failed tries", failed).format(n=failed))
    return " · ".join(parts)


def _stuck_reasons(tr: Translator, line: ParticipantLine) -> list[str]:
    out = []
    if line.stuck_lessons:
        out.append(
            tr.ngettext(
                "Failed the quiz of {n} lesson twice (marked ✗ below).",
                "Failed the quizzes of {n} lessons twice (marked ✗ below).",
                len(line.stuck_lessons),
            ).format(n=len(line.stuck_lessons))
        )
    if line.weeks_behind >= 2:
        out.append(
            tr.ngettext(
                "{n} week behind the group.", "{n} weeks behind the group.", line.weeks_behind
            ).format(n=line.weeks_behind)
        )
    return out


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 7] → "3–5, 7"."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][-1] + 1:
            spans[-1].append(n)
        else:
            spans.append([n])
    return ", ".join(f"{s[0]}–{s[-1]}" if len(s) > 1 else str(s[0]) for s in spans)


# ---------------------------------------------------------------- hard questions


def hard_questions(tr: Translator, report: GroupReport) -> list[Outgoing]:
    lines = [
        tr._("Hard questions in {group}: the share right at the first try, hardest first.").format(
            group=report.name
        ),
        "",
    ]
    for stat in report.questions[:HARD_SHOWN]:
        lines.append(
            tr._("{percent} % ({right} of {asked}) · week {week}: {question}").format(
                percent=stat.percent,
                right=stat.right_first,
                asked=stat.asked,
                week=stat.week_number,
                question=tr.lesson(stat.question.text),
            )
        )
    if not report.questions:
        lines.append(tr._("Nobody has answered a question yet."))
    lines += ["", tr._(SCORING_RULE)]
    return as_messages(tr, lines, back(tr, report.group_id))


SCORING_RULE = N_(
    "A right answer at the second try counts for passing the quiz, "
    "but not here: these figures count first tries only."
)


# ---------------------------------------------------------------- invitations


def invite_presets(tr: Translator, group: GroupRecord) -> Outgoing:
    rows = tuple(
        (Button(preset_label(tr, i), cb.invite(group.id, i)),) for i in range(len(INVITE_PRESETS))
    )
    text = tr._(
        "A link for participants of {group}. It works for as many people as you choose, "
        "until the last day. How many, and for how long?"
    ).format(group=group.name)
    return Outgoing(tr.message(text), rows)


def preset_label(tr: Translator, index: int) -> str:
    preset = INVITE_PRESETS[index]
    people = tr.ngettext("{n} person", "{n} people", preset.people).format(n=preset.people)
    days = tr.ngettext("{n} day", "{n} days", preset.days).format(n=preset.days)
    return f"{people} / {days}"
