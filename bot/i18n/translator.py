"""One reader's language: UI strings, lesson texts, plurals, dates and direction.

Lesson texts fall back from the reader's language to English to the Swedish
source. English comes second because it is the second language most
participants have met; Swedish is always there, since it is the source. A
lesson text is looked up by its Swedish wording under its id path as context,
so when a trainer rewords a text its old translation no longer matches and the
fallback is shown until a translator has checked it.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.support import NullTranslations, Translations

from bot.course.model import Text
from bot.i18n.catalogs import LESSONS_DOMAIN, UI_DOMAIN
from bot.i18n.languages import SOURCE, is_rtl
from bot.i18n.text import isolate, paragraph

FALLBACK = "en"


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


class Translator:
    def __init__(
        self, language: str, ui: gettext.NullTranslations, lessons: gettext.NullTranslations
    ):
        self.language = language
        self.rtl = is_rtl(language)
        self._ui = ui
        self._lessons = lessons

    def _(self, message: str) -> str:
        return self._ui.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._ui.ngettext(singular, plural, n)

    def lesson(self, text: Text) -> str:
        return self._lessons.pgettext(text.key, text.sv)

    def term(self, swedish: str) -> str:
        """A Swedish word kept as it is, isolated inside right-to-left text."""
        return isolate(swedish, self.rtl)

    def message(self, text: str) -> str:
        return paragraph(text, self.rtl)

    def date(self, day: date) -> str:
        return format_date(day, format="d MMMM", locale=self.language)


def _load(locales: Path, language: str, domain: str) -> gettext.NullTranslations:
    chain = [language] + [fb for fb in (FALLBACK,) if fb != language and language != SOURCE]
    found: gettext.NullTranslations = NullTranslations()
    for code in reversed(chain):
        loaded = Translations.load(str(locales), [code], domain)
        if isinstance(loaded, Translations):
            loaded.add_fallback(found)
            found = loaded
    return found


@cache
def translator(locales: Path, language: str) -> Translator:
    """The cached translator for a language (catalogs are read once per process)."""
    return Translator(
        language, _load(locales, language, UI_DOMAIN), _load(locales, language, LESSONS_DOMAIN)
    )


def reset_cache() -> None:
    """Forget loaded catalogs, after they were recompiled (the preview's live reload)."""
    translator.cache_clear()
