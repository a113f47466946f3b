"""``python -m bot db copy SRC DST``: move an installation between SQLite and PostgreSQL.

SRC and DST are what DATABASE takes (a file path or a ``postgresql://`` URL).
Both are opened, so both stand at the newest schema; DST must hold no rows. The
tables are copied parents first (by their foreign keys), each in its primary
key's order, a page at a time, all in one transaction on DST: a failed copy
leaves DST empty. The coaches' tallies come last: DST's triggers count the
copied answers as they arrive, but SRC's tallies also remember what moved
(a count back at zero after someone changed groups), so what the triggers made
is replaced by SRC's own rows. Then every table of both is compared row by row;
the copy is only reported good when they are equal.

Stop the bot first: rows written during the copy would be missed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

from bot.config import database_address
from bot.storage import Database, DatabaseFault, open_database

PAGE = 2000
# Filled by triggers in the same transaction as the rows they count (migration 010), in
# the order the triggers feed each other.
DERIVED = ("first_answers", "answer_counts", "quiz_tallies")


class CopyError(RuntimeError):
    """The copy was refused or did not verify; the message says why."""


async def table_names(db: Database) -> list[str]:
    if db.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    return sorted(str(r[0]) for r in await db.fetch_all(sql) if r[0] != "schema_migrations")


async def columns_and_key(db: Database, table: str) -> tuple[list[str], list[str]]:
    """The table's columns in order, and its primary key's columns in order.

    On PostgreSQL a text key column sorts by its bytes (``COLLATE "C"``), as SQLite
    sorts, so both databases list a table in the same order.
    """
    if db.dialect == "sqlite":
        info = await db.fetch_all(f"PRAGMA table_info({table})")
        columns = [str(r["name"]) for r in info]
        key = [str(r["name"]) for r in sorted(info, key=lambda r: r["pk"]) if r["pk"]]
        return columns, key
    found = await db.fetch_all(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    key_rows = await db.fetch_all(
        "SELECT k.column_name, t.data_type FROM information_schema.table_constraints c"
        " JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name"
        " AND k.table_schema = c.table_schema"
        " JOIN information_schema.columns t ON t.table_schema = c.table_schema"
        " AND t.table_name = c.table_name AND t.column_name = k.column_name"
        " WHERE c.table_schema = current_schema() AND c.table_name = ?"
        " AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position",
        (table,),
    )
    key = [f'{r[0]} COLLATE "C"' if r[1] == "text" else str(r[0]) for r in key_rows]
    return [str(r[0]) for r in found], key


async def parents(db: Database, table: str) -> set[str]:
    """The tables ``table``'s foreign keys point at."""
    if db.dialect == "sqlite":
        return {str(r["table"]) for r in await db.fetch_all(f"PRAGMA foreign_key_list({table})")}
    found = await db.fetch_all(
        "SELECT DISTINCT u.table_name FROM information_schema.table_constraints c"
        " JOIN information_schema.constraint_column_usage u"
        " ON u.constraint_name = c.constraint_name AND u.constraint_schema = c.constraint_schema"
        " WHERE c.table_schema = current_schema() AND c.table_name = ?"
        " AND c.constraint_type = 'FOREIGN KEY'",
        (table,),
    )
    return {str(r[0]) for r in found}


async def parents_first(db: Database, tables: list[str]) -> list[str]:
    """The tables ordered so each comes after those its foreign keys point at."""
    pending = {table: (await parents(db, table)) - {table} for table in tables}
    ordered: list[str] = []
    while pending:
        ready = sorted(t for t, needs in pending.items() if not needs - set(ordered))
        if not ready:
            raise CopyError(f"the foreign keys of {sorted(pending)} form a cycle")
        ordered += ready
        for table in ready:
            del pending[table]
    return ordered


async def pages(
    db: Database, table: str, columns: list[str], key: list[str]
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The table's rows in key order, a page at a time (all at once, sorted, without a key)."""
    listed = ", ".join(columns)
    if not key:
        rows = await db.fetch_all(f"SELECT {listed} FROM {table}")
        yield sorted((tuple(r[c] for c in columns) for r in rows), key=repr)
        return
    names = [k.split(" ")[0] for k in key]
    order = ", ".join(key)
    last: tuple[Any, ...] | None = None
    while True:
        after = "" if last is None else f" WHERE ({order}) > ({', '.join('?' * len(key))})"
        rows = await db.fetch_all(
            f"SELECT {listed} FROM {table}{after} ORDER BY {order} LIMIT {PAGE}",
            () if last is None else last,
        )
        if not rows:
            return
        page = [tuple(r[c] for c in columns) for r in rows]
        yield page
        last = tuple(rows[-1][c] for c in names)


async def copy(source: Database, target: Database) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target``; rows per table."""
    tables = await table_names(source)
    if set(tables) != set(await table_names(target)):
        raise CopyError("the two databases have different tables: update the bot on both first")
    for table in tables:
        if await target.fetch_value(f"SELECT COUNT(*) FROM {table}"):
            raise CopyError(f"the target is not empty ({table} holds rows): copy into a new one")
    copied: dict[str, int] = {}
    base = await parents_first(source, [t for t in tables if t not in DERIVED])
    async with target.transaction():
        for table in [*base, *(t for t in DERIVED if t in tables)]:
            if table in DERIVED:
                await target.execute(f"DELETE FROM {table}")  # what the triggers made
            columns, key = await columns_and_key(source, table)
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})"
            )
            copied[table] = 0
            async for page in pages(source, table, columns, key):
                await target.execute_many(insert, page)
                copied[table] += len(page)
            if target.dialect == "postgresql" and "id" in columns:
                # The rows came with their ids: the identity goes on after the largest.
                await target.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
    return copied


async def differences(source: Database, target: Database) -> list[str]:
    """Where the two databases differ, table by table and row by row (none: equal)."""
    found: list[str] = []
    for table in await table_names(source):
        columns, key = await columns_and_key(source, table)
        theirs = pages(target, table, columns, (await columns_and_key(target, table))[1])
        async for page in pages(source, table, columns, key):
            other: list[tuple[Any, ...]] = await anext(theirs, [])
            if page != other:
                found.append(f"{table}: rows differ")
                break
        else:
            if await anext(theirs, None):
                found.append(f"{table}: the target has more rows")
    return found


async def copy_and_verify(source_address: str, target_address: str) -> dict[str, int]:
    source = await open_database(database_address(source_address))
    try:
        target = await open_database(database_address(target_address))
        try:
            copied = await copy(source, target)
            problems = await differences(source, target)
            if problems:
                raise CopyError("the copy does not verify: " + "; ".join(problems))
            return copied
        finally:
            await target.close()
    finally:
        await source.close()


def copy_command(args: argparse.Namespace) -> int:
    try:
        copied = asyncio.run(copy_and_verify(args.source, args.target))
    except (CopyError, DatabaseFault) as error:
        print(error, file=sys.stderr)
        return 1
    total = sum(copied.values())
    print(f"Copied {total} rows in {len(copied)} tables; every table verified row by row.")
    return 0
