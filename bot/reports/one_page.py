"""One page per participant for the three-party meeting with the socialsekreterare.

In the coach's language (Swedish for a Swedish municipality): progress per
theme (week), what went well, what is hard, the participant's own goal and
vocational profile when they are stored, the coach's notes if the coach chose
to include them, and lines for the participant's own view.

Made with fpdf2 and text shaping through HarfBuzz (uharfbuzz), so Arabic and
Ethiopic names come out joined and in the right order, with Debian's Noto fonts
(Latin first, Arabic and Ethiopic as fallbacks, glyph by glyph).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from bot.course.model import Course, Question
from bot.i18n.translator import Translator
from bot.reports import fonts
from bot.reports.progress import GroupReport, ParticipantLine
from bot.reports.words import lesson_title, week_text

WELL_PERCENT = 80
"""A lesson passed with at least this best score "went well"."""
MAX_ITEMS = 5
"""Items per list: one page, read in a meeting."""


@dataclass(frozen=True, slots=True)
class Extras:
    """What other parts of the bot may store about the participant: shown when present."""

    goal: str | None = None
    profile: str | None = None
    notes: Sequence[str] = ()


def summary_pdf(
    tr: Translator,
    course: Course,
    report: GroupReport,
    lines: Sequence[tuple[ParticipantLine, dict[str, tuple[Question, ...]], Extras]],
) -> bytes:
    """One page for each (participant, wrong-at-first questions, extras) given."""
    pdf = _document()
    for line, wrong, extras in lines:
        _page(pdf, tr, course, report, line, wrong, extras)
    return bytes(pdf.output())


def _document() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    families = []
    found = fonts.installed() or {"DejaVu Sans": fonts.FALLBACK}  # Latin and Arabic only
    for number, (regular, bold) in enumerate(found.values()):
        family = "latin" if number == 0 else f"script{number}"
        pdf.add_font(family, "", str(regular))
        pdf.add_font(family, "B", str(bold))
        families.append(family)
    pdf.set_fallback_fonts(families[1:])
    pdf.set_text_shaping(True)
    pdf.set_margins(18, 16, 18)
    return pdf


def _page(
    pdf: FPDF,
    tr: Translator,
    course: Course,
    report: GroupReport,
    line: ParticipantLine,
    wrong: dict[str, tuple[Question, ...]],
    extras: Extras,
) -> None:
    pdf.add_page()
    pdf.set_font("latin", "B", 16)
    pdf.multi_cell(0, 8, tr._("Summary for the three-party meeting"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("latin", "B", 14)
    pdf.multi_cell(0, 8, line.name or line.first_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("latin", "", 10)
    facts = tr._("{group} · started {start} · {week} · {done}/{total} lessons · {date}").format(
        group=report.name,
        start=report.start_date.isoformat(),
        week=week_text(tr, line),
        done=line.lessons_done,
        total=line.lessons_total,
        date=report.as_of.date().isoformat(),
    )
    pdf.multi_cell(0, 5, facts, new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, tr._("Progress per theme"))
    for summary in line.weeks:
        average = "" if summary.average_percent is None else f" · {summary.average_percent} %"
        text = f"{summary.week.number}. {tr.lesson(summary.week.title)}: "
        text += tr._("{done} of {total} lessons").format(
            done=summary.done, total=len(summary.lessons)
        )
        _text(pdf, text + average, size=9)
    _heading(pdf, tr._("What went well"))
    well = [
        lesson_title(tr, course, s.lesson.id)
        for w in line.weeks
        for s in w.lessons
        if s.passed and (s.best_percent is None or s.best_percent >= WELL_PERCENT)
    ]
    _items(pdf, well or [tr._("Nothing to name yet.")])
    _heading(pdf, tr._("What is hard"))
    hard = [
        tr._("«{lesson}»: {n} questions wrong at the first try").format(
            lesson=lesson_title(tr, course, lesson_id), n=len(questions)
        )
        for lesson_id, questions in wrong.items()
    ]
    hard = [
        tr._("failed the quiz of «{lesson}» twice").format(lesson=lesson_title(tr, course, x))
        for x in line.stuck_lessons
    ] + hard
    _items(pdf, hard or [tr._("Nothing to name yet.")])
    if extras.goal:
        _heading(pdf, tr._("The participant's own goal"))
        _text(pdf, extras.goal)
    if extras.profile:
        _heading(pdf, tr._("Vocational profile"))
        _text(pdf, extras.profile)
    if extras.notes:
        _heading(pdf, tr._("The coach's notes"))
        _items(pdf, list(extras.notes))
    _heading(pdf, tr._("The participant's own view"))
    for _ in range(4):
        pdf.ln(8)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("latin", "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def _text(pdf: FPDF, text: str, size: int = 10) -> None:
    pdf.set_font("latin", "", size)
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def _items(pdf: FPDF, items: Sequence[str]) -> None:
    shown = list(items[:MAX_ITEMS])
    if len(items) > MAX_ITEMS:
        shown.append(f"… (+{len(items) - MAX_ITEMS})")
    for item in shown:
        _text(pdf, f"• {item}")
