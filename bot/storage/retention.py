"""Forgetting on time: nobody is kept longer than the course needs them.

A group ends when ``ended_at`` is set, or else a course length after its start.
Once that lies further back than the retention period, its participants (and
with them their progress, answers and quiz results), its departures, invites and
coach links are deleted, and so are coaches who follow no group any more.
Participants in no group go once their last activity is that old; anyone who
never agreed to the storing of their data goes after a day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clock import utc_now
from bot.storage.database import Database, from_iso_or_none, to_iso


def months_before(moment: datetime, months: int) -> datetime:
    """The same time ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (first_of_next - timedelta(days=1)).day
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


async def expired_groups(db: Database, cutoff: datetime, course_length: timedelta) -> list[int]:
    """Ids of groups that ended before ``cutoff``."""
    rows = await db.fetch_all("SELECT id, start_date, ended_at FROM groups")
    found = []
    for row in rows:
        ended = from_iso_or_none(row["ended_at"])
        end_day = ended.date() if ended else date.fromisoformat(row["start_date"]) + course_length
        if end_day < cutoff.date():
            found.append(int(row["id"]))
    return found


async def purge_group(db: Database, group_id: int) -> int:
    """Delete a group and everything about its people; returns how many participants went."""
    async with db.transaction():
        coaches = [
            int(r[0])
            for r in await db.fetch_all(
                "SELECT coach_id FROM group_coaches WHERE group_id = ?", (group_id,)
            )
        ]
        await db.execute(
            "DELETE FROM start_attempts WHERE telegram_id IN"
            " (SELECT telegram_id FROM participants WHERE group_id = ?)",
            (group_id,),
        )
        for table, column in (("inbox", "telegram_id"), ("undelivered", "chat_id")):
            await db.execute(
                f"DELETE FROM {table} WHERE {column} IN"
                " (SELECT telegram_id FROM participants WHERE group_id = ?)",
                (group_id,),
            )
        changed = await db.execute("DELETE FROM participants WHERE group_id = ?", (group_id,))
        gone = changed
        await db.execute("DELETE FROM groups WHERE id = ?", (group_id,))
        for coach_id in coaches:
            await db.execute(
                "DELETE FROM coaches WHERE id = ? AND NOT EXISTS"
                " (SELECT 1 FROM group_coaches WHERE coach_id = ?)",
                (coach_id, coach_id),
            )
    return gone


async def purge_expired(
    db: Database,
    retention_months: int,
    course_length: timedelta,
    now: datetime | None = None,
) -> list[int]:
    """Purge every group that ended more than ``retention_months`` ago; returns their ids."""
    cutoff = months_before(now or utc_now(), retention_months)
    groups = await expired_groups(db, cutoff, course_length)
    for group_id in groups:
        await purge_group(db, group_id)
    if groups:
        await db.checkpoint()  # no old page image of the purged rows stays in the WAL
    return groups


NEVER_AGREED = timedelta(days=1)


async def purge_unattached(db: Database, retention_months: int, now: datetime | None = None) -> int:
    """Forget newcomers and never-consented rows after a day, and groupless participants
    whose last activity lies beyond the retention period; returns how many people went."""
    at = now or utc_now()
    day_ago = to_iso(at - NEVER_AGREED)
    cutoff = to_iso(months_before(at, retention_months))
    async with db.transaction():
        count = await db.execute("DELETE FROM newcomers WHERE created_at < ?", (day_ago,))
        for where, value in (
            ("consent_at IS NULL AND created_at < ?", day_ago),
            ("group_id IS NULL AND last_active_at < ?", cutoff),
        ):
            people = [
                int(row[0])
                for row in await db.fetch_all(
                    f"SELECT telegram_id FROM participants WHERE {where}", (value,)
                )
            ]
            for telegram_id in people:
                for table in ("start_attempts", "prompts", "participants"):
                    await db.execute(f"DELETE FROM {table} WHERE telegram_id = ?", (telegram_id,))
            count += len(people)
        await db.execute("DELETE FROM prompts WHERE expires_at <= ?", (to_iso(at),))
    return count
