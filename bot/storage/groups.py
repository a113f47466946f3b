"""Groups of participants and the coaches who follow them."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import utc_now
from bot.storage.database import Database, from_iso, to_iso
from bot.storage.records import AlreadyExists, CoachRecord, GroupRecord, ParticipantRecord

_SELECT_GROUP = f"SELECT {GroupRecord.COLUMNS} FROM groups"
_SELECT_COACH = f"SELECT {CoachRecord.COLUMNS} FROM coaches"


async def create_group(
    db: Database,
    name: str,
    start_date: date,
    self_paced: bool = False,
    *,
    now: datetime | None = None,
) -> GroupRecord:
    """A new group; :class:`AlreadyExists` when the name is taken."""
    at = to_iso(now or utc_now())
    new_id = await db.fetch_value(
        "INSERT INTO groups (name, start_date, self_paced, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (name) DO NOTHING RETURNING id",
        (name, start_date.isoformat(), int(self_paced), at),
    )
    if new_id is None:
        raise AlreadyExists(f"group {name!r}")
    return GroupRecord(int(new_id), name, start_date, self_paced, from_iso(at), None)


async def get_group(db: Database, group_id: int) -> GroupRecord | None:
    row = await db.fetch_one(f"{_SELECT_GROUP} WHERE id = ?", (group_id,))
    return None if row is None else GroupRecord.from_row(row)


async def get_group_by_name(db: Database, name: str) -> GroupRecord | None:
    """The group of that name, or one whose name differs only in case ("vetlanda vt 2027").

    SQLite's NOCASE folds ASCII only, so Å and å are compared in Python.
    """
    row = await db.fetch_one(f"{_SELECT_GROUP} WHERE name = ?", (name,))
    if row is not None:
        return GroupRecord.from_row(row)
    wanted = name.strip().casefold()
    found = [g for g in await list_groups(db) if g.name.casefold() == wanted]
    return found[0] if len(found) == 1 else None


async def end_group(db: Database, group_id: int, now: datetime | None = None) -> None:
    """The group's course is over: digests stop a week later, the purge counts from now."""
    await db.execute(
        "UPDATE groups SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
        (to_iso(now or utc_now()), group_id),
    )


async def rename_group(db: Database, group_id: int, name: str) -> None:
    """:class:`AlreadyExists` when another group has the name."""
    changed = await db.execute(
        "UPDATE groups SET name = ? WHERE id = ?"
        " AND NOT EXISTS (SELECT 1 FROM groups WHERE name = ? AND id <> ?)",
        (name, group_id, name, group_id),
    )
    if changed == 0:
        raise AlreadyExists(f"group {name!r}")


async def list_coaches(db: Database) -> list[tuple[CoachRecord, list[str]]]:
    """Every coach with the names of the groups they follow."""
    coaches = [CoachRecord.from_row(r) for r in await db.fetch_all(f"{_SELECT_COACH} ORDER BY id")]
    return [(c, [g.name for g in await groups_of_coach(db, c.id)]) for c in coaches]


async def get_coach(db: Database, coach_id: int) -> CoachRecord | None:
    row = await db.fetch_one(f"{_SELECT_COACH} WHERE id = ?", (coach_id,))
    return None if row is None else CoachRecord.from_row(row)


async def remove_coach_from_group(db: Database, group_id: int, coach_id: int) -> bool:
    changed = await db.execute(
        "DELETE FROM group_coaches WHERE group_id = ? AND coach_id = ?", (group_id, coach_id)
    )
    return changed > 0


async def remove_coach(db: Database, coach_id: int) -> bool:
    """The coach and their notes are gone; the actions they logged stay, without a name."""
    changed = await db.execute("DELETE FROM coaches WHERE id = ?", (coach_id,))
    return changed > 0


async def list_groups(db: Database) -> list[GroupRecord]:
    rows = await db.fetch_all(f"{_SELECT_GROUP} ORDER BY start_date, name")
    return [GroupRecord.from_row(row) for row in rows]


async def participants_of_group(db: Database, group_id: int) -> list[ParticipantRecord]:
    rows = await db.fetch_all(
        f"SELECT {ParticipantRecord.COLUMNS} FROM participants"
        " WHERE group_id = ? ORDER BY first_name, id",
        (group_id,),
    )
    return [ParticipantRecord.from_row(row) for row in rows]


async def add_coach(
    db: Database,
    telegram_id: int,
    first_name: str,
    language: str | None,
    *,
    now: datetime | None = None,
) -> CoachRecord:
    """A new coach; :class:`AlreadyExists` when the Telegram id is a coach already."""
    at = to_iso(now or utc_now())
    new_id = await db.fetch_value(
        "INSERT INTO coaches (telegram_id, first_name, language, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO NOTHING RETURNING id",
        (telegram_id, first_name, language, at),
    )
    if new_id is None:
        raise AlreadyExists(f"coach with Telegram id {telegram_id}")
    return CoachRecord(int(new_id), telegram_id, first_name, language, from_iso(at))


async def get_coach_by_telegram_id(db: Database, telegram_id: int) -> CoachRecord | None:
    row = await db.fetch_one(f"{_SELECT_COACH} WHERE telegram_id = ?", (telegram_id,))
    return None if row is None else CoachRecord.from_row(row)


async def add_coach_to_group(db: Database, group_id: int, coach_id: int) -> None:
    """Let the coach follow the group (nothing changes if they do already)."""
    await db.execute(
        "INSERT INTO group_coaches (group_id, coach_id) VALUES (?, ?)"
        " ON CONFLICT (group_id, coach_id) DO NOTHING",
        (group_id, coach_id),
    )


async def groups_of_coach(db: Database, coach_id: int) -> list[GroupRecord]:
    rows = await db.fetch_all(
        "SELECT g.id, g.name, g.start_date, g.self_paced, g.created_at, g.ended_at"
        " FROM groups g JOIN group_coaches gc ON gc.group_id = g.id"
        " WHERE gc.coach_id = ? ORDER BY g.start_date, g.name",
        (coach_id,),
    )
    return [GroupRecord.from_row(row) for row in rows]
