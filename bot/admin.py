"""The administrator's command line: groups (intakes) and single-use coach invitations.

    python -m bot groups create --name "Vetlanda VT 2027" --start 2027-01-11 [--self-paced]
    python -m bot groups list
    python -m bot groups end --group "Vetlanda VT 2027"
    python -m bot groups rename --group "Vetlanda VT 2027" --to "Vetlanda våren 2027"
    python -m bot invite coach --group "Vetlanda VT 2027" [--qr coach.png]
    python -m bot coaches list
    python -m bot coaches remove --coach 3 [--group "Vetlanda VT 2027"]
    python -m bot invites list [--group "Vetlanda VT 2027"]
    python -m bot invites revoke --code 3f9a2c1d
    python -m bot audit [--since 2027-01-01]
    python -m bot readers add|remove <telegram_id> <language>
    python -m bot readers list

Group names are matched without regard to case. A wrong name or id gets a
clear message and exit code 1; a malformed argument exit code 2.

Each command opens the database named by DATABASE (as the bot does), so it can
run beside the running bot: SQLite's WAL lets both use the file.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from telegram.error import TelegramError

from bot import invitations
from bot.config import load_settings
from bot.i18n.languages import LANGUAGES
from bot.ops.identity import IdentityError, fetch_username
from bot.storage import (
    AlreadyExists,
    Database,
    GroupRecord,
    InviteKind,
    actions,
    groups,
    invites,
    open_database,
    readers,
)
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
        async with await open_database(load_settings().database) as db:
            return await work(db)

    return asyncio.run(main())


# ---------------------------------------------------------------- the lifecycle

NO_GROUP = "No group named {name!r}; see `python -m bot groups list`."
NO_COACH = "No coach with id {id}; see `python -m bot coaches list`."


def _no_group(name: str) -> int:
    print(NO_GROUP.format(name=name), file=sys.stderr)
    return 1


def end_group_command(args: argparse.Namespace) -> int:
    async def work(db: Database) -> GroupRecord | None:
        group = await groups.get_group_by_name(db, args.group.strip())
        if group is not None:
            await groups.end_group(db, group.id)
        return group

    group = _run(work)
    if group is None:
        return _no_group(args.group)
    print(f"Ended group {group.name!r}: coaches get digests for one more week.")
    return 0


def rename_group_command(args: argparse.Namespace) -> int:
    new = args.to.strip()
    if not new:
        print("--to must be a name, not empty.", file=sys.stderr)
        return 2

    async def work(db: Database) -> GroupRecord | None:
        group = await groups.get_group_by_name(db, args.group.strip())
        if group is not None:
            await groups.rename_group(db, group.id, new)
        return group

    try:
        group = _run(work)
    except AlreadyExists:
        print(f"A group named {new!r} exists already.", file=sys.stderr)
        return 1
    if group is None:
        return _no_group(args.group)
    print(f"Renamed group {group.name!r} to {new!r}.")
    return 0


def list_coaches_command(args: argparse.Namespace) -> int:
    print("id  first name  language  groups")
    for coach, names in _run(groups.list_coaches):
        print(f"{coach.id}  {coach.first_name}  {coach.language or '-'}  {', '.join(names) or '-'}")
    return 0


def remove_coach_command(args: argparse.Namespace) -> int:
    """Off one group with --group, else removed as a coach altogether (their notes too)."""

    async def work(db: Database) -> str | None:
        coach = await groups.get_coach(db, args.coach)
        if coach is None:
            return NO_COACH.format(id=args.coach)
        if args.group is None:
            await groups.remove_coach(db, coach.id)
            return None
        group = await groups.get_group_by_name(db, args.group.strip())
        if group is None:
            return NO_GROUP.format(name=args.group)
        if not await groups.remove_coach_from_group(db, group.id, coach.id):
            return f"Coach {coach.id} does not follow {group.name!r}."
        return None

    error = _run(work)
    if error:
        print(error, file=sys.stderr)
        return 1
    where = f"from {args.group!r}" if args.group else "as a coach"
    print(f"Removed coach {args.coach} {where}.")
    return 0


def list_invites_command(args: argparse.Namespace) -> int:
    async def work(db: Database) -> list[str] | None:
        group_id = None
        if args.group is not None:
            group = await groups.get_group_by_name(db, args.group.strip())
            if group is None:
                return None
            group_id = group.id
        names = {g.id: g.name for g in await groups.list_groups(db)}
        lines = ["code  kind  group  uses left  expires (UTC)"]
        for invite in await invites.list_invites(db, group_id):
            uses = "unlimited" if invite.uses_left is None else str(invite.uses_left)
            group_name = names.get(invite.group_id or 0, "-")
            expires = f"{invite.expires_at:%Y-%m-%d %H:%M}"
            code = invite.code_hash[:INVITE_PREFIX]
            lines.append(f"{code}  {invite.kind}  {group_name}  {uses}  {expires}")
        return lines

    lines = _run(work)
    if lines is None:
        return _no_group(args.group)
    for line in lines:
        print(line)
    return 0


INVITE_PREFIX = 12
"""How much of a code's hash names an invite in the list: enough to be unique."""


