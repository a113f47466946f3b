"""A group's report read and built, and the coach's files (XLSX, CSV zip, chart) made from it.

:func:`group_report` is the one way every coach view and file gets its report: the
standings of the group brought up to date (migration 012), the kept figures read
in one hop, the lines built in a worker thread.

A file of a big group is made in a process of its own (:class:`FileMaker`): that
process opens the database itself from its path, reads the report and writes the
file, and sends back the bytes. Building 10,000 lines and writing 700,000 cells
in a thread of the bot held the interpreter's lock so often that every
participant waited seconds for a reply meanwhile (p99 2.2 s at 20 updates/s), and
the report's objects took the bot's memory to 390 MB; in a process of its own the
bot only waits for the bytes. One process, started once on the first file and
kept: starting one costs a second of imports, and two files at once would only
share the same two cores.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from bot.course.model import Course
from bot.course.progress import Progress
from bot.course.summary import course_key
from bot.i18n.translator import translator
from bot.reports.progress import FAILED_RUNS_STUCK, RECENT_DAYS, GroupReport, build_report
from bot.reports.standing import standing_of
from bot.storage import Database, GroupRecord, groups, open_beside
from bot.storage.records import Standing
from bot.storage.reports import report_facts, save_standings, stale_progress


class FileKind(StrEnum):
    XLSX = "xlsx"
    CSV_ZIP = "zip"
    CHART = "png"


@dataclass(frozen=True, slots=True)
class FileOrder:
    """What a file is made from besides the course, as plain values a process of its own
    can take (the course is sent to it once: see :class:`FileMaker`)."""

    kind: FileKind
    database: Path | str | None
    """The database's address (a file, a PostgreSQL URL); None for one in memory, whose
    file is made in the bot's process."""
    group_id: int
    locales_dir: Path
    language: str
    coach: str
    """The coach's first name, for the XLSX's header block."""
    now: datetime
    quiet_days: int
    timezone: str


async def group_report(
    db: Database,
    course: Course,
    group: GroupRecord,
    at: datetime,
    *,
    quiet_days: int,
    timezone: str,
    only: Collection[int] | None = None,
    files: bool = False,
) -> GroupReport:
    """The group's report at ``at`` from the figures kept with every answer.

    First (for a report of everyone) the standings whose progress changed by another
    way than a press (a coach's reset), or that were stored before migration 012 or
    against another course, are summed up again: after an upgrade the first view of a
    big group does that once, in a worker thread. Then one hop reads everything; the lines
    are built in a worker thread, so participants' presses go on meanwhile.
    ``only``: the participants whose lines are needed (see :func:`build_report`).
    ``files``: each line with its lesson grid and week figures, which only the files
    show; a view leaves them empty.
    """
    key = course_key(course)
    stale = [] if only is not None else await stale_progress(db, group.id, key)
    if stale:
        await save_standings(db, await asyncio.to_thread(_sum_up, course, stale))
    facts = await report_facts(
        db,
        group,
        course=key,
        failed_runs=FAILED_RUNS_STUCK,
        passed_since=at - timedelta(days=RECENT_DAYS),
        only=only,
        grid=files,
    )
    return await asyncio.to_thread(
        build_report, course, facts, at, quiet_days=quiet_days, timezone=timezone, only=only
    )


def _sum_up(course: Course, stale: list[tuple[int, str, str]]) -> list[tuple[int, Standing, str]]:
    return [(pid, standing_of(course, Progress.from_json(state)), at) for pid, state, at in stale]


# ---------------------------------------------------------------- the files


_COURSES: dict[str, Course] = {}
"""In the files' process: the courses it was sent, by key. A course is sent once, not
with every file: pickling it holds the bot's interpreter lock for some 15 ms."""


def make_file(order: FileOrder, key: str, course: Course | None) -> bytes:
    """The file, made in the maker's process: it opens the database itself. ``course``:
    the course of ``key`` when this process has not been sent it yet."""
    assert order.database is not None
    if course is not None:
        _COURSES[key] = course
    return asyncio.run(_make_from_file(order.database, _COURSES[key], order))


async def _make_from_file(address: Path | str, course: Course, order: FileOrder) -> bytes:
    async with open_beside(address) as db:
        return await file_from(db, course, order)


async def file_from(db: Database, course: Course, order: FileOrder) -> bytes:
    """The file from the group's report, read from ``db``; written in a worker thread."""
    group = await groups.get_group(db, order.group_id)
    if group is None:
        raise LookupError(f"group {order.group_id} is gone")
    report = await group_report(
        db,
        course,
        group,
        order.now,
        quiet_days=order.quiet_days,
        timezone=order.timezone,
        files=order.kind is not FileKind.CHART,  # the chart shows lessons done alone
    )
    return await asyncio.to_thread(_write, course, order, report)


def _write(course: Course, order: FileOrder, report: GroupReport) -> bytes:
    # Imported here: the bot's own process, which only waits for the bytes, never loads
    # the spreadsheet and plotting libraries (tens of MB of its memory).
    from bot.reports import chart, export

    tr = translator(order.locales_dir, order.language)
    match order.kind:
        case FileKind.XLSX:
            about = export.About(coach=order.coach, weeks_open=report.pace_week)
            return export.to_xlsx(tr, course, report, about, order.timezone)
        case FileKind.CSV_ZIP:
            return export.to_csv_zip(tr, course, report, order.timezone)
        case FileKind.CHART:
            return chart.progress_chart(tr, course, report)


def file_name(group_name: str, at: datetime, extension: str) -> str:
    """Say which group and which day: coaches keep several."""
    safe_name = "".join(c if c.isalnum() else "-" for c in group_name).strip("-") or "group"
    return f"{safe_name}-{at.date().isoformat()}.{extension}"


def _second_in_line() -> None:
    """The files' process runs at a lower priority: with two cores, a file may take a
    moment longer, a participant's reply should not."""
    if hasattr(os, "nice"):
        os.nice(10)


class FileMaker:
    """The process that makes the coaches' files, started on the first and kept."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._sent: set[str] = set()
        """The keys of the courses the process has."""

    async def make(self, db: Database, course: Course, order: FileOrder) -> bytes:
        """The file; from a database in memory (tests, previews) made here, from ``db``."""
        if order.database is None:
            return await file_from(db, course, order)
        if self._pool is None:
            # spawn: a fresh interpreter, nothing of the bot's threads or sockets inherited.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_second_in_line
            )
            self._sent.clear()
        key = course_key(course)
        sending = None if key in self._sent else course
        self._sent.add(key)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, make_file, order, key, sending)
        except BrokenProcessPool:
            self._pool = None  # the process died (killed, out of memory): the next file starts one
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._sent.clear()
