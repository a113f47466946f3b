"""PostgreSQL through asyncpg, for installations that outgrow one SQLite file.

``DATABASE=postgresql://user:password@host:5432/dbname`` selects it; a
``?search_path=name`` puts the bot's tables in a schema of their own (created
when missing). The repositories' SQL is the same as for SQLite: the ``?``
parameters are renumbered to ``$1, $2, …`` once per statement.

Several bot processes may share one database (a standby, a webhook behind a
load balancer). Three things keep that safe:

- every write transaction first takes one advisory lock, so writers run one
  at a time as they do in SQLite (a repository may read, then write, in one
  transaction and trust nobody wrote in between); readers are never held;
- :meth:`PostgresDatabase.serialised` holds a session advisory lock on a
  person's Telegram id for the whole handling of their update, so two processes
  never handle one person at once;
- the processed-update table and the scheduler's claims are rows written under
  that lock, so an update is applied once and a reminder is claimed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import zlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg

from bot.storage.database import (
    Database,
    DatabaseFault,
    Params,
    Row,
    Step,
    StepResult,
    load_migrations,
)

# Advisory locks are the server database's, shared by its schemas: each
# installation (schema) takes its keys in a namespace of its own. A person's key is
# their Telegram id (below 2**53) with the namespace above it; the write and
# migration locks are negative, where no person's key lies.
NAMESPACES = 1024

# One connection per update being handled holds its person's lock, one more runs
# its transaction: twice the processor's concurrency, and room for jobs and reports.
POOL_SIZE = 40

Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy

_PARAMETER = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?")
_QUOTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """``?`` parameters as ``$1, $2, …``, leaving quoted strings and names alone."""
    count = 0

    def renumber(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(0) != "?":
            return match.group(0)
        count += 1
        return f"${count}"

    return _PARAMETER.sub(renumber, sql)


def _changed(status: str) -> int:
    """The row count at the end of a command status ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def schema_of(url: str) -> str | None:
    """The schema named by the URL's ``search_path``, if any (the first of several)."""
    found = parse_qs(urlsplit(url).query).get("search_path")
    if not found:
        return None
    first = found[0].split(",")[0].strip()
    if not _QUOTED_NAME.match(first):
        raise DatabaseFault(f"search_path {first!r} is not a plain schema name")
    return first


def explain(error: BaseException, url: str) -> DatabaseFault:
    """A connection failure, said so an operator knows what to do (without the password)."""
    where = urlsplit(url)
    server = f"{where.hostname or 'localhost'}:{where.port or 5432}{where.path}"
    if isinstance(error, asyncpg.InvalidPasswordError):
        return DatabaseFault(f"PostgreSQL at {server} refused the user or password in DATABASE.")
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return DatabaseFault(
            f"PostgreSQL at {server}: the database does not exist. Create it"
            " (`createdb NAME`) or fix the name in DATABASE."
        )
    if isinstance(error, OSError | asyncio.TimeoutError):
        return DatabaseFault(
            f"PostgreSQL at {server} does not answer ({error}). Is the server running,"
            " and may this machine connect to it?"
        )
    return DatabaseFault(f"PostgreSQL at {server} cannot be used: {error}")


