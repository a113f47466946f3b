"""The group's progress as a picture: one bar per participant, coloured by status.

Drawn with matplotlib's Agg backend on a bare ``Figure`` (no pyplot, so no
global state and no display), from the same :class:`GroupReport` as the text
overview. A dashed line marks how many lessons a paced group has open, so a
coach sees at a glance who is behind. Every participant is drawn: a zero is a
visible mark, since those with nothing done need help most. Flagged ones carry
their mark (⚠ stuck, 💤 quiet → "!" and "z" in the label, which every font has).

Names are typed by participants, so text is never parsed as math
(``parse_math=False`` on every text, and ``usetex`` off), and the fonts cover
Latin, Arabic and Ethiopic script (Debian's fonts-noto-core, installed by the
Makefile); matplotlib falls back from one family to the next per glyph.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import re

import arabic_reshaper
from bidi import get_display
from matplotlib import font_manager
from matplotlib.artist import Artist  # after choosing the backend
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.course.model import Course
from bot.i18n.translator import Translator
from bot.reports import fonts
from bot.reports.progress import Flag, GroupReport, ParticipantLine, Status
from bot.reports.words import status_word

COLOURS = {
    Status.ON_TRACK: "#2e7d32",
    Status.FINISHED: "#1565c0",
    Status.STUCK: "#ef6c00",
    Status.QUIET: "#9e9e9e",
}
MAX_BARS = 60
"""A bigger group is shown by its first 60 names; the exports hold everyone."""
ZERO_MARK = 0.15
"""A zero is drawn as a thin bar of this many lessons, so it is seen."""
FONTS = ["Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", "DejaVu Sans"]
"""Tried glyph by glyph, in this order; the ones not installed are skipped."""

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_CONTROL = re.compile("[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def drawable(text: str) -> str:
    """Text as matplotlib must be given it to show right-to-left script correctly.

    matplotlib places glyphs one by one from left to right; Arabic and Persian
    need their joined letter forms and visual order, so a name like أمينة is
    shaped and reordered first. Control and direction characters, which draw
    as boxes, are removed. Other text is left as it is.
    """
    text = _CONTROL.sub("", text)
    if not _ARABIC_SCRIPT.search(text):
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def installed_fonts() -> list[str]:
    """The families to draw with; Noto files installed after matplotlib cached its font
    list are added by path, so a fresh ``make fonts`` works without clearing a cache."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family, (regular, bold) in fonts.installed().items():
        if family not in names:
            font_manager.fontManager.addfont(str(regular))
            font_manager.fontManager.addfont(str(bold))
            names.add(family)
    return [f for f in FONTS if f in names] or ["DejaVu Sans"]


def _label(line: ParticipantLine) -> str:
    marks = ("!" if Flag.STUCK in line.flags else "") + ("z" if Flag.QUIET in line.flags else "")
    name = drawable(line.name or line.first_name)
    return f"{name} ({marks})" if marks else name


def progress_chart(tr: Translator, course: Course, report: GroupReport) -> bytes:
    """A PNG of lessons done per participant."""
    with matplotlib.rc_context({"text.usetex": False, "font.family": installed_fonts()}):
        return _draw(tr, course, report)


def _draw(tr: Translator, course: Course, report: GroupReport) -> bytes:
    lines = sorted(report.lines, key=lambda x: (-x.lessons_done, x.name, x.participant_id))
    lines = lines[:MAX_BARS]
    height = 1.6 + 0.35 * max(len(lines), 1)
    figure = Figure(figsize=(8, height), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    places = list(range(len(lines)))  # by place, not name: two Aminas get two bars
    axes.barh(
        places,
        [line.lessons_done or ZERO_MARK for line in lines],
        color=[COLOURS[line.status] for line in lines],
        edgecolor=["#000000" if line.flags else "none" for line in lines],
    )
    zeros = [place for place, line in zip(places, lines, strict=True) if not line.lessons_done]
    if zeros:  # a dot at zero: nothing done is the most important thing to see
        axes.scatter(
            [0] * len(zeros),
            zeros,
            s=60,
            marker="o",
            color=[COLOURS[lines[p].status] for p in zeros],
            edgecolors="#000000",
            zorder=3,
            clip_on=False,
        )
    for place, line in zip(places, lines, strict=True):
        axes.text(
            line.lessons_done + 0.4,
            place,
            str(line.lessons_done),
            va="center",
            fontsize="small",
            parse_math=False,
        )
    axes.set_yticks(places)
    axes.set_yticklabels([_label(line) for line in lines], parse_math=False)
    axes.invert_yaxis()
    axes.set_xlim(0, max(report.lessons_total, 1) + 1)
    axes.set_xlabel(drawable(tr._("Lessons done")), parse_math=False)
    axes.set_title(drawable(report.name), parse_math=False)
    used = [s for s in Status if any(line.status is s for line in lines)]
    handles: list[Artist] = [
        Patch(color=COLOURS[s], label=_escape(drawable(status_word(tr, s)))) for s in used
    ]
    if report.pace_week:
        open_lessons = sum(len(w.lessons) for w in course.weeks[: report.pace_week])
        handles.append(
            axes.axvline(
                open_lessons,
                color="#424242",
                linestyle="--",
                label=_escape(drawable(tr._("Lessons open now"))),
            )
        )
    if handles:
        axes.legend(handles=handles, loc="lower right", fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _escape(text: str) -> str:
    """Legend labels take no parse_math: a ``$`` is escaped instead."""
    return text.replace("$", r"\$")