def revoke_invite_command(args: argparse.Namespace) -> int:
    matched = _run(lambda db: invites.revoke_invite(db, args.code))
    if matched == 1:
        print(f"Revoked the invite {args.code}: its link opens nothing any more.")
        return 0
    if matched == 0:
        print(f"No invite {args.code!r}; see `python -m bot invites list`.", file=sys.stderr)
    else:
        print(f"{matched} invites start with {args.code!r}: give more of it.", file=sys.stderr)
    return 1


def audit_command(args: argparse.Namespace) -> int:
    """Every coach action, oldest first: for the administrator only."""
    since = None
    if args.since:
        try:
            since = datetime.combine(date.fromisoformat(args.since), datetime.min.time(), UTC)
        except ValueError:
            print(f"--since must be a date as YYYY-MM-DD, not {args.since!r}", file=sys.stderr)
            return 2
    print("time (UTC)  coach  participant  action  detail")
    for action in _run(lambda db: actions.audit(db, since)):
        coach = f"{action.coach_id} {action.coach_name}" if action.coach_id else "(removed)"
        print(
            f"{action.at:%Y-%m-%d %H:%M}  {coach}  {action.participant_id}"
            f"  {action.kind}  {action.detail or '-'}"
        )
    return 0


# ---------------------------------------------------------------- readers


def _reader_language(language: str) -> str | None:
    code = language.strip().lower()
    if code not in LANGUAGES:
        print(f"{language!r} is not a course language ({', '.join(LANGUAGES)}).", file=sys.stderr)
        return None
    return code


def add_reader_command(args: argparse.Namespace) -> int:
    """Give someone the reader role: they may record the course aloud in this language."""
    language = _reader_language(args.language)
    if language is None:
        return 2
    added = _run(lambda db: readers.add(db, args.telegram_id, language))
    state = "is now" if added else "was already"
    print(f"{args.telegram_id} {state} a reader of {language}: /record in Telegram starts.")
    return 0


def list_readers_command(args: argparse.Namespace) -> int:
    print("telegram id  language  added (UTC)")
    for reader in _run(readers.list_readers):
        print(f"{reader.telegram_id}  {reader.language}  {reader.added_at:%Y-%m-%d %H:%M}")
    return 0


def remove_reader_command(args: argparse.Namespace) -> int:
    language = _reader_language(args.language)
    if language is None:
        return 2
    if not _run(lambda db: readers.remove(db, args.telegram_id, language)):
        print(f"{args.telegram_id} is no reader of {language}.", file=sys.stderr)
        return 1
    print(f"{args.telegram_id} reads {language} no more; their recordings stay.")
    return 0
