"""Watching the lessons in the preview, so a trainer's edit reaches the running bot.

A trainer saves a lesson file and taps on in the browser: the change should be
there, or the page should say exactly what is wrong (file:line: message, the
same lines as `make check`). A broken file never reaches the bot: it keeps the
last good course until the files check clean again.

Polling the modification times every half second costs a few dozen stat calls
and needs no extra dependency or OS-specific file notifications, which differ on
Linux, macOS and network drives. Only the preview uses this; a bot on Telegram
loads its lessons once at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from bot.authoring.check import CheckResult, format_problem, run_check
from bot.course.model import Course
from bot.i18n.catalogs import compile_catalogs, po_files
from bot.i18n.translator import reset_cache

log = logging.getLogger(__name__)

Fingerprint = dict[Path, tuple[int, int]]
"""Every watched file with its modification time (ns) and size."""


class CourseHolder(Protocol):
    """Where the running bot reads its course (the bot's Runtime)."""

    course: Course
    file_ids: dict[Path, str]


@dataclass(frozen=True, slots=True)
class LessonStatus:
    """What the page's banner shows: the errors of the last check, or that all is well."""

    ok: bool = True
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    summary: str = ""
    reloads: int = 0
    """How many edits have reached the bot, so the page can say that one just did."""

    @classmethod
    def from_check(cls, result: CheckResult, reloads: int) -> LessonStatus:
        def lines(severity: str) -> tuple[str, ...]:
            return tuple(format_problem(p) for p in result.problems if p.severity == severity)

        return cls(result.ok, lines("error"), lines("warning"), result.summary(), reloads)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "summary": self.summary,
            "reloads": self.reloads,
        }


StatusListener = Callable[[LessonStatus], None]


_EDITOR_LEFTOVERS = ("~", ".swp", ".swx", ".tmp", ".bak")


def _watched(path: Path, root: Path) -> bool:
    """Not an editor's swap, backup or hidden file: those change while the trainer types."""
    hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
    return not hidden and not path.name.endswith(_EDITOR_LEFTOVERS) and path.is_file()


def _files(lessons_dir: Path, locales_dir: Path) -> Iterator[Path]:
    """The lesson files, their schemas and media, and the translators' catalogs."""
    if lessons_dir.is_dir():
        yield from (path for path in lessons_dir.rglob("*") if _watched(path, lessons_dir))
    yield from po_files(locales_dir)


def fingerprint(lessons_dir: Path, locales_dir: Path) -> Fingerprint:
    """Cheap enough to take twice a second: one stat call a file."""
    found: Fingerprint = {}
    for path in _files(lessons_dir, locales_dir):
        with contextlib.suppress(OSError):  # deleted between listing and stat
            stat = path.stat()
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def _locales_changed(before: Fingerprint, after: Fingerprint) -> bool:
    changed = set(before.items()) ^ set(after.items())
    return any(path.suffix == ".po" for path, _ in changed)


@dataclass
class LessonWatcher:
    """Reloads the course into ``holder`` whenever the files change and check clean."""

    holder: CourseHolder
    lessons_dir: Path
    locales_dir: Path
    interval: float = 0.5
    on_status: StatusListener | None = None
    status: LessonStatus = field(default_factory=LessonStatus)
    _seen: Fingerprint = field(default_factory=dict)
    _pending: Fingerprint | None = None
    _catalog_error: str | None = None
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Take the files as they are now as the running course, then watch for changes."""
        self._seen = fingerprint(self.lessons_dir, self.locales_dir)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="lesson-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        result = await self._check()
        if result is not None:
            self._publish(LessonStatus.from_check(result, self.status.reloads))
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.poll()
            except Exception as error:  # a watcher that dies silently looks like a working one
                log.exception("checking the lessons failed")
                line = f"{self.lessons_dir}: checking the lessons failed: {error}"
                self._publish(replace(self.status, ok=False, errors=(line,)))

    async def poll(self) -> bool:
        """Check again once a change has settled; True when a check ran.

        An editor may save in several writes (or a temporary file and a rename), so
        a change is acted on only when two polls in a row see the same files.
        """
        now = await asyncio.to_thread(fingerprint, self.lessons_dir, self.locales_dir)
        if now == self._seen:
            self._pending = None
            return False
        if now != self._pending:
            self._pending = now
            return False
        before, self._seen, self._pending = self._seen, now, None
        await self.reload(locales=_locales_changed(before, now))
        return True

    async def reload(self, locales: bool = False) -> LessonStatus:
        """Check the lessons; load them into the bot only when they have no errors."""
        if locales:
            self._catalog_error = await self._compile_catalogs()
        result = await self._check()
        if result is None:
            return self.status
        reloads = self.status.reloads
        if result.ok:
            self.holder.course = result.course
            self.holder.file_ids.clear()  # an image replaced under the same name is new
            reloads += 1
        status = LessonStatus.from_check(result, reloads)
        if self._catalog_error is not None:  # until a translator fixes the catalog
            status = replace(status, ok=False, errors=(self._catalog_error, *status.errors))
        self._publish(status)
        return status

    async def _check(self) -> CheckResult | None:
        """Check the files; None when they changed meanwhile, as the next poll checks again.

        A check that read a file half written would flash wrong errors on the page,
        or worse, load a course no file on disk describes.
        """
        result = await asyncio.to_thread(run_check, self.lessons_dir)
        now = await asyncio.to_thread(fingerprint, self.lessons_dir, self.locales_dir)
        return result if now == self._seen else None

    async def _compile_catalogs(self) -> str | None:
        """Recompile edited translations; the error line when a catalog cannot be read."""
        try:
            await asyncio.to_thread(compile_catalogs, self.locales_dir)
        except Exception as error:
            return f"{self.locales_dir}: a catalog could not be compiled: {error}"
        finally:
            reset_cache()  # also after a failure: the catalogs before it were rewritten
        return None

    def _publish(self, status: LessonStatus) -> None:
        if status.ok and status.reloads > self.status.reloads:
            log.info("lessons reloaded: %s", status.summary)
        elif not status.ok and status != self.status:
            log.warning("the lessons have errors; the bot keeps the last good version:")
            for line in status.errors:
                log.warning("  %s", line)
        self.status = status
        if self.on_status is not None:
            self.on_status(status)
