"""The storage: SQLite or PostgreSQL, numbered migrations, small repositories.

The storage knows nothing of Telegram or of the engine's progress format: it
keeps the progress as the string the engine serialised. Repositories are
modules of functions taking the :class:`Database`::

    db = await open_database("data/bot.sqlite3")
    person = await participants.get_by_telegram_id(db, user_id)
    await commit_update(db, update_id=..., participant_id=person.id, progress_state=...)
"""

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
    "open_database",
    "participants",
    "profile",
    "progress",
    "prompts",
    "purge_processed_updates",
    "readers",
    "undelivered",
]
