"""The shipped catalogs: current with the code and the lessons, and complete."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from bot.i18n.catalogs import extract_ui_strings, read_catalog

ROOT = Path(__file__).resolve().parents[1]


def test_bot_pot_holds_every_string_the_code_marks() -> None:
    """A string marked in code but missing from bot.pot would never be translated."""
    in_code = {m.id for m in extract_ui_strings() if m.id}
    in_template = {m.id for m in read_catalog(ROOT / "locales" / "bot.pot") if m.id}
    assert in_code - in_template == set(), "run: python -m bot i18n update"
    assert in_template - in_code == set(), "bot.pot has strings the code no longer uses"


def test_every_language_is_complete_for_lessons_and_ui(capsys: object) -> None:
    code = main(
        [
            "lessons",
            "coverage",
            str(ROOT / "lessons"),
            "--locales",
            str(ROOT / "locales"),
            "--min",
            "100",
        ]
    )
    assert code == 0
