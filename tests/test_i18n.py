"""Translations: extraction, the fallback after a Swedish text changes, coverage and lint.

A participant must never see a translation of a text the trainer has since
reworded, and a translator must see what is left to do; these tests run the real
commands on small courses and catalogs in tmp_path (tests/fixtures/i18n holds the
hand-written ones whose counts and line numbers are pinned here).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from bot.authoring.check import run_check
from bot.cli import main
from bot.course.loader import load_course
from bot.course.model import Course, Text
from bot.i18n.catalogs import compile_catalogs, read_catalog, write_catalog
from bot.i18n.coverage import Counts, lesson_coverage, measure, ui_coverage, ui_template
from bot.i18n.languages import LANGUAGES, SOURCE
from bot.i18n.lessons import lesson_messages
from bot.i18n.lint import lint_catalogs, placeholder_problems, script_problem, shown_length
from bot.i18n.translator import reset_cache, translator

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "fixtures" / "lessons" / "valid"
FIXTURES = ROOT / "tests" / "fixtures" / "i18n"
HELLO = "w01/welcome/hello/text"


@pytest.fixture(autouse=True)
def fresh_translators() -> Iterator[None]:
    """Translators are cached per locales folder; each test compiles its own."""
    reset_cache()
    yield
    reset_cache()


def extract(course: Path, locales: Path) -> None:
    assert main(["lessons", "extract", str(course), "--locales", str(locales)]) == 0


def po(locales: Path, language: str, domain: str = "lessons") -> Path:
    return locales / language / "LC_MESSAGES" / f"{domain}.po"


def translate(locales: Path, language: str, context: str, translation: str) -> None:
    """What a translator does in Poedit: fill in the text and clear the fuzzy mark."""
    path = po(locales, language)
    catalog = read_catalog(path, locale=language)
    message = next(m for m in catalog if m.context == context)
    message.string = translation
    message.flags.discard("fuzzy")
    write_catalog(path, catalog)


def compile_fresh(locales: Path) -> None:
    """Compile every catalog, even one rewritten within the .mo's timestamp tick."""
    for mo in locales.glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    compile_catalogs(locales)
    reset_cache()


def shown(locales: Path, language: str, text: Text) -> str:
    return translator(locales, language).lesson(text)


# Extraction.