class PostgresDatabase(Database):
    """The bot's database on a PostgreSQL server, one pool of connections."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self.address = url
        self.namespace = zlib.crc32((schema_of(url) or "").encode()) % NAMESPACES
        self.write_key = -(1 + 2 * self.namespace)
        self.migration_key = -(2 + 2 * self.namespace)
        # The connection of the task's running transaction, if it has one.
        self._current: ContextVar[tuple[asyncio.Task[Any], Connection] | None] = ContextVar(
            f"transaction-{id(self)}", default=None
        )

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        """Connect, create the schema of ``search_path`` when missing, and migrate."""
        try:
            schema = schema_of(url)
            if schema is not None:
                first = await asyncpg.connect(url.split("?")[0], timeout=10)
                try:
                    await first.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                finally:
                    await first.close()
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=POOL_SIZE, statement_cache_size=1024, timeout=10
            )
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            raise explain(error, url) from error
        db = cls(pool, url)
        try:
            async with pool.acquire() as conn:
                await conn.execute("SELECT pg_advisory_lock($1)", db.migration_key)
                try:
                    await db.migrate(load_migrations("postgresql"))
                finally:
                    await conn.execute("SELECT pg_advisory_unlock($1)", db.migration_key)
        except BaseException:
            await pool.close()
            raise
        return db

    @classmethod
    async def attach(cls, url: str) -> PostgresDatabase:
        """A small pool beside a running bot: the schema is migrated already."""
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=2, timeout=10)
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            raise explain(error, url) from error
        return cls(pool, url)

    async def close(self) -> None:
        """Wait for the connections in use to come back, then close them."""
        await self._pool.close()

    # --- transactions and statements -----------------------------------------

    def _own_connection(self) -> Connection | None:
        current = self._current.get()
        if current is not None and current[0] is asyncio.current_task():
            return current[1]
        return None

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[None]:
        """Writers take the write lock first; ``write=False`` is one read-only snapshot."""
        if self._own_connection() is not None:
            raise RuntimeError("transactions do not nest")
        task = asyncio.current_task()
        assert task is not None
        async with self._pool.acquire() as conn:
            # BEGIN and the write lock in one round trip (a simple query of two statements).
            await conn.execute(
                "BEGIN ISOLATION LEVEL READ COMMITTED;"
                f" SELECT pg_advisory_xact_lock({self.write_key})"
                if write
                else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            )
            token = self._current.set((task, conn))
            try:
                yield
            except BaseException:
                with contextlib.suppress(Exception):  # a broken connection is reset by the pool
                    await asyncio.shield(conn.execute("ROLLBACK"))
                raise
            else:
                await conn.execute("COMMIT")
            finally:
                self._current.reset(token)

    async def execute(self, sql: str, params: Params = ()) -> int:
        conn = self._own_connection()
        if conn is None:
            async with self.transaction():
                return await self.execute(sql, params)
        if not params:
            return _changed(await conn.execute(sql))
        return _changed(await conn.execute(numbered(sql), *params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        conn = self._own_connection()
        if conn is None:
            async with self.transaction():
                await self.execute_many(sql, rows)
            return
        await conn.executemany(numbered(sql), [tuple(row) for row in rows])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        conn = self._own_connection()
        if conn is None:
            return list(await self._pool.fetch(numbered(sql), *params))
        return list(await conn.fetch(numbered(sql), *params))

    async def run_steps(
        self, steps: Sequence[Step], *, write: bool = True, quick: bool = False
    ) -> list[StepResult]:
        if self._own_connection() is not None:
            return [await self._run_step(step) for step in steps]
        async with self.transaction(write=write):
            return [await self._run_step(step) for step in steps]

    async def _run_step(self, step: Step) -> StepResult:
        if step.many:
            await self.execute_many(step.sql, step.params)
            return -1
        if step.fetch:
            return await self.fetch_all(step.sql, step.params)
        changed = await self.execute(step.sql, step.params)
        if step.or_raise is not None and changed == 0:
            raise step.or_raise
        return changed

    def person_key(self, telegram_id: int) -> int:
        """The advisory lock key of a person in this installation."""
        return (self.namespace << 53) | (telegram_id & ((1 << 53) - 1))

    @asynccontextmanager
    async def serialised(self, key: int) -> AsyncIterator[None]:
        held = self.person_key(key)
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", held)
            try:
                yield
            finally:
                await asyncio.shield(conn.execute("SELECT pg_advisory_unlock($1)", held))

    # --- upkeep ------------------------------------------------------------------

    async def checkpoint(self) -> bool:
        """VACUUM: erased rows leave the tables' pages and indexes for good.

        Their bytes can stay in WAL segments until PostgreSQL recycles them, and
        in backups until those are rotated (see the operator's guide).
        """
        async with self._pool.acquire() as conn:
            tables = await conn.fetch(
                "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)"
                " FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
            # This installation's tables only: the server's other schemas are not ours.
            await conn.execute("VACUUM " + ", ".join(str(t[0]) for t in tables))
        return True

    async def size_bytes(self) -> int:
        value = await self.fetch_value("SELECT pg_database_size(current_database())")
        return int(value or 0)
