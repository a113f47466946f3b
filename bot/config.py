"""Settings read once from the environment (and a .env file beside the project)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TELEGRAM_API = "https://api.telegram.org/bot"


@dataclass(frozen=True, slots=True)
class Settings:
    bot_token: str | None
    bot_api_url: str = TELEGRAM_API
    database: Path = Path("data/bot.sqlite3")
    lessons_dir: Path = Path("lessons")
    locales_dir: Path = Path("locales")
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
    bot_username: str = "rakna_med_mig_bot"

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
    return Settings(
        bot_token=env.get("BOT_TOKEN") or None,
        bot_api_url=env.get("BOT_API_URL", TELEGRAM_API),
        database=Path(env.get("DATABASE", "data/bot.sqlite3")),
        lessons_dir=Path(env.get("LESSONS_DIR", "lessons")),
        locales_dir=Path(env.get("LOCALES_DIR", "locales")),
        webhook_url=env.get("WEBHOOK_URL") or None,
        webhook_secret=env.get("WEBHOOK_SECRET") or None,
        host=env.get("HOST", "127.0.0.1"),
        port=int(env.get("PORT", "8080")),
        timezone=env.get("TZ_NAME", "Europe/Stockholm"),
        retention_months=int(env.get("RETENTION_MONTHS", "12")),
        quiet_days=int(env.get("QUIET_DAYS", "7")),
        quiet_hours=env.get("QUIET_HOURS", "21:00-08:00"),
        bot_messages_per_second=float(env.get("BOT_MESSAGES_PER_SECOND", "30")),
        chat_messages_per_second=float(env.get("CHAT_MESSAGES_PER_SECOND", "1")),
        bot_username=env.get("BOT_USERNAME", "rakna_med_mig_bot").lstrip("@"),
    )
