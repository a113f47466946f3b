"""One reader's language: UI strings, lesson texts, plurals, dates and direction.

Lesson texts fall back from the reader's language to English to the Swedish
source. English comes second because it is the second language most
participants have met; Swedish is always there, since it is the source. A
lesson text is looked up by its Swedish wording under its id path as context,
so when a trainer rewords a text its old translation no longer matches and the
fallback is shown until a translator has checked it.

The translator knows which language each text came from, so direction follows
the text, not the reader: for a right-to-left reader a text in their language
gets its Latin runs and commands isolated, and a Swedish or English fallback is
isolated as left to right (bot/i18n/text.py). UI strings come marked this way
from ``_`` and ``ngettext``; lesson texts from ``lesson_shown`` (``lesson``
gives the bare text, for button labels and reports).
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from babel.support import Translations

from bot.course.model import Text
from bot.i18n.catalogs import LESSONS_DOMAIN, UI_DOMAIN
from bot.i18n.languages import SOURCE, is_rtl
from bot.i18n.text import isolate, isolate_latin, isolate_latin_template, isolate_ltr, paragraph

FALLBACK = "en"
UI_SOURCE = "en"  # UI msgids are English; lesson msgids are the Swedish source

Chain = tuple[tuple[str, gettext.GNUTranslations], ...]
"""Catalogs in the order they are tried, each with its language and without fallbacks."""


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


class Translator:
    def __init__(
        self,
        language: str,
        ui: Chain,
        lessons: Chain,
    ):
        self.language = language
        self.rtl = is_rtl(language)
        self._ui = ui
        self._lessons = lessons

    # ------------------------------------------------------------ looking up

    def _found(self, chain: Chain, key: str) -> tuple[str, str] | None:
        for code, catalog in chain:
            found = _messages(catalog).get(key)
            if found:
                return found, code
        return None

    def _marked(self, text: str, code: str, template: bool) -> str:
        """The text ready for this reader's chat, by the direction of the language it is in."""
        if not self.rtl:
            return text
        if not is_rtl(code):
            return isolate_ltr(text)
        return isolate_latin_template(text) if template else isolate_latin(text)

    def ui_language(self, message: str) -> str:
        """The language a UI string is shown in: the reader's, or a fallback's."""
        found = self._found(self._ui, message)
        return UI_SOURCE if found is None else found[1]

    def _(self, message: str) -> str:
        text, code = self._found(self._ui, message) or (message, UI_SOURCE)
        return self._marked(text, code, template=True)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        for code, catalog in self._ui:
            found = _messages(catalog).get((singular, _plural(catalog, n)))
            if found:
                return self._marked(found, code, template=True)
        return self._marked(singular if n == 1 else plural, UI_SOURCE, template=True)

    def lesson(self, text: Text) -> str:
        """The bare lesson text in the best language there is (for buttons and reports)."""
        return self.lesson_found(text)[0]

    def lesson_found(self, text: Text) -> tuple[str, str]:
        """The lesson text and the language it is in: the reader's, English or Swedish."""
        return self._found(self._lessons, f"{text.key}\x04{text.sv}") or (text.sv, SOURCE)

    def lesson_shown(self, text: Text) -> str:
        """The lesson text marked for this reader's chat (see the module docstring)."""
        found, code = self.lesson_found(text)
        return self._marked(found, code, template=False)

    # ------------------------------------------------------------ the rest

    def term(self, swedish: str) -> str:
        """A Swedish word kept as it is, isolated inside right-to-left text."""
        return isolate(swedish, self.rtl)

    def message(self, text: str) -> str:
        return paragraph(text, self.rtl)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="d MMMM", locale=self.language)

    def full_date(self, day: dt.date) -> str:
        """A date with its year, in the reader's way of writing dates."""
        return format_date(day, format="long", locale=self.language)

    def listing(self, items: Sequence[str]) -> str:
        """ "a, b and c", joined the reader's way (Arabic commas, Swedish "och")."""
        return format_list(list(items), style="standard", locale=self.language)

    def either(self, items: Sequence[str]) -> str:
        """ "a photo or a file", joined the reader's way."""
        return format_list(list(items), style="or", locale=self.language)


def _messages(catalog: gettext.GNUTranslations) -> dict[Any, str]:
    """The compiled messages themselves, so a missing one is told from a translated one."""
    messages: dict[Any, str] = getattr(catalog, "_catalog", {})
    return messages


def _plural(catalog: gettext.GNUTranslations, n: int) -> int:
    """Which plural form the catalog's language uses for ``n`` (its Plural-Forms header)."""
    rule = getattr(catalog, "plural", lambda count: int(count != 1))
    return int(rule(n))


def _chain(locales: Path, language: str, domain: str) -> Chain:
    codes = [language] + [fb for fb in (FALLBACK,) if fb != language and language != SOURCE]
    chain = []
    for code in codes:
        loaded = _catalog(locales, code, domain)
        if loaded is not None:
            chain.append((code, loaded))
    return tuple(chain)


@cache
def _catalog(locales: Path, code: str, domain: str) -> Translations | None:
    """One language's compiled catalog, read once: English is every other chain's fallback,
    and each language's translator would otherwise keep a copy of its own."""
    loaded = Translations.load(str(locales), [code], domain)
    return loaded if isinstance(loaded, Translations) else None


@cache
def translator(locales: Path, language: str) -> Translator:
    """The cached translator for a language (catalogs are read once per process)."""
    return Translator(
        language, _chain(locales, language, UI_DOMAIN), _chain(locales, language, LESSONS_DOMAIN)
    )


def reset_cache() -> None:
    """Forget loaded catalogs, after they were recompiled (the preview's live reload)."""
    translator.cache_clear()
    _catalog.cache_clear()
