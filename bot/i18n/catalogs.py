"""The gettext catalogs: UI strings (domain ``bot``) and lesson texts (domain ``lessons``).

Translators work on ordinary .po files in ``locales/<lang>/LC_MESSAGES/``. The
compiled .mo files are build output: ``compile_catalogs`` writes them before
the bot or the tests run, leaving out fuzzy entries so a translation whose
Swedish source changed is never shown as current.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n.languages import LANGUAGES

UI_DOMAIN = "bot"
LESSONS_DOMAIN = "lessons"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2)}


def po_files(locales: Path) -> Iterator[Path]:
    yield from sorted(locales.glob("*/LC_MESSAGES/*.po"))


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write_catalog(path: Path, catalog: Catalog, *, ignore_obsolete: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, ignore_obsolete=ignore_obsolete, sort_output=False)


def compile_catalogs(locales: Path) -> list[Path]:
    """Compile every .po newer than its .mo; returns the files written."""
    written = []
    for po in po_files(locales):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = read_catalog(po, locale=po.parts[-3])
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def extract_ui_strings() -> Catalog:
    """Every string the code marks with _(), ngettext() or N_()."""
    template = Catalog(project="rakna-med-mig", domain=UI_DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE_DIR),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(
            message,
            locations=[(f"bot/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def update_catalogs(
    locales: Path, template: Catalog, domain: str, languages: tuple[str, ...] = LANGUAGES
) -> None:
    """Write the template and merge it into each language's catalog (new ids, fuzzy changes)."""
    write_catalog(locales / f"{domain}.pot", template)
    for language in languages:
        path, catalog = language_catalog(locales, language, domain)
        catalog.update(template, update_header_comment=False)
        write_catalog(path, catalog, ignore_obsolete=True)


def language_catalog(locales: Path, language: str, domain: str) -> tuple[Path, Catalog]:
    """A language's catalog of a domain, and where it lives; a new empty one if none yet."""
    path = locales / language / "LC_MESSAGES" / f"{domain}.po"
    if path.exists():
        return path, read_catalog(path, locale=language)
    return path, Catalog(locale=language, domain=domain, project="rakna-med-mig")


def compile_command(args: argparse.Namespace) -> int:
    written = compile_catalogs(Path(args.locales))
    print(f"compiled {len(written)} catalog(s)")
    return 0


def update_command(args: argparse.Namespace) -> int:
    update_catalogs(Path(args.locales), extract_ui_strings(), UI_DOMAIN)
    print(f"updated {UI_DOMAIN}.pot and the catalogs in {args.locales}")
    return 0
