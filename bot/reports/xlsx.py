"""A small XLSX writer for the exports' one layout, written row by row into the zip.

An XLSX is a zip of XML parts. The exports need little of the format: text,
numbers and dates; a header block whose first column is bold; a bold, frozen
header row with a filter; column widths. That much is written here straight
into the zip entry, a row at a time, without a cell object per value: the
10,000-participant group's 720,000 cells take about half a second, where
openpyxl took 8 s (about 10 µs a cell) and XlsxWriter in its constant-memory
mode still about 2 s (it, too, goes through a call per cell). What was written
is read back by openpyxl in the tests (tests/test_coach_reports.py).

Text is always an inline string, never a formula: a cell a spreadsheet would
read as a formula can only come from the text of the cell itself, which
:func:`bot.reports.export.safe` makes harmless. Characters XML cannot carry are
dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO
from xml.sax.saxutils import escape, quoteattr

Cell = str | int | float | date | None
MAX_WIDTH = 60
_EPOCH = date(1899, 12, 30)
"""Day 0 of a spreadsheet's dates (with the 1900 leap-year error folded in)."""
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PRESERVED = '<t xml:space="preserve">'
"""A text's element: its spaces and line breaks kept as typed."""
_NORMAL, _BOLD, _DATE = 0, 1, 2
"""The cell styles of styles.xml below, by index."""

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    _HEAD + f"<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass(frozen=True, slots=True)
class TableSheet:
    """A sheet of the exports: the header block, an empty row, a table with its header."""

    title: str
    """At most 31 characters, none of ``[]:*?/\\``: Excel's rules for a sheet's name."""
    block: Sequence[Sequence[Cell]]
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]

    @property
    def header_row(self) -> int:
        """The table's header row, counted from 1 as a spreadsheet does."""
        return len(self.block) + 2


def workbook(sheets: Sequence[TableSheet]) -> bytes:
    """The XLSX file of ``sheets``, in that order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook(sheets))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        archive.writestr("xl/styles.xml", _STYLES)
        for number, sheet in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                _write_sheet(part, sheet)
    return buffer.getvalue()


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _write_sheet(part: IO[bytes], sheet: TableSheet) -> None:
    write = part.write
    top = sheet.header_row
    columns = max(len(row) for row in (sheet.header, *sheet.block, *sheet.rows))
    letters = [column_letter(i) for i in range(1, max(columns, 1) + 1)]
    last = letters[max(len(sheet.header), 1) - 1]
    widths = _widths(sheet)
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{min(width + 2, MAX_WIDTH)}" customWidth="1"/>'
        for i, width in sorted(widths.items())
    )
    head = (
        _HEAD + f"<worksheet {_NS} {_REL_NS}>"
        f'<dimension ref="A1:{letters[-1]}{top + len(sheet.rows)}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{top}" topLeftCell="A{top + 1}" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "")
    )
    write(head.encode("utf-8"))
    write(b"<sheetData>")
    chunk: list[str] = []
    for number, row in enumerate(sheet.block, start=1):
        chunk.append(_row(number, row, letters, first_style=_BOLD))
    chunk.append(_row(top, sheet.header, letters, style=_BOLD))
    for number, row in enumerate(sheet.rows, start=top + 1):
        chunk.append(_row(number, row, letters))
        if len(chunk) >= 500:
            write("".join(chunk).encode("utf-8"))
            chunk.clear()
    write("".join(chunk).encode("utf-8"))
    write(b"</sheetData>")
    tail = f'<autoFilter ref="A{top}:{last}{top + len(sheet.rows)}"/></worksheet>'
    write(tail.encode("utf-8"))


def _row(
    number: int,
    values: Sequence[Cell],
    letters: Sequence[str],
    *,
    style: int = _NORMAL,
    first_style: int | None = None,
) -> str:
    """One row's XML. Ten thousand rows a sheet: the common cells (numbers, text) first."""
    cells = []
    styled = f' s="{style}"' if style else ""
    for column, value in enumerate(values):
        if value is None:
            continue
        own = styled
        if column == 0 and first_style is not None:
            own = f' s="{first_style}"' if first_style else ""
        where = letters[column]
        kind = type(value)
        if kind is int or kind is float:
            cells.append(f'<c r="{where}{number}"{own}><v>{value!r}</v></c>')
        elif isinstance(value, str):
            text = escape(_NOT_IN_XML.sub("", value))
            cells.append(
                f'<c r="{where}{number}"{own} t="inlineStr"><is>{_PRESERVED}{text}</t></is></c>'
            )
        elif isinstance(value, date):
            cells.append(f'<c r="{where}{number}" s="{_DATE}"><v>{_serial(value)}</v></c>')
        else:  # a bool, or a number of another type
            cells.append(f'<c r="{where}{number}"{own}><v>{float(value)!r}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _serial(value: date) -> int | float:
    """The spreadsheet's number for a date (a datetime with the day's fraction)."""
    if isinstance(value, datetime):
        midnight = datetime.combine(value.date(), datetime.min.time(), value.tzinfo)
        days = (value.date() - _EPOCH).days
        return days + (value - midnight).total_seconds() / 86400
    return (value - _EPOCH).days


def _widths(sheet: TableSheet) -> dict[int, int]:
    """Per column (from 1), the longest text shown in it: dates as yyyy-mm-dd."""
    widths: dict[int, int] = {}
    for row in (sheet.header, *sheet.rows, *sheet.block):
        for index, value in enumerate(row, start=1):
            if value is None:
                continue
            size = 10 if isinstance(value, date) else len(str(value))
            if size > widths.get(index, 0):
                widths[index] = size
    return widths


def _content_types(sheets: int) -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{kind}.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>'
        f"{parts}</Types>"
    )


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    _HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def _workbook(sheets: Sequence[TableSheet]) -> str:
    entries = "".join(
        f'<sheet name={quoteattr(sheet.title)} sheetId="{n}" r:id="rId{n}"/>'
        for n, sheet in enumerate(sheets, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        + escape(
            "'" + sheet.title.replace("'", "''") + "'!"
            f"$A${sheet.header_row}:${column_letter(max(len(sheet.header), 1))}"
            f"${sheet.header_row + len(sheet.rows)}"
        )
        + "</definedName>"
        for n, sheet in enumerate(sheets)
    )
    return (
        _HEAD + f"<workbook {_NS} {_REL_NS}>"
        f"<sheets>{entries}</sheets><definedNames>{filters}</definedNames></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    kind = f"{_REL}/worksheet"
    entries = "".join(
        f'<Relationship Id="rId{n}" Type="{kind}" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    styles = f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    return (
        _HEAD
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{entries}{styles}</Relationships>"
    )
