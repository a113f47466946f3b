"""`python -m bot lessons coverage`: how much is translated, per language.

A catalog alone cannot say how complete a translation is: an entry translated
long ago may belong to a Swedish text a trainer has since reworded, and a new
step has no entry until someone runs ``lessons extract``. The lesson figures are
therefore measured against the course as it is now (``load_course`` →
``lesson_messages``): a context the catalog lacks is missing, and an entry whose
msgid is no longer the current Swedish text is fuzzy, since the bot will not
show it (it looks texts up by their current wording). The UI figures are
measured against ``locales/bot.pot``, the strings the code marks today.

The figures are what a reader sees, so the rules follow the bot's lookups:

- fuzzy entries are never compiled, so they count as fuzzy however good they are;
- a plural entry is done only when every form is filled in;
- for the ``en`` UI catalog an empty (or absent) translation counts as done: the
  UI msgids are written in English, and gettext shows the msgid itself when
  there is no translation, which is exactly the English text;
- Swedish is the source of the lessons (no catalog, shown as "(source)") but a
  target of the UI, whose msgids are English, so ``sv`` has UI figures.

The audio figures count cards (steps and questions) per language, by what 🔊 would
play once the catalogs are compiled: a human recording of the card's current
wording, else synthetic speech (espeak-ng speaks the language and the card is
translated into it), else nothing (missing: no button).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from bot.course.loader import CourseError, load_course
from bot.course.model import Course, Text
from bot.i18n.catalogs import LESSONS_DOMAIN, UI_DOMAIN, read_catalog
from bot.i18n.languages import LANGUAGES, SOURCE
from bot.i18n.lessons import lesson_messages
from bot.media.speech import SYNTHETIC_VOICES, VoiceStore, cards, script_for

ENGLISH = "en"


class State(StrEnum):
    DONE = "done"
    FUZZY = "fuzzy"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Counts:
    """Texts translated, fuzzy (not shown until checked) and missing, in one catalog."""

    done: int = 0
    fuzzy: int = 0
    missing: int = 0

    @classmethod
    def of(cls, states: Iterable[State]) -> Counts:
        listed = list(states)
        return cls(*(listed.count(state) for state in (State.DONE, State.FUZZY, State.MISSING)))

    @property
    def total(self) -> int:
        return self.done + self.fuzzy + self.missing

    @property
    def percent(self) -> float:
        """The share done; 100 when there is nothing to translate."""
        return 100.0 * self.done / self.total if self.total else 100.0

    def shown_percent(self) -> str:
        """Rounded down, so a catalog with one text left never reads "100.0 %"."""
        tenths = self.done * 1000 // self.total if self.total else 1000
        return f"{tenths // 10}.{tenths % 10} %"


@dataclass(frozen=True, slots=True)
class LanguageCoverage:
    language: str
    lessons: Counts | None
    """None for the source language, which the lessons are written in."""
    ui: Counts

    def below(self, minimum: float) -> list[str]:
        """What falls below ``minimum`` percent, e.g. ``["UI 12.5 %"]``."""
        parts = [("lessons", self.lessons), ("UI", self.ui)]
        return [
            f"{name} {counts.shown_percent()}"
            for name, counts in parts
            if counts is not None and counts.percent < minimum
        ]


# One entry's state.


def lesson_state(message: Message | None, swedish: str) -> State:
    """A lesson text's state, given its catalog entry (by context) and its current Swedish."""
    if message is None or not _filled(message):
        return State.MISSING
    if message.fuzzy or message.id != swedish:
        return State.FUZZY
    return State.DONE


def ui_state(message: Message | None, language: str) -> State:
    """A UI string's state in one language (an empty ``en`` entry shows the English msgid)."""
    if language == ENGLISH and (message is None or not _any_filled(message)):
        return State.DONE
    if message is None or not _any_filled(message):
        return State.MISSING
    if message.fuzzy:
        return State.FUZZY
    return State.DONE if _filled(message) else State.MISSING


def _forms(message: Message) -> tuple[str, ...]:
    string = message.string
    if string is None:
        return ()
    return (string,) if isinstance(string, str) else tuple(string)


def _filled(message: Message) -> bool:
    forms = _forms(message)
    return bool(forms) and all(forms)


def _any_filled(message: Message) -> bool:
    return any(_forms(message))


# One catalog.


def lesson_coverage(course: Course, catalog: Catalog | None) -> Counts:
    """The lesson figures of one language's catalog (None: there is no catalog yet)."""
    entries: dict[str, list[Message]] = {}
    for message in catalog or ():
        if message.id and message.context:
            entries.setdefault(message.context, []).append(message)
    states = []
    for context, swedish in lesson_messages(course):
        candidates = entries.get(context, [])
        # A hand-merged catalog may hold a context twice; the current wording wins.
        current = next((m for m in candidates if m.id == swedish), None)
        states.append(lesson_state(current or next(iter(candidates), None), swedish))
    return Counts.of(states)


def ui_coverage(template: Catalog, catalog: Catalog | None, language: str) -> Counts:
    """The UI figures of one language's catalog against the template's entries."""
    states = [
        ui_state(None if catalog is None else catalog.get(message.id, message.context), language)
        for message in template
        if message.id
    ]
    return Counts.of(states)


# Every language.


def _catalog(locales: Path, language: str, domain: str) -> Catalog | None:
    path = locales / language / "LC_MESSAGES" / f"{domain}.po"
    return read_catalog(path, locale=language) if path.exists() else None


def ui_template(locales: Path) -> Catalog:
    path = locales / f"{UI_DOMAIN}.pot"
    return read_catalog(path) if path.exists() else Catalog(domain=UI_DOMAIN)


