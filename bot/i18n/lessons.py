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
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from bot.course.loader import load_course
from bot.course.model import Course
from bot.i18n.catalogs import LESSONS_DOMAIN, update_catalogs
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


def extract_command(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    course = load_course(directory)
    translated = tuple(code for code in LANGUAGES if code != SOURCE)
    template = lessons_template(course, directory.name)
    update_catalogs(Path(args.locales), template, LESSONS_DOMAIN, translated)
    print(f"wrote {args.locales}/{LESSONS_DOMAIN}.pot and updated the language catalogs")
    return 0


def babel_extractor(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """A Babel extraction method for ``pybabel extract`` on the lessons folder.

    Babel calls it per file; the whole course is loaded once from the file's
    folder so that keys and validation match the bot exactly. Messages carry
    their context as ``pgettext`` calls do.
    """
    path = Path(getattr(fileobj, "name", ""))
    if not path.name.startswith("week"):
        return
    course = load_course(path.parent)
    week = next((w for w in course.weeks if w.source == path.name), None)
    if week is None:
        return
    for context, message in lesson_messages(course):
        if context.startswith(f"{week.id}/"):
            yield 0, "pgettext", (context, message), []
