"""The embedded default: one SQLite file, one shared aiosqlite connection.

Every statement goes through one asyncio lock, so a transaction started by one
handler never sees (or is broken by) another handler's statements on the shared
connection, and a read never sees a write that is not committed yet. A task
that holds a transaction may call every other method; they then run inside its
transaction. What is SQLite's own stays here: the PRAGMAs set once at connect,
``BEGIN IMMEDIATE``, the WAL and its checkpoint, the checks of the files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.database import (
    Database,
    DatabaseFault,
    Params,
    Row,
    Step,
    StepResult,
    load_migrations,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a statement waits for another process (the CLI, say) that holds the
# write lock, before it fails with "database is locked".
BUSY_TIMEOUT_MS = 5000

# Set once per connection. secure_delete overwrites deleted rows with zeros, so an
# erased participant's data does not linger in free pages of the file.
_PRAGMAS = (
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
)

SIDE_FILES = ("-wal", "-shm")


def database_files(path: Path) -> list[Path]:
    """The main file and its WAL companions, those that exist."""
    return [file for file in (path, *(Path(f"{path}{s}") for s in SIDE_FILES)) if file.exists()]


def _writable(file: Path) -> bool:
    """Writable by this process, and not marked read-only (root ignores the mode bits)."""
    mode = file.stat().st_mode
    return os.access(file, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def check_files(path: Path) -> None:
    """Refuse files SQLite would open badly: read-only, or an -shm it cannot map.

    A read-only database opens "fine" and fails on the first write; an -shm file
    that cannot be written kills the process with SIGBUS, without a log line.
    """
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseFault(
            f"The folder {folder} is not writable for this user: SQLite keeps its"
            " -wal and -shm files beside the database. Give the bot's user write access."
        )
    for file in database_files(path):
        if file.is_dir():
            raise DatabaseFault(f"{file} is a folder, not a database file.")
        if not _writable(file):
            raise DatabaseFault(
                f"{file} is read-only. The bot must write to it: give the bot's user"
                f" write permission (for example `chmod u+w {file}`) and start again."
            )


def explain(error: sqlite3.Error, path: Path | None) -> DatabaseFault:
    """SQLite's error at open, said so an operator knows what to do."""
    text = str(error).lower()
    where = path or "the database"
    if "not a database" in text:
        return DatabaseFault(
            f"{where} is not an SQLite database (it holds something else, or is encrypted)."
            " Restore a backup with `python -m bot restore BACKUP`, or point DATABASE at"
            " the right file."
        )
    if "malformed" in text or "corrupt" in text:
        return DatabaseFault(
            f"{where} is damaged ({error}). Stop the bot, keep the damaged file for"
            " inspection and restore the latest backup with `python -m bot restore BACKUP`."
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseFault(f"{where} cannot be written ({error}): check its permissions.")
    if "disk i/o" in text or "unable to open" in text or "full" in text:
        return DatabaseFault(
            f"{where} cannot be read or written ({error}): check the disk and its free space."
        )
    return DatabaseFault(f"{where} cannot be used: {error}")


async def _check_health(conn: aiosqlite.Connection, file: Path | None) -> None:
    """A quick integrity check and a write probe, so a bad file stops the start plainly."""
    rows = list(await conn.execute_fetchall("PRAGMA quick_check"))
    verdict = [str(row[0]) for row in rows]
    if verdict != ["ok"]:
        first = " ".join(" ".join(verdict).split("\n")[:2])[:200]
        raise DatabaseFault(
            f"{file or 'the database'} is damaged ({first}). Stop the bot,"
            " keep the damaged file for inspection and restore the latest backup with"
            " `python -m bot restore BACKUP`."
        )
    await conn.execute("BEGIN IMMEDIATE")
    await conn.execute("ROLLBACK")


def _run_step(conn: sqlite3.Connection, step: Step) -> StepResult:
    if step.many:
        conn.executemany(step.sql, step.params)
        return -1
    cursor = conn.execute(step.sql, step.params)
    if step.fetch:
        return list(cursor.fetchall())
    if step.or_raise is not None and cursor.rowcount == 0:
        raise step.or_raise
    return int(cursor.rowcount)


class _LockedElsewhere(Exception):
    """Another process holds SQLite's write lock: the batch waits on the thread instead."""


def _quick(
    conn: sqlite3.Connection, steps: Sequence[Step], write: bool, own: bool
) -> list[StepResult]:
    """The batch on this thread, without waiting for another process's lock."""
    if own:  # the caller's transaction holds the lock already
        return [_run_step(conn, step) for step in steps]
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise _LockedElsewhere from error
        raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return _steps_then_commit(conn, steps)


def _in_transaction(
    conn: sqlite3.Connection, steps: Sequence[Step], write: bool
) -> list[StepResult]:
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    return _steps_then_commit(conn, steps)


def _steps_then_commit(conn: sqlite3.Connection, steps: Sequence[Step]) -> list[StepResult]:
    """Inside the transaction just begun: every step, then COMMIT, or ROLLBACK on an error."""
    try:
        results = [_run_step(conn, step) for step in steps]
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return results


class SqliteDatabase(Database):
    """The bot's SQLite database file."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path | None) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._closed = False
        self._optimize_at_close = True
        self.path = path
        self.address = path

    @classmethod
    async def connect(cls, path: str | Path) -> SqliteDatabase:
        """Connect (creating the folder and the file), set up WAL and migrate."""
        file: Path | None = None
        if str(path) != ":memory:":
            file = Path(path)
            file.parent.mkdir(parents=True, exist_ok=True)
            check_files(file)
        try:
            # Used from the event loop's thread too (quick batches), only under the lock.
            conn = await aiosqlite.connect(str(path), isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise explain(error, file) from error
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
            mode = str(rows[0][0]) if rows else "?"
            if file is not None and mode.lower() != "wal":
                log.warning("SQLite journal mode is %s, not WAL, for %s", mode, file)
            for pragma in _PRAGMAS:
                await conn.execute(pragma)
            await _check_health(conn, file)
            db = cls(conn, file)
            await db.migrate(load_migrations("sqlite"))
        except sqlite3.Error as error:
            await conn.close()
            raise explain(error, file) from error
        except BaseException:
            await conn.close()
            raise
        return db

    @classmethod
    async def attach(cls, path: Path) -> SqliteDatabase:
        """A second connection to a file a running bot has open: no checks, no migrations,
        and no ``PRAGMA optimize`` at close (it may write, holding the bot's commits)."""
        conn = await aiosqlite.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        db = cls(conn, path)
        db._optimize_at_close = False
        return db

    async def close(self) -> None:
        """Wait for the running transaction, let SQLite tune its statistics, close.

        Close before the process ends: aiosqlite's worker thread keeps it alive.
        """
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                if self._optimize_at_close:
                    await self._conn.execute("PRAGMA optimize")
            finally:
                await self._conn.close()

    # --- the files on disk -----------------------------------------------------

    async def checkpoint(self) -> bool:
        """Copy the WAL into the main file and truncate it to nothing.

        After an erasure, so no file of the database still holds what was erased
        (the WAL keeps old page images until a checkpoint). Returns False when a
        reader in another process kept part of the WAL alive.
        """
        rows = await self.fetch_all("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = bool(rows and rows[0][0])
        if busy:
            log.warning("the WAL checkpoint was blocked by a reader; it is retried on the next")
        return not busy

    async def size_bytes(self) -> int:
        """The bytes the database takes on disk (main file, -wal and -shm)."""
        if self.path is None:
            return 0
        return sum(file.stat().st_size for file in database_files(self.path))

    # --- transactions and statements -----------------------------------------

    def _in_own_transaction(self) -> bool:
        return self._owner is not None and self._owner is asyncio.current_task()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[None]:
        """A write transaction starts with ``BEGIN IMMEDIATE``: it takes SQLite's
        write lock at once, so it cannot fail half-way for a lock held by another
        process."""
        if self._in_own_transaction():
            raise RuntimeError("transactions do not nest")
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                try:
                    await self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    yield
                    await self._conn.execute("COMMIT")
                except BaseException:
                    # Shielded: even when the task is cancelled the rollback is queued
                    # on the connection before the lock is released, so the next
                    # transaction never starts inside this one.
                    await asyncio.shield(self._conn.rollback())
                    raise
            finally:
                self._owner = None

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        if self._in_own_transaction():
            yield
            return
        async with self._lock:
            yield

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._exclusive():
            cursor = await self._conn.execute(sql, params)
            return int(cursor.rowcount)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._exclusive():
            await self._conn.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._exclusive():
            return list(await self._conn.execute_fetchall(sql, params))

    async def run_steps(
        self, steps: Sequence[Step], *, write: bool = True, quick: bool = False
    ) -> list[StepResult]:
        """One hop to aiosqlite's thread: each hop queues behind a busy event loop,
        and the lock is held meanwhile.

        ``quick`` batches run on the event loop's thread instead: a hand-off costs
        about 0.85 ms of the loop's time, the statements of one update some 60 µs.
        They never wait there for another process's write lock (the CLI's, a
        restore's): with the lock taken elsewhere they go to the thread as usual.
        """
        own = self._in_own_transaction()
        async with self._exclusive():
            raw: sqlite3.Connection = self._conn._conn
            if quick:
                with contextlib.suppress(_LockedElsewhere):
                    return _quick(raw, steps, write, own)
            job = (
                (lambda conn: [_run_step(conn, step) for step in steps])
                if own
                else (lambda conn: _in_transaction(conn, steps, write))
            )
            result: list[StepResult] = await self._conn._execute(job, raw)  # type: ignore[no-untyped-call]
            return result

    async def run_job(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``job`` with the connection on the database thread, under the lock, in one hop.

        The job runs to its end even when the awaiting task is cancelled, so a
        batch is never left half-applied; ``job`` must not block on anything but SQLite.
        """
        async with self._exclusive():
            # aiosqlite runs queued functions on its own thread in order; this is its
            # one entry point for that (execute and friends use it the same way).
            raw: sqlite3.Connection = self._conn._conn
            result: T = await self._conn._execute(job, raw)  # type: ignore[no-untyped-call]
            return result

    @asynccontextmanager
    async def serialised(self, key: int) -> AsyncIterator[None]:
        """One bot process owns an SQLite file (the run lock sees to it): nothing to hold."""
        yield