def measure(
    course: Course, locales: Path, languages: Sequence[str] = LANGUAGES
) -> list[LanguageCoverage]:
    template = ui_template(locales)
    return [
        LanguageCoverage(
            language,
            None
            if language == SOURCE
            else lesson_coverage(course, _catalog(locales, language, LESSONS_DOMAIN)),
            ui_coverage(template, _catalog(locales, language, UI_DOMAIN), language),
        )
        for language in languages
    ]


_HEADER = ("language", "lessons: done", "fuzzy", "missing", "UI: done", "fuzzy", "missing")
_WIDTHS = (10, 15, 7, 11, 10, 7, 0)


def table(rows: Sequence[LanguageCoverage]) -> str:
    """The coverage table, one line per language, in columns a terminal keeps aligned."""

    def line(cells: Sequence[str]) -> str:
        return "".join(cell.ljust(width) for cell, width in zip(cells, _WIDTHS, strict=True))

    lines = [line(_HEADER)]
    for row in rows:
        if row.lessons is None:
            lessons = ["(source)", "", ""]
        else:
            lessons = [
                row.lessons.shown_percent(),
                str(row.lessons.fuzzy),
                str(row.lessons.missing),
            ]
        ui = [row.ui.shown_percent(), str(row.ui.fuzzy), str(row.ui.missing)]
        lines.append(line([row.language, *lessons, *ui]).rstrip())
    return "\n".join(lines)


# Audio.


def _media_dir(args: argparse.Namespace) -> Path:
    """Where the readers' recordings are: --media, else MEDIA_DIR as the bot reads it."""
    if getattr(args, "media", None):
        return Path(args.media)
    from bot.config import load_settings

    return load_settings().media_dir


@dataclass(frozen=True, slots=True)
class AudioCounts:
    """Cards with a human recording, with synthetic speech only, and with no audio."""

    recorded: int = 0
    synthetic: int = 0
    missing: int = 0


class CatalogLookup:
    """Lesson texts as the compiled catalogs will give them, read from the .po files.

    The same fallback as the bot's translator (the language, then English, then the
    Swedish source) and the same rule: only an entry for the current wording, not
    fuzzy and filled in, is shown.
    """

    def __init__(self, language: str, locales: Path) -> None:
        self.language = language
        codes = [language] + [ENGLISH] * (language not in (ENGLISH, SOURCE))
        self._chain = [(code, _shown_entries(locales, code)) for code in codes if code != SOURCE]

    def lesson_found(self, text: Text) -> tuple[str, str]:
        for code, entries in self._chain:
            found = entries.get((text.key, text.sv))
            if found:
                return found, code
        return text.sv, SOURCE


def _shown_entries(locales: Path, language: str) -> dict[tuple[str, str], str]:
    catalog = _catalog(locales, language, LESSONS_DOMAIN)
    return {
        (str(m.context), str(m.id)): str(m.string)
        for m in catalog or ()
        if m.id and m.context and not m.fuzzy and isinstance(m.string, str) and m.string
    }


def audio_coverage(
    course: Course, locales: Path, voices: VoiceStore, languages: Sequence[str] = LANGUAGES
) -> dict[str, AudioCounts]:
    """Per language: cards recorded, synthetic only, and without audio."""
    shown = list(cards(course))
    figures: dict[str, AudioCounts] = {}
    for language in languages:
        lookup = CatalogLookup(language, locales)
        recorded = synthetic = missing = 0
        for _, card in shown:
            script = script_for(card, lookup)
            if script is not None and voices.recording(script) is not None:
                recorded += 1
            elif script is not None and script.synthesizable:
                synthetic += 1
            else:
                missing += 1
        figures[language] = AudioCounts(recorded, synthetic, missing)
    return figures


_AUDIO_HEADER = ("language", "audio: recorded", "synthetic", "missing")
_AUDIO_WIDTHS = (10, 17, 11, 0)


def audio_table(figures: dict[str, AudioCounts]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "".join(c.ljust(w) for c, w in zip(cells, _AUDIO_WIDTHS, strict=True)).rstrip()

    rows = [line(_AUDIO_HEADER)]
    for language, counts in figures.items():
        numbers = (counts.recorded, counts.synthetic, counts.missing)
        rows.append(line([language, *(str(n) for n in numbers)]))
    return "\n".join(rows)


def coverage_command(args: argparse.Namespace) -> int:
    """Print the table; with ``--min``, exit 1 naming every language below it."""
    directory, locales = Path(args.directory), Path(args.locales)
    try:
        course = load_course(directory)
    except CourseError as error:
        print(f"{directory}: the course has errors; `lessons check` lists them", file=sys.stderr)
        print(error, file=sys.stderr)
        return 1
    rows = measure(course, locales)
    texts = sum(1 for _ in lesson_messages(course))
    messages = next((row.ui.total for row in rows), 0)
    print(table(rows))
    voices = VoiceStore(directory, _media_dir(args), locales, synthesizer=None)
    print()
    print(audio_table(audio_coverage(course, locales, voices)))
    spoken = ", ".join(SYNTHETIC_VOICES)
    print(
        f"\nlessons: {texts} texts in {directory}/; "
        f"audio: {sum(1 for _ in cards(course))} steps and questions"
        f" (synthetic by espeak-ng in {spoken}); "
        f"UI: {messages} messages in {locales / (UI_DOMAIN + '.pot')}"
    )
    if args.min is None:
        return 0
    below = [(row.language, row.below(args.min)) for row in rows]
    failing = [f"{language} ({', '.join(parts)})" for language, parts in below if parts]
    if failing:
        print(f"below {args.min:g} %: {'; '.join(failing)}", file=sys.stderr)
        return 1
    return 0
