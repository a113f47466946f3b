"""Invite codes: long and random, carried by a t.me deep link, stored only as a hash.

A code is 43 characters of ``secrets.token_urlsafe`` (256 random bits, only
``A-Z a-z 0-9 _ -``), so it fits Telegram's 64-character ``start`` parameter and
cannot be guessed; the rate limit on wrong codes makes trying pointless too.
Only the code's sha256 is stored, so a copy of the database opens no group.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from datetime import datetime, timedelta

import segno

from bot.clock import utc_now
from bot.storage import Database, InviteKind, invites

CODE_BYTES = 32
START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
WRONG_TRIES_PER_HOUR = 5
COACH_INVITE_DAYS = 7
QR_SCALE = 10


def new_code() -> str:
    code = secrets.token_urlsafe(CODE_BYTES)
    assert START_PARAMETER.match(code)
    return code


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def well_formed(text: str) -> bool:
    """Could this be a start parameter at all? (Anything else is a wrong try too.)"""
    return bool(START_PARAMETER.match(text))


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def qr_png(link: str) -> bytes:
    """The link as a QR code PNG, large enough to scan from a phone held up in a room."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


async def issue(
    db: Database,
    kind: InviteKind,
    group_id: int,
    *,
    uses: int | None,
    days: int,
    created_by: int | None = None,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """A fresh code for the group (its hash stored) and when it expires."""
    at = now or utc_now()
    code = new_code()
    expires = at + timedelta(days=days)
    await invites.create_invite(
        db, code_hash(code), kind, group_id, created_by, uses, expires, now=at
    )
    return code, expires


async def too_many_wrong_tries(db: Database, telegram_id: int, now: datetime | None = None) -> bool:
    since = (now or utc_now()) - timedelta(hours=1)
    return await invites.count_start_attempts(db, telegram_id, since) >= WRONG_TRIES_PER_HOUR
