"""The local preview: its page, its live updates and the lesson reloads a trainer relies on.

The real bot runs against an emulator that carries the preview page, on a copy
of the lessons, so breaking and fixing a lesson here never touches the course.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.course.model import Course
from bot.emulator.state import EmulatorState
from bot.preview.server import Preview, PreviewPage
from bot.preview.watch import LessonStatus, LessonWatcher
from bot.telegram import callbacks
from tests.conftest import ROOT, RunningBot
from tests.emulator_client import EmulatorClient

ERIK = 1002
WEEK_ONE = "week01-valkommen.yaml"


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the preview did not get there in time")
        await asyncio.sleep(0.05)


async def lesson_status(http: aiohttp.ClientSession, preview: Preview) -> dict[str, Any]:
    async with http.get(f"{preview.emulator.url}/emulator/lessons/status") as response:
        assert response.status == 200
        status: dict[str, Any] = await response.json()
        return status


async def press(users: EmulatorClient, user_id: int, data: str) -> None:
    for message in reversed(await users.bot_messages(user_id)):
        if any(b.get("data") == data for row in message["buttons"] for b in row):
            await users.press(user_id, message["message_id"], data)
            await users.idle()
            return
    raise AssertionError(f"no button {data!r}")


async def join_in_swedish(users: EmulatorClient) -> str:
    """/start, svenska, agree; the text of the first step the bot shows."""
    await users.send(ERIK, "/start", first_name="Erik", language_code="sv")
    await users.idle()
    await press(users, ERIK, callbacks.language("sv"))
    await press(users, ERIK, callbacks.consent(True))
    await press(users, ERIK, callbacks.window("afternoon"))
    shown: str = (await users.bot_messages(ERIK))[-1]["text"]
    return shown


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


async def test_the_page_is_served_with_its_persona_switcher(preview: Preview) -> None:
    async with aiohttp.ClientSession(preview.emulator.url) as http:
        async with http.get("/") as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            page = await response.text()
        assert 'id="persona"' in page and 'id="new-participant"' in page
        assert '<label for="text"' in page
        for asset, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
            async with http.get(f"/page/{asset}") as response:
                assert response.status == 200 and response.content_type == kind
        async with http.get("/page/../preview.py") as response:
            assert response.status == 404


async def test_the_websocket_pushes_a_chat_when_it_changes(
    preview: Preview, users: EmulatorClient
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{preview.emulator.url}/emulator/live?user_id={ERIK}") as ws,
    ):
        first = await ws.receive_json(timeout=5)
        assert first == {
            "type": "chat",
            "user_id": ERIK,
            "chat": preview.emulator.state.chat_view(ERIK),
        }
        await users.send(ERIK, "Hej!", first_name="Erik")
        pushed = await next_chat(ws)
        assert [m["text"] for m in pushed["messages"]] == ["Hej!"]
        await ws.send_str(json.dumps({"user_id": 1001}))  # the page switched persona
        assert (await next_chat(ws))["messages"] == []


async def next_chat(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        message = await ws.receive_json(timeout=5)
        if message["type"] == "chat":
            chat: dict[str, Any] = message["chat"]
            return chat


async def test_another_sites_page_cannot_follow_a_chat(preview: Preview) -> None:
    url = f"{preview.emulator.url}/emulator/live?user_id={ERIK}"
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url, origin="https://evil.example")
        assert refused.value.status == 403


async def test_a_broken_lesson_keeps_the_last_good_course_until_it_is_fixed(
    preview: Preview, bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    assert bot.application is not None
    preview.attach(bot.application.bot_data["runtime"], bot.settings)
    lesson_file = bot.settings.lessons_dir / WEEK_ONE
    good = lesson_file.read_text(encoding="utf-8")
    old_text = course.weeks[0].lessons[0].steps[0].text.sv.splitlines()[0]
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{preview.emulator.url}/emulator/live?user_id={ERIK}") as ws,
    ):
        broken = good.replace("      - id: bot\n", "      - id: bot\n        colour: red\n", 1)
        lesson_file.write_text(broken, encoding="utf-8")

        async def reported() -> bool:
            return not (await lesson_status(http, preview))["ok"]

        await eventually(reported)
        status = await lesson_status(http, preview)
        line = line_of(broken, "colour: red")
        assert any(f"{WEEK_ONE}:{line}:" in e and "colour" in e for e in status["errors"])
        assert "1 error" in status["summary"]
        pushed = await next_lessons(ws, ok=False)  # the banner goes up on the open page
        assert pushed["errors"] == status["errors"]

        assert old_text in await join_in_swedish(users)  # still the last good course

        new_text = "Hej och varmt välkommen till Räkna med mig!"
        lesson_file.write_text(good.replace(old_text, new_text, 1), encoding="utf-8")

        async def fixed() -> bool:
            return bool((await lesson_status(http, preview))["ok"])

        await eventually(fixed)
        assert (await lesson_status(http, preview))["errors"] == []
        assert (await next_lessons(ws, ok=True))["reloads"] == 1  # and comes down again
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    shown = (await users.bot_messages(ERIK))[-1]["text"]
    assert new_text in shown and old_text not in shown


async def next_lessons(ws: aiohttp.ClientWebSocketResponse, ok: bool) -> dict[str, Any]:
    """The first lesson status pushed that is (not) ok; earlier pushes may be older news."""
    while True:
        message: dict[str, Any] = await ws.receive_json(timeout=15)
        if message["type"] == "lessons" and message["ok"] is ok:
            return message


async def test_edited_translations_are_compiled_and_reloaded(
    preview: Preview, bot: RunningBot, tmp_path: Path
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales, ignore=shutil.ignore_patterns("*.mo"))
    bot.with_settings(locales_dir=locales)
    await bot.restart()
    assert bot.application is not None
    preview.attach(bot.application.bot_data["runtime"], bot.settings)
    assert preview.watcher is not None
    po = locales / "en" / "LC_MESSAGES" / "bot.po"
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    async def compiled() -> bool:
        return po.with_suffix(".mo").exists()

    await eventually(compiled)


def test_a_photo_shows_the_alt_its_lesson_wrote_for_it() -> None:
    page = PreviewPage(EmulatorState())
    page.alts = {"phone-0123.png": "En telefon."}.get
    chat = {
        "messages": [
            {"photo": {"file_name": "phone-0123.png"}},
            {"photo": {"file_name": "someone-elses.jpg"}},
            {"text": "Hej"},
        ]
    }
    shown = page.describe_pictures(chat)["messages"]
    assert shown[0]["photo"]["alt"] == "En telefon."
    assert "alt" not in shown[1]["photo"]


@dataclass
class Holder:
    """Where a watcher puts a course that checks clean; here, only to see that it did not."""

    course: Course
    file_ids: dict[Path, str] = field(default_factory=dict)


async def first_status(lessons: Path, course: Course) -> LessonStatus:
    """The banner a watcher shows for the lessons as they are when it starts."""
    published: asyncio.Queue[LessonStatus] = asyncio.Queue()
    holder = Holder(course)
    watcher = LessonWatcher(holder, lessons, ROOT / "locales", on_status=published.put_nowait)
    watcher.start()
    try:
        status = await asyncio.wait_for(published.get(), timeout=15)
    finally:
        await watcher.stop()
    assert holder.course is course
    return status


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda text: text.replace("Hej", "He\x00j", 1), "an invisible NUL character"),
        (lambda text: text.replace("Hej", "He\ufffej", 1), "U+FFFE"),
        (lambda text: text.replace("id: w01", "id: &w w01", 1), "anchor (&w)"),
    ],
    ids=["nul", "non-character", "anchor"],
)
async def test_the_banner_shows_a_file_that_cannot_be_read(
    damage: Callable[[str], str], says: str, tmp_path: Path, course: Course
) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", lessons)
    good = (lessons / WEEK_ONE).read_text(encoding="utf-8")
    broken = damage(good)
    (lessons / WEEK_ONE).write_text(broken, encoding="utf-8")
    changed = next(n for n, (a, b) in enumerate(zip(good, broken, strict=False)) if a != b)
    status = await first_status(lessons, course)
    assert not status.ok
    line = good[:changed].count("\n") + 1
    assert [e for e in status.errors if f"{WEEK_ONE}:{line}:" in e and says in e]


async def test_the_banner_shows_a_fault_in_the_checker(
    tmp_path: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(directory: object, *rest: object) -> None:
        raise MemoryError("the loader ran out of memory")

    monkeypatch.setattr("bot.authoring.check.read_course", crash)
    status = await first_status(ROOT / "lessons", course)
    assert not status.ok
    assert "could not be checked (MemoryError: the loader ran out of memory)" in status.errors[0]
