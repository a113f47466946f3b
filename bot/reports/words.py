"""The coach's vocabulary, marked once for the catalogs and shown through a Translator."""

from __future__ import annotations

from bot.i18n.translator import N_, Translator
from bot.reports.progress import Flag, ParticipantLine, Status

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
