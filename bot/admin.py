"""The administrator's command line: groups (intakes) and single-use coach invitations.

    python -m bot groups create --name "Vetlanda VT 2027" --start 2027-01-11 [--self-paced]
    python -m bot groups list
    python -m bot invite coach --group "Vetlanda VT 2027" [--qr coach.png]

Each command opens the database named by DATABASE (as the bot does), so it can
run beside the running bot: SQLite's WAL lets both use the file.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from telegram.error import TelegramError

from bot import invitations
from bot.config import load_settings
from bot.ops.identity import IdentityError, fetch_username
from bot.storage import AlreadyExists, Database, GroupRecord, InviteKind, groups
from bot.storage.coaching import group_counts

T = TypeVar("T")


async def create_group(db: Database, name: str, start: date, self_paced: bool) -> GroupRecord:
    return await groups.create_group(db, name.strip(), start, self_paced)


async def coach_invite(
    db: Database, bot_username: str, group_name: str, now: datetime | None = None
) -> tuple[str, datetime] | None:
    """A single-use coach link for the named group, or None when there is no such group."""
    group = await groups.get_group_by_name(db, group_name.strip())
    if group is None:
        return None
    code, expires = await invitations.issue(
        db, InviteKind.COACH, group.id, uses=1, days=invitations.COACH_INVITE_DAYS, now=now
    )
    return invitations.deep_link(bot_username, code), expires


async def group_table(db: Database) -> list[str]:
    counts = await group_counts(db)
    lines = ["id  name  start  pacing  coaches  participants  ended"]
    for group in await groups.list_groups(db):
        coaches, people = counts.get(group.id, (0, 0))
        pacing = "self-paced" if group.self_paced else "weekly"
        ended = group.ended_at.date().isoformat() if group.ended_at else "-"
        lines.append(
            f"{group.id}  {group.name}  {group.start_date}  {pacing}  {coaches}  {people}  {ended}"
        )
    return lines


# ---------------------------------------------------------------- the subcommands


def create_group_command(args: argparse.Namespace) -> int:
    try:
        start = date.fromisoformat(args.start)
    except ValueError:
        print(f"--start must be a date as YYYY-MM-DD, not {args.start!r}", file=sys.stderr)
        return 2
    try:
        group = _run(lambda db: create_group(db, args.name, start, args.self_paced))
    except AlreadyExists:
        print(f"A group named {args.name!r} exists already.", file=sys.stderr)
        return 1
    pacing = "self-paced" if group.self_paced else "a new week every 7 days"
    print(f"Created group {group.name!r} (id {group.id}): starts {group.start_date}, {pacing}.")
    return 0


def list_groups_command(args: argparse.Namespace) -> int:
    for line in _run(group_table):
        print(line)
    return 0


def invite_coach_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        username = asyncio.run(fetch_username(settings))  # getMe when there is a token
    except (IdentityError, TelegramError) as error:
        print(f"Cannot make the link: {error}", file=sys.stderr)
        return 1
    made = _run(lambda db: coach_invite(db, username, args.group))
    if made is None:
        print(f"No group named {args.group!r}; see `python -m bot groups list`.", file=sys.stderr)
        return 1
    link, expires = made
    print(link)
    print(f"Single use, valid until {expires:%Y-%m-%d %H:%M} UTC. Give it to one coach only.")
    if args.qr:
        Path(args.qr).write_bytes(invitations.qr_png(link))
        print(f"QR code written to {args.qr}")
    return 0


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured database, run ``work(db)`` and close it again."""

    async def main() -> T:
        async with await Database.open(load_settings().database) as db:
            return await work(db)

    return asyncio.run(main())
