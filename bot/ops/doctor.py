"""`python -m bot doctor`: what is wrong with this installation, in plain words.

Each check looks at one thing an operator can fix (a setting, the lessons, the
catalogs, the database, the token, the webhook, the fonts, the time zone) and
says what it found. Exit 1 when any of them found a problem, so a deploy script
can stop before the bot does.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Bot, WebhookInfo
from telegram.error import InvalidToken, TelegramError

from bot.clock import utc_now
from bot.config import Settings, SettingsError, load_settings
from bot.course.loader import CourseError, load_course
from bot.course.model import Course
from bot.i18n.catalogs import po_files
from bot.i18n.languages import LANGUAGES
from bot.i18n.lint import lint_catalogs
from bot.ops.backup import bot_is_running, inspect
from bot.ops.identity import IdentityError, check_username
from bot.storage import open_database
from bot.storage.database import DatabaseFault, is_postgresql, load_migrations
from bot.storage.sqlite import check_files

Level = Literal["ok", "note", "problem"]
# Scripts whose letters the coach's chart must draw, and the fontconfig language that has them.
FONT_LANGUAGES = {"Arabic (ar, fa)": "ar", "Ethiopic (ti)": "ti"}
PENDING_UPDATES_WORRY = 100


@dataclass(frozen=True, slots=True)
class Finding:
    area: str
    level: Level
    text: str

    def __str__(self) -> str:
        mark = {"ok": "ok     ", "note": "note   ", "problem": "PROBLEM"}[self.level]
        return f"{mark} {self.area}: {self.text}"


def ok(area: str, text: str) -> Finding:
    return Finding(area, "ok", text)


def note(area: str, text: str) -> Finding:
    return Finding(area, "note", text)


def problem(area: str, text: str) -> Finding:
    return Finding(area, "problem", text)


# ------------------------------------------------------------------ the checks


def check_settings(settings: Settings) -> list[Finding]:
    found = []
    if settings.bot_token is None:
        found.append(note("settings", "BOT_TOKEN is not set: `make run` starts the local preview"))
    if settings.webhook_url is not None:
        if not settings.webhook_url.startswith("https://"):
            found.append(problem("settings", "WEBHOOK_URL must start with https://"))
        if settings.webhook_secret is None:
            found.append(
                problem("settings", "WEBHOOK_SECRET is not set: anyone could post fake updates")
            )
    if settings.backup_dir is None:
        found.append(note("settings", "BACKUP_DIR is not set: no nightly backup is made"))
    elif not is_postgresql(settings.database) and (
        settings.backup_dir.resolve() == Path(settings.database).parent.resolve()
    ):
        found.append(note("settings", "BACKUP_DIR is the database's own folder: use another disk"))
    if settings.health_port is None:
        found.append(note("settings", "HEALTH_PORT is not set: no /healthz or /metrics"))
    if not found or all(f.level != "problem" for f in found):
        found.append(ok("settings", "readable"))
    return found


def check_course(settings: Settings) -> tuple[list[Finding], Course | None]:
    try:
        course = load_course(settings.lessons_dir)
    except CourseError as error:
        first = "; ".join(str(p) for p in error.problems[:3])
        more = len(error.problems)
        return [problem("lessons", f"{more} error(s) in {settings.lessons_dir}: {first}")], None
    except OSError as error:
        return [problem("lessons", f"cannot read {settings.lessons_dir}: {error.strerror}")], None
    return [ok("lessons", f"{len(course.weeks)} weeks load cleanly")], course


def check_catalogs(settings: Settings, course: Course | None) -> list[Finding]:
    found = []
    present = {po.parts[-3] for po in po_files(settings.locales_dir)}
    missing = sorted(set(LANGUAGES) - present - {"sv"})
    if missing:
        found.append(problem("catalogs", f"no translations for {', '.join(missing)}"))
    stale = [po for po in po_files(settings.locales_dir) if not _compiled(po)]
    if stale:
        found.append(
            problem(
                "catalogs", f"{len(stale)} catalog(s) not compiled: `python -m bot i18n compile`"
            )
        )
    if course is not None:
        errors = [p for p in lint_catalogs(course, settings.locales_dir) if p.severity == "error"]
        if errors:
            found.append(problem("catalogs", f"{len(errors)} error(s), first: {errors[0]}"))
    return found or [ok("catalogs", f"{len(present)} languages, compiled and clean")]


def _compiled(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


async def check_postgresql(url: str) -> list[Finding]:
    """Connect (which migrates, as the bot's start would) and report the schema version."""
    try:
        async with await open_database(url) as db:
            versions = await db.schema_versions()
    except DatabaseFault as error:
        return [problem("database", str(error))]
    return [ok("database", f"PostgreSQL answers, schema version {max(versions, default=0)}")]


def check_database(settings: Settings) -> list[Finding]:
    path = Path(settings.database)
    if not path.exists():
        return [note("database", f"{path} does not exist yet: the bot creates it at start")]
    try:
        check_files(path)
    except DatabaseFault as error:
        return [problem("database", str(error))]
    verdict = inspect(path)
    if not verdict.ok:
        return [problem("database", p) for p in verdict.problems]
    newest = max(m.version for m in load_migrations())
    found = [ok("database", f"{path}: integrity ok, schema version {verdict.schema_version}")]
    if verdict.schema_version < newest:
        found.append(note("database", f"migrations up to {newest} are applied at the next start"))
    running = "a bot is running on it" if bot_is_running(path) else "no bot is running on it"
    found.append(note("database", running))
    return found


async def check_telegram(settings: Settings) -> list[Finding]:
    if settings.bot_token is None:
        return [note("telegram", "no token, so Telegram is not asked")]
    bot = Bot(settings.bot_token, base_url=settings.bot_api_url)
    try:
        async with bot:  # initialize() asks getMe
            found = [_identity(settings, bot.username)]
            found += _webhook(settings, await bot.get_webhook_info())
    except InvalidToken:
        return [problem("telegram", "Telegram refused BOT_TOKEN: copy it from @BotFather again")]
    except TelegramError as error:
        return [problem("telegram", f"Telegram cannot be reached: {error}")]
    return found


def _identity(settings: Settings, username: str) -> Finding:
    try:
        check_username(settings, username)
    except IdentityError as error:
        return problem("telegram", str(error))
    return ok("telegram", f"the token is @{username}'s; invitation links use that name")


def _webhook(settings: Settings, info: WebhookInfo) -> list[Finding]:
    found = []
    if settings.webhook_url is None and info.url:
        found.append(note("webhook", f"a webhook is set ({info.url}); polling removes it"))
    elif settings.webhook_url is not None and info.url != settings.webhook_url:
        found.append(note("webhook", "Telegram's webhook is not WEBHOOK_URL yet: the bot sets it"))
    pending = info.pending_update_count
    if pending > PENDING_UPDATES_WORRY:
        found.append(problem("webhook", f"{pending} updates are waiting: is the bot running?"))
    if info.last_error_message:
        when = info.last_error_date or datetime.fromtimestamp(0, UTC)
        found.append(
            problem(
                "webhook",
                f"Telegram's last delivery failed at {when:%Y-%m-%d %H:%M} UTC:"
                f" {info.last_error_message}",
            )
        )
    return found or [ok("webhook", f"{pending} update(s) waiting, no delivery errors")]


def check_fonts() -> list[Finding]:
    if shutil.which("fc-list") is None:
        return [
            problem(
                "fonts",
                "fontconfig is missing: coach charts cannot draw Arabic or Tigrinya names"
                " (apt-get install --no-install-recommends fontconfig fonts-noto-core)",
            )
        ]
    found = []
    for script, language in FONT_LANGUAGES.items():
        listed = subprocess.run(
            ["fc-list", f":lang={language}", "family"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if "noto" not in listed.lower():
            found.append(
                problem(
                    "fonts",
                    f"no Noto font for {script}: apt-get install --no-install-recommends"
                    " fonts-noto-core",
                )
            )
    return found or [ok("fonts", "Noto fonts for Arabic and Ethiopic are installed")]


def check_speech() -> list[Finding]:
    """Synthetic voice notes need espeak-ng and opusenc; without them only recordings play."""
    from bot.media import synthetic
    from bot.media.speech import SYNTHETIC_VOICES

    if not synthetic.available():
        return [
            note(
                "voice",
                "espeak-ng or opusenc is missing: only recorded voice notes can be played"
                " (apt-get install --no-install-recommends espeak-ng opus-tools)",
            )
        ]
    silent = [language for language in SYNTHETIC_VOICES if not synthetic.speaks(language)]
    if silent:
        return [problem("voice", f"espeak-ng has no voice for {', '.join(silent)}")]
    return [ok("voice", f"espeak-ng speaks {', '.join(SYNTHETIC_VOICES)}; opusenc encodes")]


def check_timezone(settings: Settings) -> list[Finding]:
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return [
            problem(
                "time zone", f"TZ_NAME={settings.timezone!r} is not a time zone (Europe/Stockholm?)"
            )
        ]
    local = utc_now().astimezone(zone)
    return [ok("time zone", f"{settings.timezone}: it is {local:%Y-%m-%d %H:%M} there now")]


# ------------------------------------------------------------------ all of them


async def diagnose(settings: Settings) -> list[Finding]:
    found = check_settings(settings)
    course_found, course = check_course(settings)
    found += course_found
    found += check_catalogs(settings, course)
    if is_postgresql(settings.database):
        found += await check_postgresql(str(settings.database))
    else:
        found += check_database(settings)
    found += await check_telegram(settings)
    found += check_fonts()
    found += check_speech()
    found += check_timezone(settings)
    return found


def doctor_command(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(problem("settings", str(error)))
        return 1
    return report(asyncio.run(diagnose(settings)))


def report(found: list[Finding], out: Callable[[str], object] = print) -> int:
    for finding in found:
        out(str(finding))
    problems = sum(f.level == "problem" for f in found)
    out(f"{problems} problem(s)." if problems else "No problems found.")
    return 1 if problems else 0
