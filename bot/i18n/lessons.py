"""The lesson texts as a gettext domain: extraction for translators.

Each text is a message whose context is its id path (``w03/w3-attach/paperclip/text``)
and whose msgid is the Swedish source. Because the msgid is the Swedish wording,
a reworded text no longer matches its old translation: updating the catalogs
marks that translation fuzzy, compiling leaves fuzzy entries out, and the bot
falls back (own language → English → Swedish) until a translator confirms it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from bot.course.loader import COURSE_FILE, WEEK_GLOB, load_course
from bot.course.model import Course
from bot.i18n.catalogs import LESSONS_DOMAIN, language_catalog, write_catalog
from bot.i18n.languages import LANGUAGES, SOURCE


def lesson_messages(course: Course) -> Iterator[tuple[str, str]]:
    """(context, Swedish text) for every translatable text, in reading order."""
    seen: set[str] = set()
    for text in course.texts():
        if text.key and text.key not in seen:
            seen.add(text.key)
            yield text.key, text.sv


def lessons_template(course: Course, source: str = "lessons") -> Catalog:
    template = Catalog(project="rakna-med-mig", domain=LESSONS_DOMAIN)
    for context, message in lesson_messages(course):
        week_file = next(
            (w.source for w in course.weeks if context.startswith(f"{w.id}/")), "course.yaml"
        )
        template.add(message, context=context, locations=[(f"{source}/{week_file}", 0)])
    return template


def update_lesson_catalogs(
    locales: Path, template: Catalog, languages: tuple[str, ...] = LANGUAGES
) -> None:
    """Write the template and merge it into each catalog, a reworded text's translation fuzzy.

    Babel matches a changed msgid to the most similar old msgid anywhere in the
    catalog, context ignored: a text reworded a lot loses its translation (it
    becomes obsolete, and obsolete entries are not kept), and a short text may
    pick up the translation of another, similar one. Lesson texts have a stable
    id path as context, so the right earlier translation is the one under the
    same context: it is put back and marked fuzzy, for the translator to check
    against the new Swedish. Fuzzy entries are never compiled, so the bot never
    shows it as current. (The old Swedish is not kept as a ``#| msgid`` comment:
    Babel writes that comment but reads it back as a plain comment.)
    """
    write_catalog(locales / f"{LESSONS_DOMAIN}.pot", template)
    for language in languages:
        path, catalog = language_catalog(locales, language, LESSONS_DOMAIN)
        before = _translations_by_context(catalog)
        catalog.update(template, update_header_comment=False)
        _restore_by_context(catalog, before)
        write_catalog(path, catalog, ignore_obsolete=True)


def _translations_by_context(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """context → (Swedish msgid, translation) for every translated lesson text."""
    found: dict[str, tuple[str, str]] = {}
    for message in catalog:
        context, source, translation = message.context, message.id, message.string
        if context and isinstance(source, str) and isinstance(translation, str) and translation:
            found[context] = (source, translation)
    return found


def _restore_by_context(catalog: Catalog, before: dict[str, tuple[str, str]]) -> None:
    """Give each reworded text its own earlier translation, marked fuzzy."""
    for message in catalog:
        earlier = before.get(message.context or "")
        if earlier is None or earlier[0] == message.id:
            continue
        if message.string and not message.fuzzy:
            continue  # translated for the new wording already: never overwritten
        message.string = earlier[1]
        message.flags.add("fuzzy")


def extract_command(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    course = load_course(directory)
    translated = tuple(code for code in LANGUAGES if code != SOURCE)
    template = lessons_template(course, directory.name)
    update_lesson_catalogs(Path(args.locales), template, translated)
    print(f"wrote {args.locales}/{LESSONS_DOMAIN}.pot and updated the language catalogs")
    return 0


def babel_extractor(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """A Babel extraction method for ``pybabel extract`` on the lessons folder.

    Babel calls it per file; the whole course is loaded from the file's folder
    (once per run, see ``_course_in``) so that keys and validation match the bot
    exactly. A week file yields its week's texts, course.yaml the course's own
    (its title). Messages carry their context as ``pgettext`` calls do. Registered
    as the ``rakna_lessons`` method (pyproject.toml) and mapped in babel.cfg.
    """
    path = Path(getattr(fileobj, "name", ""))
    if path.name != COURSE_FILE and not path.match(WEEK_GLOB):
        return
    course = _course_in(path.parent)
    week_ids = tuple(f"{week.id}/" for week in course.weeks)
    week = next((w for w in course.weeks if w.source == path.name), None)
    for context, message in lesson_messages(course):
        own = (
            context.startswith(f"{week.id}/")
            if week is not None
            else path.name == COURSE_FILE and not context.startswith(week_ids)
        )
        if own:
            yield 0, "pgettext", (context, message), []


def _course_in(folder: Path) -> Course:
    """The course in a folder, read once for as long as none of its files changes."""
    files = sorted(folder.glob("*.yaml"))
    return _load_cached(folder.resolve(), tuple((f.name, f.stat().st_mtime_ns) for f in files))


@lru_cache(maxsize=4)
def _load_cached(folder: Path, stamp: tuple[tuple[str, int], ...]) -> Course:
    del stamp  # part of the cache key only
    return load_course(folder)
