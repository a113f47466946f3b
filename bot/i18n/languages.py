"""The languages the bot speaks, named as their readers name them (Babel's CLDR data)."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError

SOURCE = "sv"
LANGUAGES: tuple[str, ...] = ("sv", "en", "ar", "so", "ti", "fa", "uk")

# Dari speakers read Persian text; the picker says so in the name they know.
_NAME_OVERRIDES = {"fa": "دری / فارسی"}

# CLDR's name and direction of each language the bot speaks, written out: asking Babel
# for them loads that language's whole CLDR data, some 1.5 MB each and 10 MB of the
# bot's memory for the seven, for a word and a flag. tests/test_i18n.py checks them
# against Babel; another code is asked of Babel.
NATIVE_NAMES = {
    "sv": "svenska",
    "en": "English",
    "ar": "العربية",
    "so": "Soomaali",
    "ti": "ትግርኛ",
    "fa": "دری / فارسی",
    "uk": "українська",
}
RIGHT_TO_LEFT = frozenset({"ar", "fa"})


@cache
def native_name(code: str) -> str:
    if code in NATIVE_NAMES:
        return NATIVE_NAMES[code]
    return cldr_native_name(code)


def cldr_native_name(code: str) -> str:
    """The language's name for itself in Babel's CLDR data (capitalised as a picker shows it)."""
    name = _NAME_OVERRIDES.get(code) or Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:] if code not in ("sv", "uk") else name


@cache
def is_rtl(code: str) -> bool:
    if code in NATIVE_NAMES:
        return code in RIGHT_TO_LEFT
    return cldr_is_rtl(code)


def cldr_is_rtl(code: str) -> bool:
    """Whether Babel's CLDR data writes the language right to left."""
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
