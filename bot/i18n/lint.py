"""Checks of the translations, language by language, for `lessons check`.

The loader checks the Swedish texts against Telegram's limits, but a translation
is often longer than its source (the Somali lessons run a quarter longer than
the Swedish), and a translator works in Poedit or Weblate, which know nothing of Telegram or
of this course. So each catalog is checked too, and every problem is reported as
``path:line:column: message`` with the .po file as path and the entry's line in
it (the msgid line, Babel's ``Message.lineno``), so an editor jumps right there.

Only what a reader can be shown is checked: an entry that is fuzzy, empty, or
whose msgid is not the current Swedish text of its context is never compiled or
never looked up, so it cannot break a message (``lessons coverage`` counts those).

The rules, and why each is an error or a warning:

- *Too long* (error): Telegram refuses a message over 4096 characters, a caption
  (the text under a step's or question's image) over 1024, and the course keeps
  an answer button to 64 (the loader's limits). Length is counted as Telegram
  counts it, in UTF-16 units, and for right-to-left languages with the direction
  marks the bot adds when it sends the text (bot/i18n/text.py).
- *Wrong script* (error): a translation the reader cannot read at all, most
  often English or Swedish pasted into the wrong catalog. Swedish key terms and
  names stay in Swedish on purpose (försörjningsstöd, BankID, Platsbanken), so
  the Latin words of the source text and the course's key terms are set aside
  first (in any inflection); of the letters left, most must be in the language's
  script. (For sv, en and so, themselves in Latin script, nothing is set aside:
  most letters must be Latin, not Arabic, Ethiopic or Cyrillic.) A text made of
  nothing but such words is a name or an example to tap ("Google Play",
  "Med vänliga hälsningar, Amina") when it has at most ``MAX_KEPT_WORDS`` words;
  a longer one is an untranslated sentence and is judged on all its letters.
- *Placeholders* (``{name}``, ``{0}``, ``%s``, ``%(name)s``): one the source does
  not have is an error, since filling in the text then fails (``str.format``
  raises KeyError, ``%`` raises TypeError); so is any difference in positional
  ``%s``/``%d``/``{}`` placeholders. A named placeholder left out is a warning:
  the message still goes out, without the value (a plural form may leave out
  the count, "one day", so a plural entry is warned about only when every form
  leaves it out).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

from bot.course.limits import BUTTON_LIMIT, CAPTION_LIMIT, HOLDERS, MESSAGE_LIMIT, utf16_len
from bot.course.loader import Problem, Severity
from bot.course.model import Course, QuestionKind, Term, Text
from bot.course.yamlcursor import either
from bot.i18n.catalogs import LESSONS_DOMAIN, UI_DOMAIN, po_files
from bot.i18n.coverage import State, lesson_state
from bot.i18n.languages import LANGUAGES, SOURCE, is_rtl
from bot.i18n.text import LATIN_RUN, RLM

SCRIPTS: dict[str, str] = {
    "sv": "Latin",
    "en": "Latin",
    "so": "Latin",
    "ar": "Arabic",
    "fa": "Arabic",
    "ti": "Ethiopic",
    "uk": "Cyrillic",
}
"""The script each language is written in (Dari and Persian in Arabic script)."""

MAX_KEPT_WORDS = 5
STEM = 4
"""The shortest shared beginning that makes two Swedish words forms of one (mejl, mejla)."""
BUTTON_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.ORDER})
_SCRIPT_NAMES = {
    "LATIN": "Latin",
    "ARABIC": "Arabic",
    "ETHIOPIC": "Ethiopic",
    "CYRILLIC": "Cyrillic",
}
_LETTERS = frozenset({"Lu", "Ll", "Lt", "Lo"})
# Runs of Latin script the bot wraps in isolates inside right-to-left text; the same
# pattern as bot/telegram/render.py, which the translation tools do not import.
_BRACE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_PERCENT = re.compile(r"%%|%(?:\((\w+)\))?[#0+-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?([sdifr])")


def lint_catalogs(course: Course, locales: Path) -> list[Problem]:
    """Every problem in the catalogs under ``locales``, file by file, in line order."""
    limits = text_limits(course)
    sources = {text.key: text.sv for text in course.texts()}
    glossary = _words(" ".join(term.term for term in _terms(course)))
    problems: list[Problem] = []
    for path in po_files(locales):
        language, domain = path.parts[-3], path.stem
        if domain not in (LESSONS_DOMAIN, UI_DOMAIN):
            continue
        catalog, unreadable = _read(path, language)
        if unreadable is not None:
            problems.append(unreadable)
            continue
        shown = _shown(path)
        for message in catalog:
            if domain == LESSONS_DOMAIN:
                found = lesson_problems(message, language, sources, limits, glossary)
            else:
                found = ui_problems(message, language)
            problems += [
                Problem(shown, message.lineno or 1, 1, text, severity) for severity, text in found
            ]
    return sorted(problems, key=lambda p: (p.path, p.line))


def translation_warnings(course: Course, locales: Path) -> list[Problem]:
    """One warning for each lesson text that some language cannot show as it is written now.

    An edited Swedish text leaves every translation of its old wording behind (the bot
    looks translations up by the current text), so the trainer sees, on the text's own
    line, which readers just lost it: one line a text, naming the languages.
    """
    catalogs = _lesson_entries(locales)
    problems: list[Problem] = []
    seen: set[str] = set()
    for text in course.texts():
        if text.place is None or text.key in seen:
            continue
        seen.add(text.key)
        states = {
            language: lesson_state(entries.get(text.key), text.sv)
            for language, entries in catalogs.items()
        }
        missing = [language for language, state in states.items() if state is State.MISSING]
        fuzzy = [language for language, state in states.items() if state is State.FUZZY]
        if missing or fuzzy:
            known = any(text.key in entries for entries in catalogs.values())
            message = _untranslated(text, missing, fuzzy, known)
            place = text.place
            problems.append(Problem(place.path, place.line, place.column, message, "warning"))
    return problems


def _lesson_entries(locales: Path) -> dict[str, dict[str, Message]]:
    """Each language's lesson catalog by context (languages without one are left out)."""
    found: dict[str, dict[str, Message]] = {}
    for language in LANGUAGES:
        path = locales / language / "LC_MESSAGES" / f"{LESSONS_DOMAIN}.po"
        if language == SOURCE or not path.is_file():
            continue
        catalog, unreadable = _read(path, language)
        if unreadable is None:  # lint_catalogs reports the unreadable one
            found[language] = {m.context: m for m in catalog if m.id and m.context}
    return found


