"""``python -m bot db copy``: SQLite to PostgreSQL and back, verified row by row."""

from __future__ import annotations

import argparse
import asyncio
import random
from pathlib import Path

import pytest

from bot.course.model import Course
from bot.ops.copy import CopyError, copy, copy_and_verify, copy_command
from bot.storage import groups, invites, open_database
from bot.storage.records import InviteKind
from tests import databases
from tests.test_report_tallies import NOW, random_history

pytestmark = pytest.mark.postgresql_only


async def filled_sqlite(path: Path, course: Course) -> None:
    async with await open_database(path) as db:
        await random_history(db, course, random.Random(11))
        group = await groups.create_group(db, "Nässjö", NOW.date(), now=NOW)
        await invites.create_invite(
            db, "ab" * 32, InviteKind.PARTICIPANT, group.id, None, 5, NOW, now=NOW
        )
        await invites.record_start_attempt(db, 4711, NOW)


async def test_an_installation_moves_to_postgresql_and_back_unchanged(
    tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bot.sqlite3"
    await filled_sqlite(source, course)
    server = str(databases.address(tmp_path / "moved"))
    back = tmp_path / "back.sqlite3"

    args = argparse.Namespace(source=str(source), target=server)
    assert await asyncio.to_thread(copy_command, args) == 0
    assert "verified row by row" in capsys.readouterr().out
    copied = await copy_and_verify(server, str(back))
    assert (
        copied["answers"] > 100
        and copied["participants"]
        == databases.query(source, "SELECT COUNT(*) FROM participants")[0][0]
    )

    assert databases.snapshot(back) == databases.snapshot(source)
    for tallies in ("answer_counts", "quiz_tallies", "first_answers"):
        assert databases.snapshot(server)[tallies] == databases.snapshot(source)[tallies]
    # New rows on PostgreSQL get fresh ids after the copied ones.
    async with await open_database(server) as db:
        group = await groups.create_group(db, "Ny", NOW.date(), now=NOW)
        assert group.id > max(r[0] for r in databases.query(source, "SELECT id FROM groups"))


async def test_a_copy_into_a_database_with_rows_is_refused(tmp_path: Path, course: Course) -> None:
    source = tmp_path / "bot.sqlite3"
    await filled_sqlite(source, course)
    server = databases.address(tmp_path / "busy")
    async with await open_database(server) as target:
        await groups.create_group(target, "Redan här", NOW.date(), now=NOW)
        async with await open_database(source) as db:
            with pytest.raises(CopyError, match="not empty"):
                await copy(db, target)
        assert databases.query(server, "SELECT COUNT(*) FROM groups") == [(1,)]
