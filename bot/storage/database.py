"""One SQLite database file, one shared aiosqlite connection, numbered migrations.

Every statement goes through one asyncio lock, so a transaction started by one
handler never sees (or is broken by) another handler's statements on the shared
connection, and a read never sees a write that is not committed yet. A task that
holds a transaction may call the read helpers and :meth:`Database.execute`; they
then run inside its transaction. Transactions do not nest, and a task started
inside a transaction must not use the database before that transaction ends.

The SQL in this package is plain and portable (``?`` parameters aside, which a
PostgreSQL driver spells differently); what is SQLite's own stays here: the
PRAGMAs set once at connect, ``BEGIN IMMEDIATE`` and the migration files' DDL.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import aiosqlite

from bot.clock import utc_now

log = logging.getLogger(__name__)

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

_MIGRATION_FILE = re.compile(r"^(\d{3})_(\w+)\.sql$")
_LINE_COMMENT = re.compile(r"--[^\n]*")

Params = Sequence[Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of a :meth:`Database.run_steps` batch.

    ``many``: ``params`` is a sequence of parameter rows (executemany).
    ``fetch``: the step's result is its rows, otherwise the rows it changed.
    ``or_raise``: an exception raised (rolling the whole batch back) when the
    statement changed no row, so a batch can stop where a handler would have.
    """

    sql: str
    params: Params | Sequence[Params] = ()
    many: bool = False
    fetch: bool = False
    or_raise: Exception | None = None


StepResult = list[sqlite3.Row] | int


def _run_step(conn: sqlite3.Connection, step: Step) -> StepResult:
    if step.many:
        cursor = conn.executemany(step.sql, step.params)
    else:
        cursor = conn.execute(step.sql, step.params)
    if step.fetch:
        return list(cursor.fetchall())
    if step.or_raise is not None and cursor.rowcount == 0:
        raise step.or_raise
    return int(cursor.rowcount)


class SchemaError(RuntimeError):
    """The migrations are malformed, or the database is newer than this code."""


class DatabaseFault(RuntimeError):
    """The database file cannot be used as it is; the message says why in plain words."""


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


# --- times -------------------------------------------------------------------


def to_iso(moment: datetime) -> str:
    """A fixed-width ISO-8601 UTC string, so stored times sort as text."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give times with a time zone")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def from_iso_or_none(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# --- migrations ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> tuple[str, ...]:
    """The statements of an SQL script, each without its neighbours.

    sqlite3 runs one statement per ``execute`` and ``executescript`` commits on
    its own, so a migration is split here and run statement by statement inside
    one transaction. ``;`` inside strings, comments and triggers is respected.
    """
    statements: list[str] = []
    buffer = ""
    *pieces, tail = script.split(";")
    for piece in pieces:
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if _has_code(buffer):
                statements.append(buffer.strip())
            buffer = ""
    if _has_code(buffer + tail):
        raise SchemaError(f"statement without a closing ';': {(buffer + tail).strip()[:80]!r}")
    return tuple(statements)


def _has_code(sql: str) -> bool:
    return bool(_LINE_COMMENT.sub("", sql).replace(";", "").strip())


def load_migrations() -> tuple[Migration, ...]:
    """The numbered ``migrations/NNN_name.sql`` files shipped with this package."""
    folder = resources.files("bot.storage").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match is None or not entry.is_file():
            continue
        statements = split_statements(entry.read_text(encoding="utf-8"))
        found.append(Migration(int(match.group(1)), match.group(2), statements))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions) or (versions and versions[0] != 1):
        # A gap is allowed: numbers are handed out ahead to work done in parallel,
        # and each version is applied once, whenever it arrives.
        raise SchemaError(f"migrations must be numbered from 001, each number once: {versions}")
    return tuple(found)


# --- the database -------------------------------------------------------------


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


def _in_transaction(
    conn: sqlite3.Connection, steps: Sequence[Step], write: bool
) -> list[StepResult]:
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        results = [_run_step(conn, step) for step in steps]
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return results


class Database:
    """The bot's SQLite database. Open it with :meth:`open`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path | None) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._closed = False
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Connect (creating the folder and the file), set up WAL and migrate."""
        file: Path | None = None
        if str(path) != ":memory:":
            file = Path(path)
            file.parent.mkdir(parents=True, exist_ok=True)
            check_files(file)
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
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
            await db.migrate(load_migrations())
        except sqlite3.Error as error:
            await conn.close()
            raise explain(error, file) from error
        except BaseException:
            await conn.close()
            raise
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
                await self._conn.execute("PRAGMA optimize")
            finally:
                await self._conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

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

    def size_bytes(self) -> int:
        """The bytes the database takes on disk (main file, -wal and -shm)."""
        if self.path is None:
            return 0
        return sum(file.stat().st_size for file in database_files(self.path))

    # --- transactions and statements -----------------------------------------

    def _in_own_transaction(self) -> bool:
        return self._owner is not None and self._owner is asyncio.current_task()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """``async with db.transaction() as conn:`` commits at the end, rolls back on error.

        A write transaction starts with ``BEGIN IMMEDIATE``: it takes SQLite's
        write lock at once, so it cannot fail half-way for a lock held by another
        process. ``write=False`` gives a consistent snapshot for several reads.
        """
        if self._in_own_transaction():
            raise RuntimeError("transactions do not nest")
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                try:
                    await self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    yield self._conn
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

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        """Run one statement: on its own it commits at once (atomic by itself)."""
        async with self._exclusive():
            return await self._conn.execute(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._exclusive():
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query meant to return at most one."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def run_steps(self, steps: Sequence[Step], *, write: bool = True) -> list[StepResult]:
        """Run a batch of statements as one transaction in one hop to the database thread.

        The hot path's way: an update's reads, or its whole commit, cost one
        hand-off to aiosqlite's thread instead of one per statement (each hop
        queues behind a busy event loop, and the lock is held meanwhile). An
        error in any step rolls back every step. Inside the caller's own
        transaction the steps join it. A PostgreSQL driver pipelines the same list.
        """
        if self._in_own_transaction():
            return await self.run_job(lambda conn: [_run_step(conn, step) for step in steps])
        return await self.run_job(lambda conn: _in_transaction(conn, steps, write))

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

    # --- migrations ------------------------------------------------------------

    async def migrate(self, migrations: Sequence[Migration]) -> list[int]:
        """Apply the migrations not applied yet, each in its own transaction.

        Returns the versions applied now. Safe when two processes open the same
        file at once: each version is checked again inside its transaction.
        """
        await self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in await self.fetch_all("SELECT version FROM schema_migrations")}
        newest = max((m.version for m in migrations), default=0)
        if applied and max(applied) > newest:
            raise SchemaError(
                f"the database has schema version {max(applied)}, newer than this code"
                f" knows ({newest}): update the bot"
            )
        done: list[int] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            async with self.transaction() as conn:
                again = await conn.execute_fetchall(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                )
                if list(again):
                    continue
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (migration.version, to_iso(utc_now())),
                )
            log.info("applied migration %03d_%s", migration.version, migration.name)
            done.append(migration.version)
        return done

    async def schema_versions(self) -> list[int]:
        rows = await self.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
        return [int(row[0]) for row in rows]
