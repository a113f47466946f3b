"""Backups that are consistent while the bot runs, and restores that cannot hurt it.

A backup goes through SQLite's online backup API (a second connection reads a
consistent snapshot; WAL lets the bot write meanwhile), then is checked. A
restore first checks the copy (integrity, schema version) and refuses while a
bot holds the run lock on the database: overwriting a database under a running
process would corrupt it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import utc_now
from bot.config import load_settings
from bot.storage.database import is_postgresql, load_migrations
from bot.storage.sqlite import SIDE_FILES

log = logging.getLogger(__name__)

BACKUP_PREFIX = "bot-"
BACKUP_SUFFIX = ".sqlite3"
PAGES_PER_STEP = 256  # the bot may write between steps, so a large backup never stalls it


class BackupError(RuntimeError):
    """A backup or restore that was refused or failed; the message says why."""


class BotRunning(BackupError):
    """A bot holds the database's run lock."""


# ------------------------------------------------------------------ the run lock


def lock_path(database: Path) -> Path:
    return Path(f"{database}.lock")


@contextlib.contextmanager
def run_lock(database: Path | str) -> Iterator[None]:
    """Held by a running bot for as long as it runs; the kernel drops it if the process dies.

    Only for an SQLite file: several bot processes may share a PostgreSQL database.
    """
    if is_postgresql(database):
        yield
        return
    database = Path(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BotRunning(
                f"A bot is running on {database} (it holds {lock_path(database)}): stop it first."
            ) from None
        yield
    finally:
        os.close(handle)


def bot_is_running(database: Path) -> bool:
    try:
        with run_lock(database):
            return False
    except BotRunning:
        return True


# ------------------------------------------------------------------ checks


@dataclass(frozen=True, slots=True)
class Verdict:
    problems: tuple[str, ...]
    schema_version: int

    @property
    def ok(self) -> bool:
        return not self.problems


def inspect(path: Path) -> Verdict:
    """Is this file a whole database of a schema this code can run?"""
    if not path.is_file():
        return Verdict((f"{path} does not exist",), 0)
    newest = max(m.version for m in load_migrations())
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            checked = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            if checked != ["ok"]:
                return Verdict((f"{path} is damaged: {checked[0][:200]}",), 0)
            version = int(conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0])
    except sqlite3.Error as error:
        return Verdict((f"{path} is not a usable bot database: {error}",), 0)
    if version > newest:
        return Verdict(
            (f"{path} has schema version {version}, newer than this code ({newest}): update",),
            version,
        )
    return Verdict((), version)


# ------------------------------------------------------------------ backup and restore


def _copy(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst, pages=PAGES_PER_STEP)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file


def backup(database: Path, target: Path) -> Verdict:
    """Copy the database to ``target`` (a new file), consistent even while the bot writes."""
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(database, partial)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {error}") from error
    verdict = inspect(partial)
    if not verdict.ok:
        partial.unlink(missing_ok=True)
        raise BackupError("; ".join(verdict.problems))
    partial.rename(target)  # a backup file is whole or absent, never half-written
    return verdict


def restore(source: Path, database: Path) -> Verdict:
    """Replace the database with a checked backup, only while no bot runs on it."""
    verdict = inspect(source)
    if not verdict.ok:
        raise BackupError("Not restored: " + "; ".join(verdict.problems))
    with run_lock(database):
        partial = database.with_name(database.name + ".restoring")
        partial.unlink(missing_ok=True)
        _copy(source, partial)
        for suffix in SIDE_FILES:  # a stale WAL would be replayed over the restored file
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        partial.replace(database)
    return verdict


def backup_name(moment: datetime) -> str:
    return f"{BACKUP_PREFIX}{moment:%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in the folder; returns what went."""
    found = sorted(folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}"))
    gone = found[: max(len(found) - keep, 0)]
    for old in gone:
        old.unlink()
    return gone


async def nightly_backup(database: Path, folder: Path, keep: int) -> Path:
    """Tonight's backup into BACKUP_DIR, then the oldest beyond BACKUP_KEEP go."""
    target = folder / backup_name(utc_now())
    await asyncio.to_thread(backup, database, target)
    gone = await asyncio.to_thread(prune, folder, keep)
    log.info("backup written to %s (%d old one(s) removed)", target, len(gone))
    return target


# ------------------------------------------------------------------ the subcommands


POSTGRESQL_BACKUPS = (
    "DATABASE is a PostgreSQL server: back it up with PostgreSQL's own tools, for example"
    ' `pg_dump --format=custom --file=bot.dump "$DATABASE"`, and restore with'
    ' `pg_restore --clean --dbname="$DATABASE" bot.dump` while the bot is stopped'
    " (docs/operating.md#backups)."
)


def backup_command(args: argparse.Namespace) -> int:
    target = Path(args.path)
    database = load_settings().database
    if is_postgresql(database):
        print(POSTGRESQL_BACKUPS, file=sys.stderr)
        return 2
    try:
        verdict = backup(Path(database), target)
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Backup written to {target} (schema version {verdict.schema_version}, checked).")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    source = Path(args.path)
    database = load_settings().database
    if is_postgresql(database):
        print(POSTGRESQL_BACKUPS, file=sys.stderr)
        return 2
    try:
        verdict = restore(source, Path(database))
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"Restored {source} to {database} (schema version {verdict.schema_version});"
        " start the bot: it applies any newer migrations."
    )
    return 0
