"""The command line: one parser, each subcommand handled by the module that owns it.

Handlers are imported when their subcommand runs, so `lessons check` starts fast
and does not load Telegram or the database.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def _lazy(target: str) -> Handler:
    """A handler that imports ``module:function`` only when it is called."""
    module_name, function_name = target.split(":")

    def run(args: argparse.Namespace) -> int:
        function: Handler = getattr(importlib.import_module(module_name), function_name)
        return function(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (Telegram with BOT_TOKEN, else preview)")
    run.set_defaults(handler=_lazy("bot.app:run_command"))

    emulator = commands.add_parser("emulator", help="run the local Bot API emulator alone")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8081)
    emulator.add_argument("--bot-name", help="the bot's name in getMe (Räkna med mig)")
    emulator.add_argument("--bot-username", help="the bot's username in getMe (rakna_med_mig_bot)")
    emulator.set_defaults(handler=_lazy("bot.emulator.server:run_command"))

    lessons = commands.add_parser("lessons", help="check, extract and measure the lessons")
    lesson_commands = lessons.add_subparsers(dest="lessons_command", required=True)
    check = lesson_commands.add_parser("check", help="list every problem in the lesson files")
    check.add_argument("directory", nargs="?", default="lessons")
    check.set_defaults(handler=_lazy("bot.authoring.check:check_command"))
    extract = lesson_commands.add_parser("extract", help="write locales/lessons.pot")
    extract.add_argument("directory", nargs="?", default="lessons")
    extract.add_argument("--locales", default="locales")
    extract.set_defaults(handler=_lazy("bot.i18n.lessons:extract_command"))
    coverage = lesson_commands.add_parser("coverage", help="translated, fuzzy and missing")
    coverage.add_argument("directory", nargs="?", default="lessons")
    coverage.add_argument("--locales", default="locales")
    coverage.add_argument("--min", type=float, default=None, help="exit 1 below this percent")
    coverage.add_argument("--media", default=None, help="the recordings' MEDIA_DIR")
    coverage.set_defaults(handler=_lazy("bot.i18n.coverage:coverage_command"))

    media = commands.add_parser("media", help="build the media the lessons use")
    media_commands = media.add_subparsers(dest="media_command", required=True)
    build = media_commands.add_parser("build", help="render the pictures, make the voice notes")
    build.add_argument("directory", nargs="?", default=None, help="default: LESSONS_DIR")
    build.add_argument("--media", default=None, help="default: MEDIA_DIR")
    build.add_argument(
        "--audio", default=None, help="languages to speak: all (default), none, or sv,en,…"
    )
    build.add_argument("--workers", type=int, default=None, help="voice notes made at once")
    build.set_defaults(handler=_lazy("bot.media.build:build_command"))
    export = media_commands.add_parser("export", help="copy recordings to lessons/media/audio")
    export.add_argument("directory", nargs="?", default=None, help="default: LESSONS_DIR")
    export.add_argument("--media", default=None, help="default: MEDIA_DIR")
    export.set_defaults(handler=_lazy("bot.media.build:export_command"))

    i18n = commands.add_parser("i18n", help="translation catalogs")
    i18n_commands = i18n.add_subparsers(dest="i18n_command", required=True)
    compile_ = i18n_commands.add_parser("compile", help="compile locales/*/LC_MESSAGES/*.po")
    compile_.add_argument("--locales", default="locales")
    compile_.set_defaults(handler=_lazy("bot.i18n.catalogs:compile_command"))
    update = i18n_commands.add_parser("update", help="extract the UI strings and update .po")
    update.add_argument("--locales", default="locales")
    update.set_defaults(handler=_lazy("bot.i18n.catalogs:update_command"))

    groups = commands.add_parser("groups", help="create and list groups of participants")
    group_commands = groups.add_subparsers(dest="groups_command", required=True)
    create = group_commands.add_parser("create", help="create a group (an intake)")
    create.add_argument("--name", required=True)
    create.add_argument("--start", required=True, help="YYYY-MM-DD")
    create.add_argument("--self-paced", action="store_true")
    create.set_defaults(handler=_lazy("bot.admin:create_group_command"))
    list_ = group_commands.add_parser("list", help="list the groups")
    list_.set_defaults(handler=_lazy("bot.admin:list_groups_command"))
    end = group_commands.add_parser("end", help="end a group's course")
    end.add_argument("--group", required=True)
    end.set_defaults(handler=_lazy("bot.admin:end_group_command"))
    rename = group_commands.add_parser("rename", help="give a group a new name")
    rename.add_argument("--group", required=True)
    rename.add_argument("--to", required=True)
    rename.set_defaults(handler=_lazy("bot.admin:rename_group_command"))

    coaches = commands.add_parser("coaches", help="list and remove coaches")
    coach_commands = coaches.add_subparsers(dest="coaches_command", required=True)
    coach_list = coach_commands.add_parser("list", help="the coaches and the groups they follow")
    coach_list.set_defaults(handler=_lazy("bot.admin:list_coaches_command"))
    remove = coach_commands.add_parser("remove", help="remove a coach, or only from one group")
    remove.add_argument("--coach", required=True, type=int, help="the id from `coaches list`")
    remove.add_argument("--group", default=None)
    remove.set_defaults(handler=_lazy("bot.admin:remove_coach_command"))

    invite_links = commands.add_parser("invites", help="list and revoke invite links")
    invite_link_commands = invite_links.add_subparsers(dest="invites_command", required=True)
    invite_list = invite_link_commands.add_parser("list", help="the invites still stored")
    invite_list.add_argument("--group", default=None)
    invite_list.set_defaults(handler=_lazy("bot.admin:list_invites_command"))
    revoke = invite_link_commands.add_parser("revoke", help="make an invite link open nothing")
    revoke.add_argument("--code", required=True, help="the code column of `invites list`")
    revoke.set_defaults(handler=_lazy("bot.admin:revoke_invite_command"))

    audit = commands.add_parser("audit", help="every coach action (administrators only)")
    audit.add_argument("--since", default=None, help="YYYY-MM-DD")
    audit.set_defaults(handler=_lazy("bot.admin:audit_command"))

    reader_parser = commands.add_parser("readers", help="who may record the course aloud")
    reader_commands = reader_parser.add_subparsers(dest="readers_command", required=True)
    for name, verb in (("add", "give"), ("remove", "take")):
        sub = reader_commands.add_parser(name, help=f"{verb} the reader role for a language")
        sub.add_argument("telegram_id", type=int)
        sub.add_argument("language", help="sv, en, ar, so, ti, fa or uk")
        sub.set_defaults(handler=_lazy(f"bot.admin:{name}_reader_command"))
    reader_list = reader_commands.add_parser("list", help="the readers and their languages")
    reader_list.set_defaults(handler=_lazy("bot.admin:list_readers_command"))

    invite = commands.add_parser("invite", help="make invitation links")
    invite_commands = invite.add_subparsers(dest="invite_command", required=True)
    coach = invite_commands.add_parser("coach", help="a single-use link for a coach")
    coach.add_argument("--group", required=True)
    coach.add_argument("--qr", default=None, help="where to write the QR code PNG")
    coach.set_defaults(handler=_lazy("bot.admin:invite_coach_command"))

    backup = commands.add_parser("backup", help="copy the database, safely while the bot runs")
    backup.add_argument("path", help="the new backup file")
    backup.set_defaults(handler=_lazy("bot.ops.backup:backup_command"))
    restore = commands.add_parser("restore", help="put a backup in place (the bot stopped)")
    restore.add_argument("path", help="the backup file to restore")
    restore.set_defaults(handler=_lazy("bot.ops.backup:restore_command"))

    db = commands.add_parser("db", help="move the database between SQLite and PostgreSQL")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    copy = db_commands.add_parser("copy", help="copy every row into an empty database, verified")
    copy.add_argument("source", help="an SQLite file or a postgresql:// URL")
    copy.add_argument("target", help="an SQLite file or a postgresql:// URL, empty")
    copy.set_defaults(handler=_lazy("bot.ops.copy:copy_command"))

    doctor = commands.add_parser("doctor", help="check settings, course, database and Telegram")
    doctor.set_defaults(handler=_lazy("bot.ops.doctor:doctor_command"))
    jobs = commands.add_parser("jobs", help="the scheduler: reminders, digests, alerts")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    run_due = job_commands.add_parser("run-due", help="send what is due now (for cron)")
    run_due.add_argument("--now", default=None, help="ISO-8601 time to run for (tests)")
    run_due.set_defaults(handler=_lazy("bot.jobs:run_due_command"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