def _untranslated(text: Text, missing: list[str], fuzzy: list[str], known: bool) -> str:
    name = "explanation" if "/terms/" in text.key else text.key.rsplit("/", 1)[-1]
    states = [
        f"{state} in {either(languages, 'and')}"
        for state, languages in (("missing", missing), ("fuzzy", fuzzy))
        if languages
    ]
    said = "changed" if known else "is new"
    return f"{name} {said}: the translation is {', and '.join(states)}"


Found = list[tuple[Severity, str]]


def lesson_problems(
    message: Message,
    language: str,
    sources: dict[str, str],
    limits: dict[str, int],
    glossary: frozenset[str],
) -> Found:
    """The problems of one lesson entry that the bot would show as it is."""
    context, translation = message.context, message.string
    if not context or message.fuzzy or not isinstance(translation, str) or not translation:
        return []
    source = sources.get(context)
    if source is None or message.id != source:
        return []
    found: Found = []
    limit = limits.get(context, MESSAGE_LIMIT)
    length = shown_length(translation, rtl=is_rtl(language) and limit != BUTTON_LIMIT)
    if length > limit:
        holder = HOLDERS.get(limit, "it may have")
        found.append(("error", f"the translation is {length} characters; {holder} at most {limit}"))
    script = script_problem(translation, language, _words(source) | glossary)
    if script is not None:
        found.append(("error", script))
    found += placeholder_problems([source], [translation])
    return [(severity, f"{context}: {text}") for severity, text in found]


def ui_problems(message: Message, language: str) -> Found:
    """The problems of one UI entry the bot would show as it is."""
    if not message.id or message.fuzzy:
        return []
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    string = message.string
    forms = [string] if isinstance(string, str) else list(string or ())
    filled = [form for form in forms if form]
    if not filled:
        return []
    found: Found = []
    script = script_problem(" ".join(filled), language, _words(" ".join(sources)))
    if script is not None:
        found.append(("error", script))
    # An empty plural form falls back to the msgid, which has every placeholder.
    found += placeholder_problems(sources, filled, every_form=len(filled) == len(forms))
    label = sources[0] if len(sources[0]) <= 40 else sources[0][:39] + "…"
    return [(severity, f'"{label}": {text}') for severity, text in found]


# Telegram's limits.


def text_limits(course: Course) -> dict[str, int]:
    """The limit of every lesson text whose limit is not a whole message's."""
    limits: dict[str, int] = {}
    for lesson in course.lessons:
        for step in lesson.steps:
            if step.image:
                limits[step.text.key] = CAPTION_LIMIT
            for card in step.cards:  # a card is a button
                limits[card.text.key] = BUTTON_LIMIT
        for question in lesson.quiz.questions if lesson.quiz else ():
            if question.image:
                limits[question.text.key] = CAPTION_LIMIT
            if question.kind in BUTTON_KINDS:
                for option in question.options:
                    limits[option.text.key] = BUTTON_LIMIT
    return limits


def shown_length(text: str, *, rtl: bool) -> int:
    """The length once sent: right-to-left text gains a mark per line, two per Latin run."""
    if not rtl:
        return utf16_len(text)
    lines = sum(1 for line in text.split("\n") if line and not line.startswith(RLM))
    return utf16_len(text) + lines + 2 * len(LATIN_RUN.findall(text))


# Scripts.


