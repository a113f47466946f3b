"""Which database the suite runs on, and what tests read of a database directly.

``pytest --database=postgresql`` runs every test against the PostgreSQL server
of ``TEST_DATABASE_URL`` (default: the local one on 127.0.0.1:5432, database
``test``): each SQLite file a test would have made becomes a schema of its own
in that database, named after the file, so a test that reopens "the same
file" (a restart) finds its data again. ``make test`` runs the suite on both.
Tests of what only a file has (WAL, permissions, file backups) are marked
``sqlite_only`` and run on the SQLite pass only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import sqlite3
import threading
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from bot.storage.database import is_postgresql
from bot.storage.postgres import numbered, schema_of

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA_PREFIX = "t_"
T = TypeVar("T")

# Set by conftest.py from --database.
CHOICE = {"dialect": "sqlite"}
RUN = uuid.uuid4().hex[:8]


def on_postgresql() -> bool:
    return CHOICE["dialect"] == "postgresql"


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_URL)


def address(path: Path) -> Path | str:
    """Where a test's database lives: the SQLite file, or that file's PostgreSQL schema."""
    if not on_postgresql():
        return path
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
    return f"{server_url()}?search_path={SCHEMA_PREFIX}{RUN}_{digest}"


def run_aside(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on a loop of its own (from sync code inside a test's loop)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


async def drop_test_schemas(run: str | None = None) -> int:
    """Drop this run's schemas (or every test schema when ``run`` is None)."""
    conn = await asyncpg.connect(server_url())
    try:
        pattern = f"{SCHEMA_PREFIX}{run or ''}%".replace("_", r"\_")
        names = [
            r[0]
            for r in await conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", pattern
            )
        ]
        for name in names:
            await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        return len(names)
    finally:
        await conn.close()


def server_answers() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(server_url(), timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        await conn.close()
        return True

    return run_aside(probe())


# --- reading a database directly ------------------------------------------------
#
# Plain functions, not coroutines: the suite's helpers that read what the bot
# stored are called from sync code too. They open a connection of their own
# (never the bot's), as an operator's tool would.


def query(where: Path | str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """The rows of one statement (``?`` parameters), as plain tuples."""
    if not is_postgresql(where):
        with contextlib.closing(sqlite3.connect(where)) as conn, conn:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await _connect(str(where))
        try:
            return [tuple(r) for r in await conn.fetch(numbered(sql), *params)]
        finally:
            await conn.close()

    return run_aside(fetch())


def execute_many(where: Path | str, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """One statement for each parameter row, in one transaction."""
    if not is_postgresql(where):
        with contextlib.closing(sqlite3.connect(where)) as conn, conn:
            conn.executemany(sql, rows)
        return

    async def run() -> None:
        conn = await _connect(str(where))
        try:
            async with conn.transaction():
                await conn.executemany(numbered(sql), rows)
        finally:
            await conn.close()

    run_aside(run())


def execute(where: Path | str, sql: str, *params: Any) -> None:
    execute_many(where, sql, [tuple(params)])


def tables(where: Path | str) -> list[str]:
    """The bot's tables (not the migrations' bookkeeping)."""
    if is_postgresql(where):
        sql = (
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(str(r[0]) for r in query(where, sql) if r[0] != "schema_migrations")


def columns(where: Path | str, table: str) -> list[str]:
    if not is_postgresql(where):
        return [str(r[1]) for r in query(where, f"PRAGMA table_info({table})")]
    found = query(
        where,
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        table,
    )
    return [str(r[0]) for r in found]


def snapshot(where: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in a stable order: equal snapshots, the same data."""
    return {t: sorted(query(where, f"SELECT * FROM {t}"), key=repr) for t in tables(where)}


def dump(where: Path | str) -> str:
    """Every stored value as text: what a test searches for a name or an id."""
    return "\n".join(
        f"{table} {row!r}" for table, found in snapshot(where).items() for row in found
    )


async def _connect(url: str) -> asyncpg.Connection:
    schema = schema_of(url)
    settings = {} if schema is None else {"search_path": schema}
    return await asyncpg.connect(url.split("?")[0], server_settings=settings)


if __name__ == "__main__":  # `python -m tests.databases`: exit 0 when PostgreSQL answers
    raise SystemExit(0 if server_answers() else 1)
