"""The group report as a spreadsheet (XLSX) and as CSV, for the coach's own records.

Both are built from the same :class:`GroupReport` as the /group overview, so
the figures match. They carry first names only. A first name is typed by the
participant, so a cell that a spreadsheet would read as a formula (``=``, ``+``,
``-``, ``@`` first) is written with a leading apostrophe: opening an export
never runs anything.

The CSV is for Swedish Excel: UTF-8 with a byte order mark (or å, ä, ö break)
and ``;`` between fields, since a Swedish Excel reads ``,`` as the decimal sign.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.i18n.translator import Translator
from bot.reports.progress import GroupReport, ParticipantLine
from bot.reports.words import status_word

Cell = str | int | float | date | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Cell) -> Cell:
    """Text that a spreadsheet would take for a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def overview_header(tr: Translator) -> list[str]:
    return [
        tr._("First name"),
        tr._("Status"),
        tr._("Week"),
        tr._("Lessons done"),
        tr._("Lessons in all"),
        tr._("Quiz average (%)"),
        tr._("Last active"),
        tr._("Days without activity"),
    ]


def overview_row(
    tr: Translator, line: ParticipantLine, timezone: str = "Europe/Stockholm"
) -> list[Cell]:
    return [
        safe(line.first_name),
        status_word(tr, line.status),
        line.week,
        line.lessons_done,
        line.lessons_total,
        line.quiz_average,
        line.last_active_at.astimezone(ZoneInfo(timezone)).date(),
        line.days_inactive,
    ]


def weeks_table(tr: Translator, report: GroupReport) -> tuple[list[str], list[list[Cell]]]:
    """One row per participant, two columns per week: lessons done and average score."""
    numbers = [w.week.number for w in report.lines[0].weeks] if report.lines else []
    header = [tr._("First name")]
    for n in numbers:
        header += [
            tr._("Week {number}: lessons").format(number=n),
            tr._("Week {number}: %").format(number=n),
        ]
    rows: list[list[Cell]] = []
    for line in report.lines:
        row: list[Cell] = [safe(line.first_name)]
        for summary in line.weeks:
            row += [summary.done, summary.average_percent]
        rows.append(row)
    return header, rows


def questions_table(tr: Translator, report: GroupReport) -> tuple[list[str], list[list[Cell]]]:
    header = [
        tr._("Week"),
        tr._("Question"),
        tr._("Answered"),
        tr._("Right at the first try"),
        tr._("Right at the first try (%)"),
    ]
    rows: list[list[Cell]] = [
        [s.week_number, safe(tr.lesson(s.question.text)), s.asked, s.right_first, s.percent]
        for s in report.questions
    ]
    return header, rows


def to_xlsx(tr: Translator, report: GroupReport, timezone: str = "Europe/Stockholm") -> bytes:
    """Three sheets: the overview, the weeks, the questions (hardest first)."""
    book = Workbook(write_only=True)
    overview = [overview_row(tr, line, timezone) for line in report.lines]
    _sheet(book, tr._("Overview"), overview_header(tr), overview)
    _sheet(book, tr._("Weeks"), *weeks_table(tr, report))
    _sheet(book, tr._("Questions"), *questions_table(tr, report))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(
    book: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> None:
    sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet name
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))


def to_csv(tr: Translator, report: GroupReport, timezone: str = "Europe/Stockholm") -> bytes:
    """The overview as CSV, for Swedish Excel (see the module's docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(overview_header(tr))
    for line in report.lines:
        writer.writerow(
            [v.isoformat() if isinstance(v, date) else v for v in overview_row(tr, line, timezone)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def file_name(report: GroupReport, extension: str) -> str:
    """Say which group and which day: coaches keep several."""
    safe_name = "".join(c if c.isalnum() else "-" for c in report.name).strip("-") or "group"
    return f"{safe_name}-{report.as_of.date().isoformat()}.{extension}"
