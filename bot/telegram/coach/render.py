"""The coach's views as messages: the overview, a participant, the hard questions.

Pure functions of a :class:`GroupReport` (the one aggregation layer) and a
Translator, returning ``Outgoing`` values, so they are tested without Telegram.
Only first names appear; every word goes through the coach's catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.course.model import Course, Question
from bot.course.summary import LessonSummary, WeekSummary
from bot.i18n.languages import LANGUAGES, native_name
from bot.i18n.translator import N_, Translator
from bot.reports.names import isolate
from bot.reports.profile import goal_lines, profile_lines
from bot.reports.progress import GroupReport, ParticipantLine
from bot.reports.todo import ToDo, action_list
from bot.reports.words import (
    flags_text,
    last_active,
    lesson_title,
    recovered_text,
    todo_line,
    week_text,
)
from bot.storage import GroupRecord
from bot.storage.actions import Action, ActionKind, Note
from bot.storage.profile import Goal, Picks
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach.callbacks import INVITE_PRESETS, PAUSE_DAYS
from bot.telegram.outgoing import Button, Outgoing, Rows

PAGE_SIZE = 25
"""Participants per page of the overview: one message a phone shows whole, a button each.

A group of ten thousand would otherwise come as some 280 messages, minutes at the
per-chat pace; the exports hold everyone at once."""
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


def pages(report: GroupReport) -> int:
    """How many pages the overview has (one at least, even for an empty group)."""
    return max(1, -(-len(report.lines) // PAGE_SIZE))


def overview(tr: Translator, course: Course, report: GroupReport, page: int = 0) -> list[Outgoing]:
    """One page of the group: the header and the to-do list first, a page of people after."""
    page = min(max(page, 0), pages(report) - 1)
    shown = report.lines[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [_header(tr, course, report), ""]
    todo = action_list(report) if page == 0 else ()
    if todo:
        lines += [tr._("To do this week:"), *(f"• {todo_line(tr, course, t)}" for t in todo), ""]
    if pages(report) > 1:
        lines.append(tr._("Page {page} of {pages}").format(page=page + 1, pages=pages(report)))
    lines += [_line(tr, line) for line in shown] or [tr._("Nobody has joined yet.")]
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
    buttons = todo_buttons(tr, report.group_id, todo) + overview_buttons(tr, report, shown)
    return as_messages(tr, lines, buttons + page_buttons(tr, report, page))


def page_buttons(tr: Translator, report: GroupReport, page: int) -> Rows:
    """Previous and next page, where there is one."""
    row = []
    if page > 0:
        row.append(Button(tr._("◀ Previous"), cb.overview(report.group_id, page - 1)))
    if page + 1 < pages(report):
        row.append(Button(tr._("Next ▶"), cb.overview(report.group_id, page + 1)))
    return (tuple(row),) if row else ()


def todo_buttons(tr: Translator, group: int, todo: Sequence[ToDo]) -> Rows:
    """One row per person to contact: a nudge, a note, and everything else in their detail."""
    rows = []
    for item in todo:
        line = item.line
        rows.append(
            (
                Button(f"💬 {isolate(line.name)}", cb.nudge(group, line.participant_id)),
                Button(tr._("📝 Note"), cb.note(group, line.participant_id)),
                Button(tr._("More ▸"), cb.participant(group, line.participant_id)),
            )
        )
    return tuple(rows)


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
        isolate(line.name),
        week_text(tr, line),
        tr._("{done}/{total} lessons").format(done=line.lessons_done, total=line.lessons_total),
    ]
    if line.quiz_average is not None:
        parts.append(tr._("quiz average {percent} %").format(percent=line.quiz_average))
    parts += [last_active(tr, line.days_inactive), flags_text(tr, line)]
    recovered = recovered_text(tr, line)
    if recovered:
        parts.append(recovered)
    return " · ".join(parts)


def _departures(tr: Translator, count: int) -> str:
    return tr.ngettext(
        "{n} participant left the course", "{n} participants left the course", count
    ).format(n=count)


def overview_buttons(tr: Translator, report: GroupReport, shown: Sequence[ParticipantLine]) -> Rows:
    people = [
        Button(isolate(line.name), cb.participant(report.group_id, line.participant_id))
        for line in shown
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
            Button(tr._("CSV: every table (zip)"), cb.export(report.group_id, "z")),
        )
    )
    return tuple(rows)


def back(tr: Translator, group_id: int) -> Rows:
    return ((Button(tr._("◀ Back to the group"), cb.overview(group_id)),),)


# ---------------------------------------------------------------- one participant


@dataclass(frozen=True, slots=True)
class Record:
    """What coaches did about the participant, this coach's own notes, and what the
    participant said of themselves: their own goal and their vocational profile."""

    actions: Sequence[Action] = ()
    notes: Sequence[Note] = ()
    goal: Goal | None = None
    picks: Sequence[Picks] = ()


def detail(
    tr: Translator,
    course: Course,
    report: GroupReport,
    line: ParticipantLine,
    wrong: dict[str, tuple[Question, ...]],
    record: Record = Record(),
) -> list[Outgoing]:
    lines = [f"👤 {_line(tr, line)}"]
    lines += _stuck_reasons(tr, line)
    if line.paused_until is not None and line.paused_until >= report.as_of.date():
        lines.append(tr._("Reminders paused until {date}.").format(date=tr.date(line.paused_until)))
    if wrong:
        lines.append(tr._("Under each lesson: the questions answered wrong at the first try."))
    untouched: list[int] = []
    for summary in line.weeks:
        current = summary.week.number == (line.week or 1)
        if not current and not _touched(summary):
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
    lines += _own_words(tr, course, record)
    lines += _record_lines(tr, course, record)
    return as_messages(tr, lines, detail_buttons(tr, course, report, line))


ACTION_WORDS = {
    ActionKind.NUDGE: N_("sent a nudge"),
    ActionKind.PAUSE: N_("paused reminders until {detail}"),
    ActionKind.OPEN_WEEK: N_("opened a week early"),
    ActionKind.RESET_QUIZ: N_("reset the quiz of «{detail}»"),
    ActionKind.NOTE: N_("wrote a note"),
}


def _own_words(tr: Translator, course: Course, record: Record) -> list[str]:
    """The participant's own goal and vocational profile, when they have given them."""
    lines: list[str] = []
    if record.goal is not None:
        lines += ["", "🎯 " + tr._("The participant's own goal")]
        lines += goal_lines(tr, record.goal)
    profile = profile_lines(tr, course, record.picks)
    if profile:
        lines += ["", "🧭 " + tr._("Vocational profile"), *profile]
    return lines


