"""The coach's vocabulary, marked once for the catalogs and shown through a Translator."""

from __future__ import annotations

from bot.course.model import Course
from bot.i18n.translator import N_, Translator
from bot.reports.names import isolate
from bot.reports.progress import Flag, ParticipantLine, Status
from bot.reports.todo import Reason, ToDo, Why

STATUS_WORDS = {
    Status.ON_TRACK: N_("on track"),
    Status.STUCK: N_("stuck"),
    Status.QUIET: N_("gone quiet"),
    Status.FINISHED: N_("finished"),
}
STATUS_MARKS = {Status.ON_TRACK: "✅", Status.STUCK: "⚠️", Status.QUIET: "💤", Status.FINISHED: "🏁"}
FLAG_STATUS = {Flag.STUCK: Status.STUCK, Flag.QUIET: Status.QUIET}


def status_word(tr: Translator, status: Status) -> str:
    return tr._(STATUS_WORDS[status])


def flags_text(tr: Translator, line: ParticipantLine) -> str:
    """ "⚠️ stuck · 💤 gone quiet", or the one status word when nothing is flagged."""
    statuses = [FLAG_STATUS[f] for f in (Flag.STUCK, Flag.QUIET) if f in line.flags]
    if line.finished or not statuses:
        statuses = [line.status]
    return " · ".join(f"{STATUS_MARKS[s]} {status_word(tr, s)}" for s in statuses)


def last_active(tr: Translator, days: int) -> str:
    if days <= 0:
        return tr._("active today")
    if days == 1:
        return tr._("active yesterday")
    return tr.ngettext("active {n} day ago", "active {n} days ago", days).format(n=days)


def week_text(tr: Translator, line: ParticipantLine) -> str:
    if line.week is None:
        return tr._("not started")
    return tr._("week {number}").format(number=line.week)


def lesson_title(tr: Translator, course: Course, lesson_id: str) -> str:
    located = course.locate(lesson_id)
    return tr.lesson(located[1].title) if located else lesson_id


def question_text(
    tr: Translator, course: Course, lesson_id: str | None, question_id: str | None
) -> str:
    """A quiz question's text in the coach's language; its id when the course dropped it."""
    located = course.locate(lesson_id or "")
    quiz = located[1].quiz if located else None
    question = next((q for q in quiz.questions if q.id == question_id), None) if quiz else None
    return tr.lesson(question.text) if question else str(question_id)


def reason_text(tr: Translator, course: Course, reason: Reason) -> str:
    """Why a coach should contact someone, in the coach's words."""
    match reason.why:
        case Why.FAILED_TWICE:
            return tr._("failed the quiz of «{lesson}» twice").format(
                lesson=lesson_title(tr, course, reason.lesson_id or "")
            )
        case Why.SURE_WRONG:
            return tr._("was sure, but wrong, on a safety question: «{question}»").format(
                question=question_text(tr, course, reason.lesson_id, reason.question_id)
            )
        case Why.BEHIND:
            return tr.ngettext(
                "{n} week behind the group", "{n} weeks behind the group", reason.count
            ).format(n=reason.count)
        case Why.QUIET:
            quiet = tr.ngettext(
                "gone quiet for {n} day", "gone quiet for {n} days", reason.count
            ).format(n=reason.count)
            unanswered = reminders_text(tr, reason.reminders)
            return f"{quiet} ({unanswered})" if unanswered else quiet
        case Why.NOT_STARTED:
            return tr._("the week is open, not started yet")
    raise AssertionError(reason.why)


def reminders_text(tr: Translator, count: int) -> str | None:
    """ "3 reminders unanswered": sent since the participant last did anything; None for 0."""
    if not count:
        return None
    return tr.ngettext("{n} reminder unanswered", "{n} reminders unanswered", count).format(n=count)


def todo_line(tr: Translator, course: Course, todo: ToDo) -> str:
    reasons = ", ".join(reason_text(tr, course, r) for r in todo.reasons)
    return f"{isolate(todo.line.name)}: {reasons}"


def recovered_text(tr: Translator, line: ParticipantLine) -> str | None:
    """ "passed after failing: 2 lessons", so a good status never hides a hard road."""
    if not line.recovered_lessons:
        return None
    n = len(line.recovered_lessons)
    return tr.ngettext(
        "passed {n} lesson after failing", "passed {n} lessons after failing", n
    ).format(n=n)
