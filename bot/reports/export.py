"""The group report as a spreadsheet (XLSX) and as CSV, for a municipality's files.

Both are built from the same :class:`GroupReport` as the /group overview, so
the figures match. They carry first names only (with the mark that tells two
equal ones apart). The XLSX opens with a header block (group, coach, start
date, report date, weeks open); every table has a bold, frozen header row, a
filter and columns wide enough for their text. Numbers are numbers, dates are
dates.

A first name is typed by the participant, so every text cell is made safe:
control characters (which XML cannot carry and which hide text) are removed,
and text a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``
first, also after whitespace or invisible characters, and in their full-width
forms such as ``＝``) gets a leading apostrophe: opening an export never runs
anything.

The CSV is for Swedish Excel: UTF-8 with a byte order mark (or å, ä, ö break)
and ``;`` between fields, since a Swedish Excel reads ``,`` as the decimal sign.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.course.model import Course
from bot.i18n.translator import Translator
from bot.reports import xlsx
from bot.reports.progress import GroupReport, ParticipantLine
from bot.reports.words import status_word

Cell = xlsx.Cell
FORMULA_STARTS = frozenset("=+-@")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def safe(value: Cell) -> Cell:
    """Text with control characters removed, and kept as text if it looks like a formula."""
    if not isinstance(value, str):
        return value
    text = "".join(c for c in value if not _is_control(c) or c == "\n")
    first = next((c for c in text if not (c.isspace() or c in _INVISIBLE)), "")
    if first and unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS:
        return "'" + text
    return text


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True, slots=True)
class About:
    """The header block: what a municipality's file must say about itself."""

    coach: str
    weeks_open: int | None
    """None for a self-paced group."""


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
        tr._("Passed after failing"),
    ]


def overview_row(
    tr: Translator, line: ParticipantLine, timezone: str = "Europe/Stockholm"
) -> list[Cell]:
    return [
        safe(line.name or line.first_name),
        status_word(tr, line.status),
        line.week,
        line.lessons_done,
        line.lessons_total,
        line.quiz_average,
        line.last_active_at.astimezone(ZoneInfo(timezone)).date(),
        line.days_inactive,
        len(line.recovered_lessons),
    ]


def overview_table(tr: Translator, report: GroupReport, timezone: str) -> Table:
    rows = [overview_row(tr, line, timezone) for line in report.lines]
    return Table(tr._("Overview"), overview_header(tr), rows)


def lessons_table(tr: Translator, course: Course) -> Table:
    header = [tr._("Week"), tr._("Lesson"), tr._("Title")]
    rows: list[list[Cell]] = [
        [week.number, lesson.id, safe(tr.lesson(lesson.title))]
        for week in course.weeks
        for lesson in week.lessons
    ]
    return Table(tr._("Lessons"), header, rows)


def grid_table(tr: Translator, course: Course, report: GroupReport) -> Table:
    """Participant × lesson: the best quiz score in %, 100 for a passed lesson without a
    quiz, empty when not done."""
    header = [tr._("First name")] + [
        str(safe(f"{week.number}. {tr.lesson(lesson.title)}"))
        for week in course.weeks
        for lesson in week.lessons
    ]
    rows: list[list[Cell]] = [
        [safe(line.name or line.first_name), *line.grid] for line in report.lines
    ]
    return Table(tr._("Lessons per participant"), header, rows)


def weeks_table(tr: Translator, course: Course, report: GroupReport) -> Table:
    """One row per participant, two columns per week: lessons done and average score."""
    header = [tr._("First name")]
    for n in (week.number for week in course.weeks):
        header += [
            tr._("Week {number}: lessons").format(number=n),
            tr._("Week {number}: %").format(number=n),
        ]
    rows: list[list[Cell]] = [
        [safe(line.name or line.first_name), *line.week_cells] for line in report.lines
    ]
    return Table(tr._("Weeks"), header, rows)


def questions_table(tr: Translator, report: GroupReport) -> Table:
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
    return Table(tr._("Questions"), header, rows)


def answers_table(tr: Translator, report: GroupReport) -> Table:
    """How often each option was chosen at a first answer: which wrong one tempts."""
    header = [
        tr._("Week"),
        tr._("Question"),
        tr._("Option"),
        tr._("Right option"),
        tr._("Chosen"),
        tr._("Answered"),
        tr._("Chosen (%)"),
    ]
    rows: list[list[Cell]] = [
        [
            s.week_number,
            safe(tr.lesson(s.question.text)),
            safe(tr.lesson(s.option.text)),
            tr._("yes") if s.option.correct else tr._("no"),
            s.chosen,
            s.answered,
            round(100 * s.chosen / s.answered) if s.answered else None,
        ]
        for s in report.choices
    ]
    return Table(tr._("Answers chosen"), header, rows)


def all_tables(tr: Translator, course: Course, report: GroupReport, timezone: str) -> list[Table]:
    return [
        overview_table(tr, report, timezone),
        grid_table(tr, course, report),
        weeks_table(tr, course, report),
        questions_table(tr, report),
        answers_table(tr, report),
        lessons_table(tr, course),
    ]


def header_block(
    tr: Translator, report: GroupReport, about: About, timezone: str
) -> list[list[Cell]]:
    weeks: Cell = about.weeks_open if about.weeks_open is not None else tr._("self-paced")
    return [
        [tr._("Group"), safe(report.name)],
        [tr._("Coach"), safe(about.coach)],
        [tr._("Start date"), report.start_date],
        [tr._("Report date"), report.as_of.astimezone(ZoneInfo(timezone)).date()],
        [tr._("Weeks open"), weeks],
    ]


def to_xlsx(
    tr: Translator,
    course: Course,
    report: GroupReport,
    about: About,
    timezone: str = "Europe/Stockholm",
) -> bytes:
    """A sheet per table, each opening with the header block; every table's header row is
    bold, frozen and filtered, and the columns are as wide as their text."""
    block = header_block(tr, report, about, timezone)
    return xlsx.workbook(
        [
            xlsx.TableSheet(table.title[:31], block, table.header, table.rows)
            for table in all_tables(tr, course, report, timezone)
        ]
    )


def table_csv(table: Table) -> bytes:
    """One table as CSV, for Swedish Excel (see the module's docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_csv(tr: Translator, report: GroupReport, timezone: str = "Europe/Stockholm") -> bytes:
    """The overview as CSV: the file a coach opens first."""
    return table_csv(overview_table(tr, report, timezone))


def to_csv_zip(
    tr: Translator, course: Course, report: GroupReport, timezone: str = "Europe/Stockholm"
) -> bytes:
    """Every table as its own CSV, in one zip: one file to send, one file to file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(all_tables(tr, course, report, timezone), start=1):
            name = "".join(c if c.isalnum() else "-" for c in table.title).strip("-")
            archive.writestr(f"{number}-{name or 'table'}.csv", table_csv(table))
    return buffer.getvalue()
