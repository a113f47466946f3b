"""Coaches: their language, which groups they follow, and a look at an invite before use."""

from __future__ import annotations

from datetime import datetime

from bot.clock import utc_now
from bot.storage.database import Database, to_iso
from bot.storage.records import CoachRecord, InviteRecord


async def set_language(db: Database, coach_id: int, language: str) -> None:
    await db.execute("UPDATE coaches SET language = ? WHERE id = ?", (language, coach_id))


async def follows(db: Database, coach_id: int, group_id: int) -> bool:
    """Whether the coach follows the group: checked on every command and press."""
    row = await db.fetch_one(
        "SELECT 1 FROM group_coaches WHERE coach_id = ? AND group_id = ?", (coach_id, group_id)
    )
    return row is not None


async def all_coaches(db: Database) -> list[CoachRecord]:
    rows = await db.fetch_all(f"SELECT {CoachRecord.COLUMNS} FROM coaches ORDER BY id")
    return [CoachRecord.from_row(row) for row in rows]


async def find_invite(
    db: Database, code_hash: str, now: datetime | None = None
) -> InviteRecord | None:
    """A usable invite, without using it: the caller decides first whether to spend a use."""
    row = await db.fetch_one(
        f"SELECT {InviteRecord.COLUMNS} FROM invites"
        " WHERE code_hash = ? AND expires_at > ? AND (uses_left IS NULL OR uses_left > 0)",
        (code_hash, to_iso(now or utc_now())),
    )
    return None if row is None else InviteRecord.from_row(row)


async def group_counts(db: Database) -> dict[int, tuple[int, int]]:
    """Per group id: (coaches, participants), for the admin's list."""
    rows = await db.fetch_all(
        "SELECT g.id,"
        " (SELECT COUNT(*) FROM group_coaches gc WHERE gc.group_id = g.id),"
        " (SELECT COUNT(*) FROM participants p WHERE p.group_id = g.id)"
        " FROM groups g"
    )
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


async def coaches_of_group(db: Database, group_id: int) -> list[CoachRecord]:
    """The coaches who follow a group: who is told when one of its participants pauses."""
    rows = await db.fetch_all(
        f"SELECT {', '.join('c.' + c.strip() for c in CoachRecord.COLUMNS.split(','))}"
        " FROM coaches c JOIN group_coaches gc ON gc.coach_id = c.id"
        " WHERE gc.group_id = ? ORDER BY c.id",
        (group_id,),
    )
    return [CoachRecord.from_row(row) for row in rows]
