"""The storage: SQLite or PostgreSQL, numbered migrations, small repositories.

The storage knows nothing of Telegram or of the engine's progress format: it
keeps the progress as the string the engine serialised. Repositories are
modules of functions taking the :class:`Database`::

    db = await open_database("data/bot.sqlite3")
    person = await participants.get_by_telegram_id(db, user_id)
    await commit_update(db, update_id=..., participant_id=person.id, progress_state=...)
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.storage import (
    actions,
    groups,
    inbox,
    invites,
    jobs,
    newcomers,
    participants,
    profile,
    progress,
    prompts,
    readers,
    undelivered,
)
from bot.storage.database import Database, DatabaseFault, SchemaError, is_postgresql
from bot.storage.postgres import PostgresDatabase
from bot.storage.progress import commit_update, is_processed, purge_processed_updates
from bot.storage.records import (
    AlreadyExists,
    AnswerRow,
    CoachRecord,
    GoalRow,
    GroupRecord,
    InviteKind,
    InviteRecord,
    ParticipantNotFound,
    ParticipantRecord,
    ProfileRow,
    QuizResultRow,
)
from bot.storage.sqlite import SqliteDatabase


async def open_database(address: str | Path) -> Database:
    """Connect (creating what is missing) and migrate: an SQLite file or a PostgreSQL URL."""
    if is_postgresql(address):
        return await PostgresDatabase.connect(str(address))
    return await SqliteDatabase.connect(address)


@asynccontextmanager
async def open_beside(address: str | Path) -> AsyncIterator[Database]:
    """The bot's database, opened by another process while the bot runs (the coaches' files).

    Not :func:`open_database`: the bot opened it already, so it is migrated and checked
    (SQLite's check alone reads the whole file: seconds at 10,000 participants), and
    SQLite's ``PRAGMA optimize`` at close may run ANALYZE, which writes and so holds
    every participant's commit meanwhile. WAL (or PostgreSQL) lets it read while the bot
    writes.
    """
    if is_postgresql(address):
        db: Database = await PostgresDatabase.attach(str(address))
    else:
        db = await SqliteDatabase.attach(Path(address))
    try:
        yield db
    finally:
        await db.close()


__all__ = [
    "AlreadyExists",
    "AnswerRow",
    "CoachRecord",
    "Database",
    "DatabaseFault",
    "GoalRow",
    "GroupRecord",
    "InviteKind",
    "InviteRecord",
    "ParticipantNotFound",
    "ParticipantRecord",
    "ProfileRow",
    "QuizResultRow",
    "SchemaError",
    "actions",
    "commit_update",
    "groups",
    "inbox",
    "invites",
    "is_processed",
    "jobs",
    "newcomers",
    "open_beside",
    "open_database",
    "participants",
    "profile",
    "progress",
    "prompts",
    "purge_processed_updates",
    "readers",
    "undelivered",
]
