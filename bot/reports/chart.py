"""The group's progress as a picture: one bar per participant, coloured by status.

Drawn with matplotlib's Agg backend on a bare ``Figure`` (no pyplot, so no
global state and no display), from the same :class:`GroupReport` as the text
overview. A dashed line marks how many lessons a paced group has open, so a
coach sees at a glance who is behind.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import re

import arabic_reshaper
from bidi import get_display
from matplotlib.artist import Artist  # after choosing the backend
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.course.model import Course
from bot.i18n.translator import Translator
from bot.reports.progress import GroupReport, Status
from bot.reports.words import status_word

COLOURS = {
    Status.ON_TRACK: "#2e7d32",
    Status.FINISHED: "#1565c0",
    Status.STUCK: "#ef6c00",
    Status.QUIET: "#9e9e9e",
}
MAX_BARS = 60
"""A bigger group is shown by its first 60 names; the exports hold everyone."""


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def drawable(text: str) -> str:
    """Text as matplotlib must be given it to show right-to-left script correctly.

    matplotlib places glyphs one by one from left to right; Arabic and Persian
    need their joined letter forms and visual order, so a name like أمينة is
    shaped and reordered first. Other text is left as it is.
    """
    if not _ARABIC_SCRIPT.search(text):
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def progress_chart(tr: Translator, course: Course, report: GroupReport) -> bytes:
    """A PNG of lessons done per participant."""
    lines = sorted(report.lines, key=lambda x: (-x.lessons_done, x.first_name))[:MAX_BARS]
    height = 1.6 + 0.35 * max(len(lines), 1)
    figure = Figure(figsize=(8, height), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    places = list(range(len(lines)))  # by place, not name: two Aminas get two bars
    axes.barh(
        places,
        [line.lessons_done for line in lines],
        color=[COLOURS[line.status] for line in lines],
    )
    axes.set_yticks(places, [drawable(line.first_name) for line in lines])
    axes.invert_yaxis()
    axes.set_xlim(0, report.lessons_total)
    axes.set_xlabel(drawable(tr._("Lessons done")))
    axes.set_title(drawable(report.name))
    used = [s for s in Status if any(line.status is s for line in lines)]
    handles: list[Artist] = [
        Patch(color=COLOURS[s], label=drawable(status_word(tr, s))) for s in used
    ]
    if report.pace_week:
        open_lessons = sum(len(w.lessons) for w in course.weeks[: report.pace_week])
        handles.append(
            axes.axvline(
                open_lessons,
                color="#424242",
                linestyle="--",
                label=drawable(tr._("Lessons open now")),
            )
        )
    if handles:
        axes.legend(handles=handles, loc="lower right", fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
