"""Invite codes (only their hashes are stored) and the rate limit on wrong ones."""

from __future__ import annotations

from datetime import datetime

from bot.clock import utc_now
from bot.storage.database import Database, from_iso, to_iso
from bot.storage.records import InviteKind, InviteRecord


async def create_invite(
    db: Database,
    code_hash: str,
    kind: InviteKind,
    group_id: int | None,
    created_by: int | None,
    uses_left: int | None,
    expires_at: datetime,
    *,
    now: datetime | None = None,
) -> InviteRecord:
    """Store an invite by the sha256 of its code; ``uses_left=None``: unlimited until expiry.

    A participant invite needs a group (an integrity error otherwise).
    """
    at = to_iso(now or utc_now())
    await db.execute(
        "INSERT INTO invites (code_hash, kind, group_id, created_by, uses_left, expires_at,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code_hash, str(kind), group_id, created_by, uses_left, to_iso(expires_at), at),
    )
    return InviteRecord(
        code_hash=code_hash,
        kind=InviteKind(kind),
        group_id=group_id,
        created_by=created_by,
        uses_left=uses_left,
        expires_at=from_iso(to_iso(expires_at)),
        created_at=from_iso(at),
    )


async def redeem_invite(
    db: Database, code_hash: str, now: datetime | None = None
) -> InviteRecord | None:
    """Use an invite once: None when it is unknown, expired or used up.

    The check and the decrement are one statement, so two people redeeming the
    last use at the same moment cannot both get it.
    """
    rows = await db.fetch_all(
        "UPDATE invites SET uses_left = uses_left - 1"
        " WHERE code_hash = ? AND expires_at > ? AND (uses_left IS NULL OR uses_left > 0)"
        f" RETURNING {InviteRecord.COLUMNS}",
        (code_hash, to_iso(now or utc_now())),
    )
    return InviteRecord.from_row(rows[0]) if rows else None


async def purge_expired_invites(db: Database, now: datetime | None = None) -> int:
    changed = await db.execute(
        "DELETE FROM invites WHERE expires_at <= ?", (to_iso(now or utc_now()),)
    )
    return changed


async def record_start_attempt(db: Database, telegram_id: int, at: datetime | None = None) -> None:
    """Someone tried a wrong invite code."""
    await db.execute(
        "INSERT INTO start_attempts (telegram_id, attempted_at) VALUES (?, ?)",
        (telegram_id, to_iso(at or utc_now())),
    )


async def count_start_attempts(db: Database, telegram_id: int, since: datetime) -> int:
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM start_attempts WHERE telegram_id = ? AND attempted_at >= ?",
        (telegram_id, to_iso(since)),
    )
    return int(value)


async def purge_start_attempts(db: Database, older_than: datetime) -> int:
    changed = await db.execute(
        "DELETE FROM start_attempts WHERE attempted_at < ?", (to_iso(older_than),)
    )
    return changed


async def list_invites(db: Database, group_id: int | None = None) -> list[InviteRecord]:
    """Invites still stored (the purge removes expired ones), newest first."""
    where, params = ("WHERE group_id = ?", (group_id,)) if group_id is not None else ("", ())
    rows = await db.fetch_all(
        f"SELECT {InviteRecord.COLUMNS} FROM invites {where} ORDER BY created_at DESC", params
    )
    return [InviteRecord.from_row(r) for r in rows]


async def revoke_invite(db: Database, hash_prefix: str) -> int:
    """Revoke the one invite whose code hash starts so; returns how many matched (0, 1, more:
    nothing is revoked unless exactly one matched)."""
    prefix = hash_prefix.strip().lower()
    if not prefix or not all(c in "0123456789abcdef" for c in prefix):
        return 0
    rows = await db.fetch_all(
        "SELECT code_hash FROM invites WHERE substr(code_hash, 1, ?) = ?", (len(prefix), prefix)
    )
    if len(rows) == 1:
        await db.execute("DELETE FROM invites WHERE code_hash = ?", (rows[0][0],))
    return len(rows)
