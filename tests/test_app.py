"""Starting the bot: settings, and refusing to start on a broken course."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_run_refuses_a_broken_course_and_names_file_and_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = ROOT / "tests" / "fixtures" / "lessons" / "broken" / "syntax"
    monkeypatch.setenv("LESSONS_DIR", str(broken))
    monkeypatch.setenv("DATABASE", str(tmp_path / "never.sqlite3"))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's tree
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert ".yaml:" in err and "fix them" in err
    assert not (tmp_path / "never.sqlite3").exists()  # nothing started


def test_settings_come_from_the_environment_over_a_dotenv_file(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# a comment\nBOT_TOKEN='123:abc'\nexport DATABASE=/data/bot.sqlite3\nPORT=9000\n",
        encoding="utf-8",
    )
    settings = load_settings({"PORT": "8443"}, dotenv)
    assert settings.bot_token == "123:abc"
    assert str(settings.database) == "/data/bot.sqlite3"
    assert settings.port == 8443
    assert load_settings({}, tmp_path / "missing").bot_token is None
