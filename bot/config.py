"""Settings read once from the environment (and a .env file beside the project)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

TELEGRAM_API = "https://api.telegram.org/bot"


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it and says what it should be."""


def database_address(text: str) -> Path | str:
    """DATABASE as given: a PostgreSQL URL stays text, anything else is an SQLite file."""
    if text.startswith(("postgresql://", "postgres://")):
        return text
    return Path(text)


@dataclass(frozen=True, slots=True)
class Settings:
    bot_token: str | None
    bot_api_url: str = TELEGRAM_API
    # An SQLite file, or a postgresql:// URL (kept as text).
    database: Path | str = Path("data/bot.sqlite3")
    lessons_dir: Path = Path("lessons")
    locales_dir: Path = Path("locales")
    media_dir: Path = Path("data/media")  # built media: the PNGs of SVG pictures
    webhook_url: str | None = None
    webhook_secret: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    timezone: str = "Europe/Stockholm"
    retention_months: int = 12
    quiet_days: int = 7
    quiet_hours: str = "21:00-08:00"
    """Local hours in which nothing is sent unasked (QUIET_HOURS)."""
    bot_messages_per_second: float = 30.0
    chat_messages_per_second: float = 1.0
    # How long one Bot API call may take (seconds), and the first pause before a
    # failed send is tried again (it doubles with each try, with jitter).
    telegram_timeout: float = 10.0
    send_retry_delay: float = 0.5
    # None: learned from Telegram (getMe) at start. Set, it must match what Telegram says.
    bot_username: str | None = None
    # Without a token the bot runs in the local preview, on its own file, so trying
    # things out never touches the participants' database.
    preview_database: Path = Path("data/preview.sqlite3")
    health_port: int | None = None
    health_host: str = "127.0.0.1"
    admin_chat_id: int | None = None
    backup_dir: Path | None = None
    backup_keep: int = 7

    @property
    def base_file_url(self) -> str:
        return self.bot_api_url.removesuffix("/bot") + "/file/bot"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines; blank lines and # comments are skipped, quotes are stripped."""
    if not path.exists():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path = Path(".env")
) -> Settings:
    """The environment wins over .env, so an operator can override a file on disk."""
    env = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
    backup_dir = env.get("BACKUP_DIR") or None
    return Settings(
        bot_token=env.get("BOT_TOKEN") or None,
        bot_api_url=env.get("BOT_API_URL", TELEGRAM_API),
        database=database_address(env.get("DATABASE", "data/bot.sqlite3")),
        lessons_dir=Path(env.get("LESSONS_DIR", "lessons")),
        locales_dir=Path(env.get("LOCALES_DIR", "locales")),
        media_dir=Path(env.get("MEDIA_DIR", "data/media")),
        webhook_url=env.get("WEBHOOK_URL") or None,
        webhook_secret=env.get("WEBHOOK_SECRET") or None,
        host=env.get("HOST", "127.0.0.1"),
        port=_number(env, "PORT", int, 8080),
        timezone=env.get("TZ_NAME", "Europe/Stockholm"),
        retention_months=_number(env, "RETENTION_MONTHS", int, 12),
        quiet_days=_number(env, "QUIET_DAYS", int, 7),
        quiet_hours=env.get("QUIET_HOURS", "21:00-08:00"),
        bot_messages_per_second=_number(env, "BOT_MESSAGES_PER_SECOND", float, 30.0),
        chat_messages_per_second=_number(env, "CHAT_MESSAGES_PER_SECOND", float, 1.0),
        telegram_timeout=_number(env, "TELEGRAM_TIMEOUT", float, 10.0),
        send_retry_delay=_number(env, "SEND_RETRY_DELAY", float, 0.5),
        bot_username=(env.get("BOT_USERNAME") or "").lstrip("@") or None,
        preview_database=Path(env.get("PREVIEW_DATABASE", "data/preview.sqlite3")),
        health_port=_optional_int(env, "HEALTH_PORT"),
        health_host=env.get("HEALTH_HOST", "127.0.0.1"),
        admin_chat_id=_optional_int(env, "ADMIN_CHAT_ID"),
        backup_dir=Path(backup_dir) if backup_dir else None,
        backup_keep=_number(env, "BACKUP_KEEP", int, 7),
    )


N = TypeVar("N", int, float)


def _number(env: Mapping[str, str], name: str, kind: type[N], default: N) -> N:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number ({kind.__name__})") from None


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    return _number(env, name, int, 0) if env.get(name, "").strip() else None
