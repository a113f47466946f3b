"""The SQLite storage: one connection, numbered migrations, small repositories.

The storage knows nothing of Telegram or of the engine's progress format: it
keeps the progress as the string the engine serialised. Repositories are
modules of functions taking the :class:`Database`::

    db = await Database.open("data/bot.sqlite3")
    person = await participants.get_by_telegram_id(db, user_id)
    await commit_update(db, update_id=..., participant_id=person.id, progress_state=...)
"""

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
from bot.storage.database import Database, DatabaseFault, SchemaError
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
    "participants",
    "profile",
    "progress",
    "prompts",
    "purge_processed_updates",
    "readers",
    "undelivered",
]