def _record_lines(tr: Translator, course: Course, record: Record) -> list[str]:
    lines: list[str] = []
    if record.actions:
        lines += ["", tr._("Done by coaches:")]
        for action in record.actions:
            detail = action.detail
            if action.kind is ActionKind.RESET_QUIZ:
                detail = lesson_title(tr, course, detail)
            what = tr._(ACTION_WORDS[action.kind]).format(detail=detail)
            who = isolate(action.coach_name or "–")
            lines.append(f"• {action.at.date().isoformat()} {who}: {what}")
    if record.notes:
        lines += ["", tr._("Your notes (only you see them):")]
        lines += [f"• {n.written_at.date().isoformat()}: {n.text}" for n in record.notes]
    return lines


def detail_buttons(
    tr: Translator, course: Course, report: GroupReport, line: ParticipantLine
) -> Rows:
    g, p = report.group_id, line.participant_id
    rows: list[tuple[Button, ...]] = [
        (Button(tr._("💬 Nudge"), cb.nudge(g, p)), Button(tr._("⏸ Pause"), cb.pause(g, p))),
        (
            Button(tr._("⏩ Open the next week"), cb.open_week(g, p)),
            Button(tr._("📝 Note"), cb.note(g, p)),
        ),
    ]
    index = {lesson.id: i for i, lesson in enumerate(course.lessons)}
    failed = [
        s.lesson
        for w in line.weeks
        for s in w.lessons
        if s.failed_runs and not s.passed and s.lesson.id in index
    ]
    rows += [
        (
            Button(
                tr._("↺ Reset the quiz: {lesson}").format(lesson=tr.lesson(lesson.title)),
                cb.reset_quiz(g, p, index[lesson.id]),
            ),
        )
        for lesson in failed[:3]
    ]
    rows.append(
        (
            Button(tr._("📄 Summary (PDF)"), cb.summary(g, p, False)),
            Button(tr._("📄 With my notes"), cb.summary(g, p, True)),
        )
    )
    rows.append(back(tr, g)[0])
    return tuple(rows)


NUDGES = (
    N_("How are you? The next lesson is waiting for you when you are ready."),
    N_("I have not seen you in the course for a while. Is everything all right?"),
    N_("Good work so far! Shall we look at the hard part together at our next meeting?"),
)


def nudge_picker(tr: Translator, group_id: int, line: ParticipantLine) -> list[Outgoing]:
    lines = [
        tr._("Which message shall I send to {name} in your name?").format(name=isolate(line.name)),
        tr._("They read it in their own language."),
        "",
    ]
    lines += [f"{i}. {tr._(text)}" for i, text in enumerate(NUDGES, start=1)]
    buttons = tuple(
        Button(str(i), cb.nudge(group_id, line.participant_id, i - 1))
        for i in range(1, len(NUDGES) + 1)
    )
    return as_messages(tr, lines, (buttons, back(tr, group_id)[0]))


def pause_picker(tr: Translator, group_id: int, line: ParticipantLine) -> list[Outgoing]:
    text = tr._("How long shall the reminders to {name} pause?").format(name=isolate(line.name))
    buttons = tuple(
        Button(
            tr.ngettext("{n} day", "{n} days", days).format(n=days),
            cb.pause(group_id, line.participant_id, days),
        )
        for days in PAUSE_DAYS
    )
    return as_messages(tr, [text], (buttons, back(tr, group_id)[0]))


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
    for stat in report.hard_questions[:HARD_SHOWN]:
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
    elif not report.hard_questions:
        lines.append(tr._("No hard question yet: a question counts once three people answered it."))
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