def test_extract_translate_compile_and_read_back(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    extract(VALID, locales)
    template = read_catalog(locales / "lessons.pot")
    course = load_course(VALID)
    assert [(m.context, m.id) for m in template if m.id] == list(lesson_messages(course))
    assert sorted(p.parts[-3] for p in locales.glob("*/LC_MESSAGES/lessons.po")) == sorted(
        code for code in LANGUAGES if code != SOURCE
    )

    translate(locales, "ar", HELLO, "مرحبًا بك!\nعندك مرشد.")
    compile_fresh(locales)

    hello = course.weeks[0].lessons[0].steps[0].text
    assert hello.key == HELLO
    assert shown(locales, "ar", hello) == "مرحبًا بك!\nعندك مرشد."
    # Untranslated in Somali and in English, so the Swedish source.
    assert shown(locales, "so", hello) == hello.sv


def test_pybabel_mapping_extracts_what_the_bot_looks_up() -> None:
    """babel.cfg and the rakna_lessons entry point give the same messages as `extract`."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = [
        (context, message)
        for _, _, message, _, context in extract_from_dir(
            str(VALID), method_map, options_map, keywords={"pgettext": ((1, "c"), 2)}
        )
    ]
    assert sorted(found) == sorted(lesson_messages(load_course(VALID)))
    assert ("course/title", "Testkursen") in found


# A Swedish text changes.


def rewrite_hello(course: Path, new: str) -> None:
    week = course / "week01-start.yaml"
    old = "          Hej och välkommen!\n          Du har en coach.\n"
    source = week.read_text(encoding="utf-8")
    assert old in source
    week.write_text(source.replace(old, f"          {new}\n"), encoding="utf-8")


@pytest.mark.parametrize(
    "new",
    [
        # A small change, which Babel's own fuzzy matching also finds...
        "Hej och välkommen!\nDu har en coach som hjälper dig.",
        # ...and a rewrite, which only the id path ties to its old translation.
        "Välkommen hit. Här lär du dig steg för steg.",
    ],
)
def test_a_changed_swedish_text_is_never_shown_with_its_stale_translation(
    tmp_path: Path, new: str
) -> None:
    course_dir, locales = tmp_path / "lessons", tmp_path / "locales"
    shutil.copytree(VALID, course_dir)
    extract(course_dir, locales)
    old_sv = "Hej och välkommen!\nDu har en coach."
    translate(locales, "ar", HELLO, "مرحبًا بك!\nعندك مرشد.")
    translate(locales, "en", HELLO, "Hello and welcome!\nYou have a coach.")
    compile_fresh(locales)
    assert shown(locales, "ar", Text(HELLO, old_sv)) == "مرحبًا بك!\nعندك مرشد."

    rewrite_hello(course_dir, new.replace("\n", "\n          "))
    extract(course_dir, locales)
    course = load_course(course_dir)
    hello = course.weeks[0].lessons[0].steps[0].text
    assert hello == Text(HELLO, new)

    catalog = read_catalog(po(locales, "ar"), locale="ar")
    entry = catalog.get(new, context=HELLO)
    assert entry is not None and entry.fuzzy
    assert entry.string == "مرحبًا بك!\nعندك مرشد."
    counts = lesson_coverage(course, catalog)
    assert (counts.done, counts.fuzzy) == (0, 1)

    compile_fresh(locales)
    # English is fuzzy too, so Arabic readers get the new Swedish, never the old Arabic.
    assert shown(locales, "ar", hello) == new
    assert shown(locales, "en", hello) == new

    translate(locales, "en", HELLO, "Welcome! Here you learn step by step.")
    compile_fresh(locales)
    assert shown(locales, "ar", hello) == "Welcome! Here you learn step by step."


def test_a_confirmed_translation_is_never_replaced_by_an_older_one(tmp_path: Path) -> None:
    course_dir, locales = tmp_path / "lessons", tmp_path / "locales"
    shutil.copytree(VALID, course_dir)
    extract(course_dir, locales)
    translate(locales, "ar", HELLO, "مرحبًا بك!")
    extract(course_dir, locales)
    catalog = read_catalog(po(locales, "ar"), locale="ar")
    entry = catalog.get("Hej och välkommen!\nDu har en coach.", context=HELLO)
    assert entry is not None and not entry.fuzzy and entry.string == "مرحبًا بك!"


# Coverage.


def complete_catalogs(locales: Path, course: Course, languages: tuple[str, ...]) -> None:
    """Every lesson text and UI string translated, for the languages a test does not study."""
    template = ui_template(locales)
    for language in languages:
        lessons = Catalog(locale=language, domain="lessons")
        for context, swedish in lesson_messages(course):
            lessons.add(swedish, f"[{language}] {swedish}", context=context)
        write_catalog(po(locales, language), lessons)
        ui = Catalog(locale=language, domain="bot")
        for message in template:
            if message.id and language != "en":  # an empty English entry shows the msgid
                if isinstance(message.id, str):
                    ui.add(message.id, f"[{language}] {message.id}")
                else:
                    forms = [f"[{language}] {n}: {message.id[1]}" for n in range(ui.num_plurals)]
                    ui.add(message.id, tuple(forms))
        write_catalog(po(locales, language, "bot"), ui)


@pytest.fixture
def coverage_locales(tmp_path: Path) -> Path:
    """The fixture catalogs (ar: lessons 8/2/1, UI 3/0/1) and every other language done."""
    locales = tmp_path / "locales"
    shutil.copytree(FIXTURES / "locales", locales)
    others = tuple(code for code in LANGUAGES if code != "ar")
    complete_catalogs(locales, load_course(FIXTURES / "course"), others)
    return locales


def test_coverage_counts_against_the_current_course(coverage_locales: Path) -> None:
    rows = {
        row.language: row for row in measure(load_course(FIXTURES / "course"), coverage_locales)
    }
    assert list(rows) == list(LANGUAGES)
    ar = rows["ar"]
    assert ar.lessons == Counts(done=8, fuzzy=2, missing=1)
    assert ar.lessons.shown_percent() == "72.7 %"
    assert ar.ui == Counts(done=3, fuzzy=0, missing=1)
    assert rows["sv"].lessons is None  # the source
    assert rows["sv"].ui == Counts(done=4)
    assert rows["en"].ui == Counts(done=4)  # all empty: the English msgids are shown


def test_coverage_command_prints_the_table(
    coverage_locales: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course = str(FIXTURES / "course")
    assert main(["lessons", "coverage", course, "--locales", str(coverage_locales)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "language  lessons: done  fuzzy  missing    UI: done  fuzzy  missing",
        "sv        (source)                         100.0 %   0      0",
        "en        100.0 %        0      0          100.0 %   0      0",
        "ar        72.7 %         2      1          75.0 %    0      1",
    ]
    assert lines[-1].startswith("lessons: 11 texts in ")


@pytest.mark.parametrize(
    ("minimum", "code", "named"),
    [
        ("72", 0, ""),
        ("72.8", 1, "below 72.8 %: ar (lessons 72.7 %)\n"),
        ("80", 1, "below 80 %: ar (lessons 72.7 %, UI 75.0 %)\n"),
    ],
)
def test_coverage_min_fails_naming_the_languages_below_it(
    coverage_locales: Path,
    capsys: pytest.CaptureFixture[str],
    minimum: str,
    code: int,
    named: str,
) -> None:
    args = ["lessons", "coverage", str(FIXTURES / "course"), "--locales", str(coverage_locales)]
    assert main([*args, "--min", minimum]) == code
    assert capsys.readouterr().err == named


def test_coverage_of_a_language_without_catalogs(tmp_path: Path) -> None:
    course = load_course(FIXTURES / "course")
    assert lesson_coverage(course, None) == Counts(missing=11)
    template = ui_template(FIXTURES / "locales")
    assert ui_coverage(template, None, "so") == Counts(missing=4)
    assert ui_coverage(template, None, "en") == Counts(done=4)


def test_coverage_percent_is_rounded_down() -> None:
    assert Counts(done=999, missing=1).shown_percent() == "99.9 %"
    assert Counts().shown_percent() == "100.0 %"


# Lint.


def lint(locales: Path) -> list[str]:
    found = lint_catalogs(load_course(FIXTURES / "course"), locales)
    return [("warning: " if p.severity == "warning" else "") + str(p) for p in found]


def test_lint_finds_each_kind_of_mistake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    ar, so, sv, uk = (f"lint/{code}/LC_MESSAGES" for code in ("ar", "so", "sv", "uk"))
    assert lint(Path("lint")) == [
        f"{ar}/lessons.po:14:1: w01/start/q-pick/bankid/text: the translation is 69 characters;"
        " a button holds at most 64",
        f"{ar}/lessons.po:19:1: w01/start/q-pick/text: the translation is mostly in Latin script;"
        " Arabic is written in Arabic script (0 % of the letters here)",
        f"{so}/lessons.po:8:1: w01/start/picture/text: the translation is mostly in Cyrillic"
        " script; Somali is written in Latin script (0 % of the letters here)",
        f'warning: {sv}/bot.po:9:1: "Good! I will write in {{language}} now.": the translation'
        " leaves out {language}",
        f'{sv}/bot.po:13:1: "Week {{number}} is open.": the translation has {{nummer}}, which the'
        " source text does not have",
        f'warning: {sv}/bot.po:13:1: "Week {{number}} is open.": the translation leaves out'
        " {number}",
        f'{sv}/bot.po:17:1: "Sent %d of %d": the translation has the placeholders %d; the source'
        " has %d, %d",
        f"{uk}/lessons.po:8:1: w01/start/picture/text: the translation is 1039 characters;"
        " a text under an image (a caption) holds at most 1024",
    ]


def test_lint_passes_a_sound_catalog() -> None:
    """Swedish names kept in Arabic, fuzzy and stale entries, plural forms without {n}."""
    assert lint(FIXTURES / "locales") == []


def test_lessons_check_lints_the_locales_beside_the_lessons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "course", tmp_path / "lessons")
    shutil.copytree(FIXTURES / "lint", tmp_path / "locales")
    monkeypatch.chdir(tmp_path)
    assert main(["lessons", "check", "lessons"]) == 1
    lines = capsys.readouterr().out.splitlines()
    # First the lesson files (here: eleven texts some language has no current translation
    # of), then the catalogs.
    catalogs = [line for line in lines if line.startswith("locales/")]
    assert lines[11] == catalogs[0]
    assert catalogs[0].startswith("locales/ar/LC_MESSAGES/lessons.po:14:1: w01/start/q-pick/")
    assert catalogs[3].startswith("locales/sv/LC_MESSAGES/bot.po:9:1: warning: ")
    assert lines[-1] == "lessons/: 1 week, 1 lesson, 2 steps, 1 question — 6 errors, 13 warnings"


def test_lessons_check_with_sound_catalogs_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "course", tmp_path / "lessons")
    shutil.copytree(FIXTURES / "locales", tmp_path / "locales")
    monkeypatch.chdir(tmp_path)
    assert main(["lessons", "check", "lessons"]) == 0  # warnings do not fail the check
    assert capsys.readouterr().out.splitlines() == [
        "lessons/week01-start.yaml:12:9: warning: text changed: the translation is fuzzy in ar",
        "lessons/week01-start.yaml:21:11: warning: text changed: the translation is fuzzy in ar",
        "lessons/week01-start.yaml:28:15: warning: text is new: the translation is missing in ar",
        "lessons/: 1 week, 1 lesson, 2 steps, 1 question — 0 errors, 3 warnings",
    ]


def test_a_reworded_text_warns_once_naming_every_language_that_lost_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trainer sees on the text's own line what an edit cost: one line, all languages."""
    shutil.copytree(FIXTURES / "course", tmp_path / "lessons")
    locales = tmp_path / "locales"
    course = load_course(tmp_path / "lessons")
    complete_catalogs(locales, course, ("en", "ar", "so", "ti", "fa", "uk"))
    week = tmp_path / "lessons" / "week01-start.yaml"
    old = "Hej! Du loggar in med Mobilt BankID."
    week.write_text(week.read_text().replace(old, "Hej! Välkommen till kursen."))
    hello = "w01/start/hello/text"
    for language in ("ar", "so"):  # never translated
        catalog = read_catalog(po(locales, language))
        catalog.delete(next(m.id for m in catalog if m.context == hello), context=hello)
        write_catalog(po(locales, language), catalog)
    catalog = read_catalog(po(locales, "fa"))  # the translator has seen the change
    message = next(m for m in catalog if m.context == hello)
    catalog.delete(message.id, context=hello)
    catalog.add("Hej! Välkommen till kursen.", message.string, context=hello, flags=["fuzzy"])
    write_catalog(po(locales, "fa"), catalog)
    monkeypatch.chdir(tmp_path)
    result = run_check("lessons", "locales")
    assert [line for line in result.lines() if "warning" in line] == [
        # ar and so lost the entry; the others keep the old wording's (fuzzy), fa flagged.
        "lessons/week01-start.yaml:12:9: warning: text changed: the translation is missing in"
        " ar and so, and fuzzy in en, ti, fa and uk"
    ]


@pytest.mark.parametrize(
    ("translation", "language", "wrong"),
    [
        ("أرسل mejl", "ar", False),  # a Swedish term in another form than in the source
        ("Google Play", "fa", False),  # a name
        ("Hej och välkommen! Du har en coach som hjälper dig.", "ar", True),  # untranslated
        ("Ku gal Mobilt BankID", "so", False),
        ("Натисніть Mobilt BankID", "uk", False),
        ("Mobilt BankID ተጠቐም", "ti", False),
        ("Press Mobilt BankID", "ti", True),
    ],
)
def test_script_rule(translation: str, language: str, wrong: bool) -> None:
    kept = frozenset({"hej", "och", "välkommen", "du", "har", "en", "coach", "som", "hjälper"})
    kept |= {"mejla", "mobilt", "bankid", "google", "play"}
    assert (script_problem(translation, language, kept) is not None) is wrong


def test_placeholder_rule() -> None:
    assert placeholder_problems(["{n} of {total}"], ["{total} ውሽጢ {n}"]) == []
    assert placeholder_problems(["100 % done, {{x}}"], ["100 % klart, {{x}}"]) == []
    assert placeholder_problems(["%(name)s"], ["%(namn)s"]) == [
        ("error", "the translation has %(namn)s, which the source text does not have"),
        ("warning", "the translation leaves out %(name)s"),
    ]


def test_right_to_left_length_counts_the_marks_the_bot_adds() -> None:
    assert shown_length("مرحبا", rtl=False) == 5
    assert shown_length("مرحبا BankID\nمرحبا", rtl=True) == 18 + 2 + 2
    assert shown_length("👍", rtl=False) == 2


def test_the_written_out_names_and_directions_are_cldrs() -> None:
    """The table that spares the bot Babel's CLDR data says what Babel would."""
    from bot.i18n.languages import (
        LANGUAGES,
        NATIVE_NAMES,
        RIGHT_TO_LEFT,
        cldr_is_rtl,
        cldr_native_name,
    )

    assert set(NATIVE_NAMES) == set(LANGUAGES)
    assert {code: cldr_native_name(code) for code in LANGUAGES} == NATIVE_NAMES
    assert {code for code in LANGUAGES if cldr_is_rtl(code)} == RIGHT_TO_LEFT
