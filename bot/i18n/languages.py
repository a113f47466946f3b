"""The languages the bot speaks, named as their readers name them (Babel's CLDR data)."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError

SOURCE = "sv"
LANGUAGES: tuple[str, ...] = ("sv", "en", "ar", "so", "ti", "fa", "uk")

# Dari speakers read Persian text; the picker says so in the name they know.
_NAME_OVERRIDES = {"fa": "دری / فارسی"}


@cache
def native_name(code: str) -> str:
    name = _NAME_OVERRIDES.get(code) or Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:] if code not in ("sv", "uk") else name


@cache
def is_rtl(code: str) -> bool:
    try:
        return Locale.parse(code).text_direction == "rtl"
    except (UnknownLocaleError, ValueError):
        return False


def choose_language(telegram_code: str | None) -> str:
    """The supported language closest to Telegram's language_code (``prs`` is Dari)."""
    if not telegram_code:
        return SOURCE
    base = telegram_code.replace("_", "-").split("-")[0].lower()
    base = {"prs": "fa", "per": "fa", "ukr": "uk"}.get(base, base)
    return base if base in LANGUAGES else SOURCE