@cache
def script_of(char: str) -> str | None:
    """Latin, Arabic, Ethiopic, Cyrillic or other for a letter; None for anything else."""
    if unicodedata.category(char) not in _LETTERS:
        return None
    return _SCRIPT_NAMES.get(unicodedata.name(char, "").split(" ")[0], "other")


def script_runs(text: str) -> Iterator[tuple[str, str]]:
    """(script, letters) for each run of letters of one script, in order."""
    for script, chars in groupby(text, key=script_of):
        if script is not None:
            yield script, "".join(chars)


def _words(text: str) -> frozenset[str]:
    return frozenset(run.casefold() for script, run in script_runs(text) if script == "Latin")


def script_problem(translation: str, language: str, kept: frozenset[str]) -> str | None:
    """Why the translation is not in its language's script, or None when it is.

    ``kept`` are the Latin words (case-folded) that may stay in Swedish: those of
    the source and the key terms. They are set aside before the letters are counted,
    in any inflection: a translation says "mejl" where the source says "Mejla",
    "kommunen" where it says "kommun".
    """
    expected = SCRIPTS.get(language)
    if expected is None:
        return None
    runs = list(script_runs(translation))
    counted = Counter[str]()
    kept_words = 0
    for script, run in runs:
        if script == "Latin" != expected and _is_kept(run.casefold(), kept):
            kept_words += 1
        else:
            counted[script] += len(run)
    if not counted and kept_words <= MAX_KEPT_WORDS:
        return None  # nothing but a name or a few kept Swedish words
    if not counted:
        for script, run in runs:
            counted[script] += len(run)
    total = sum(counted.values())
    if 2 * counted[expected] > total:
        return None
    other = max((s for s in counted if s != expected), key=lambda s: counted[s])
    share = 100 * counted[expected] // total
    return (
        f"the translation is mostly in {other} script; {_language_name(language)} is written "
        f"in {expected} script ({share} % of the letters here)"
    )


def _is_kept(word: str, kept: frozenset[str]) -> bool:
    """The word or a form of it: one is the other with an ending, sharing a stem of 4+."""
    if word in kept:
        return True
    stems = (word[:n] for n in range(STEM, len(word)))
    return any(stem in kept for stem in stems) or (
        len(word) >= STEM and any(k.startswith(word) for k in kept)
    )


@cache
def _language_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code


# Placeholders.


@dataclass(frozen=True, slots=True)
class Placeholders:
    named: frozenset[str]
    """``{name}``, ``{0}`` and ``%(name)s``: each may appear anywhere, any number of times."""
    positional: tuple[str, ...]
    """``{}``, ``%s``, ``%d``: filled in order, so their number and order must match."""


def placeholders(text: str) -> Placeholders:
    named: set[str] = set()
    positional: list[str] = []
    for match in _BRACE.finditer(text):
        field = match.group(1)
        if field is None:
            continue  # {{ or }}, a brace written out
        name = re.split(r"[!:.\[]", field, maxsplit=1)[0]
        if field == "" or field[0] in "!:":
            positional.append("{}")
        elif name.isidentifier() or name.isdigit():
            named.add(f"{{{name}}}")
    for match in _PERCENT.finditer(text):
        if match.group(0) == "%%":
            continue
        name, conversion = match.group(1), match.group(2)
        if name is None:
            positional.append(f"%{conversion}")
        else:
            named.add(f"%({name}){conversion}")
    return Placeholders(frozenset(named), tuple(positional))


def placeholder_problems(
    sources: Sequence[str], translations: Sequence[str], *, every_form: bool = True
) -> Found:
    """Placeholders that differ; ``sources`` and ``translations`` hold one text or the forms.

    A placeholder is left out only when no form has it and every form is given.
    """
    source = [placeholders(text) for text in sources]
    expected = frozenset().union(*(p.named for p in source))
    positional = {p.positional for p in source}
    found: Found = []
    used: set[str] = set()
    for text in translations:
        own = placeholders(text)
        used |= own.named
        for extra in sorted(own.named - expected):
            found.append(
                ("error", f"the translation has {extra}, which the source text does not have")
            )
        if own.positional not in positional:
            wanted = ", ".join(source[0].positional) or "none"
            has = ", ".join(own.positional) or "none"
            found.append(
                ("error", f"the translation has the placeholders {has}; the source has {wanted}")
            )
    if every_form:
        for missing in sorted(expected - used):
            found.append(("warning", f"the translation leaves out {missing}"))
    return list(dict.fromkeys(found))


# Files.


def _read(path: Path, language: str) -> tuple[Catalog, Problem | None]:
    """The catalog, or a problem at the line Babel could not read."""
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=language, abort_invalid=True), None
    except PoFileError as error:
        return Catalog(), Problem(_shown(path), error.lineno + 1, 1, f"cannot read: {error}")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return Catalog(), Problem(_shown(path), 1, 1, f"cannot read the catalog: {error}")


def _shown(path: Path) -> str:
    """The path relative to the working directory when it lies under it, as the loader does."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _terms(course: Course) -> Iterator[Term]:
    for lesson in course.lessons:
        for step in lesson.steps:
            yield from step.terms
