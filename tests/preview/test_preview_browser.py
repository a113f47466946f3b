"""The preview page in a real browser: a trainer takes a lesson by clicking, as a person would.

Headless Debian Chromium driven by Playwright, against the real bot and the
emulator in this test's event loop. Playwright must never download a browser
(``playwright install`` cannot work here): it starts /usr/bin/chromium, which
`make test` installs with apt when it is missing.

UPDATE_SCREENSHOT=1 also writes docs/preview.png, the picture in the README.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.async_api import FilePayload, Page, ViewportSize, async_playwright, expect

from bench.simulation import PDF, Press, SimulatedParticipant
from bot.course.grading import shown_order
from bot.course.model import Course
from bot.i18n.translator import translator
from bot.preview.server import Preview
from bot.telegram import callbacks
from tests.conftest import ROOT, RunningBot
from tests.emulator_client import EmulatorClient

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = ViewportSize(width=390, height=844)
SCREENSHOT = ROOT / "docs" / "preview.png"
AMINA, ERIK = 1001, 1002


def require_chromium() -> None:
    """CI must run this test; a developer without Chromium may go on without it."""
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} is missing: `make chromium` (part of `make test`) installs Debian's "
        "chromium with apt-get; never `playwright install`, which downloads its own browser"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
async def page(preview: Preview) -> AsyncIterator[Page]:
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
        page = await context.new_page()
        page.set_default_timeout(30_000)  # a cap on waiting for events, not a wait
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page
        finally:
            await browser.close()
        assert errors == [], f"the page threw: {errors}"


async def open_chat(page: Page, preview: Preview, user_id: int) -> None:
    await page.goto(f"{preview.emulator.url}/?user={user_id}")
    await page.wait_for_selector('#connection[data-state="live"]')


async def send(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def synced(page: Page, users: EmulatorClient, user_id: int) -> None:
    """Wait until the bot is idle and the page shows every message exactly as the chat has it.

    The page posts presses and files on its own, so the emulator may not have them yet when
    this starts: compare again until both sides agree rather than trust one snapshot.
    """
    shown: list[list[Any]] = []
    expected: list[list[Any]] = []
    for _ in range(150):
        await users.idle()
        chat = await users.chat(user_id)
        expected = [
            [m["message_id"], m["text"] or m["caption"] or ""]
            for m in chat["messages"]
            if not m["deleted"]
        ]
        shown = await page.eval_on_selector_all(
            "#messages article.msg",
            """els => els.map(m => [
                Number(m.dataset.messageId), m.querySelector('.text')?.textContent ?? ''
            ])""",
        )
        if shown == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the page shows {shown}, the chat holds {expected}")


async def click(page: Page, users: EmulatorClient, user_id: int, data: str) -> None:
    """Click the newest button carrying this callback data, then wait for the answer."""
    await page.locator(f'button[data-callback="{data}"]').last.click()
    await synced(page, users, user_id)


async def texts(page: Page) -> list[str]:
    shown: list[str] = await page.eval_on_selector_all(
        "#messages article.msg .text", "nodes => nodes.map(n => n.textContent)"
    )
    return shown


async def join(page: Page, users: EmulatorClient, user_id: int, language: str) -> None:
    await send(page, "/start")
    await synced(page, users, user_id)
    await click(page, users, user_id, callbacks.language(language))
    await click(page, users, user_id, callbacks.consent(True))
    await click(page, users, user_id, callbacks.window("afternoon"))


async def play_until(
    page: Page, users: EmulatorClient, player: SimulatedParticipant, wanted: str
) -> None:
    """Click what a good student clicks until the page shows ``wanted``."""
    for _ in range(80):
        if any(wanted in text for text in await texts(page)):
            return
        message = await player.last_with_buttons()
        if message is None:  # the last card's buttons went: the page catches up first
            await synced(page, users, player.user_id)
            continue
        choice = player.choose(message)
        assert isinstance(choice, Press), f"nothing to click in {message}"
        await click(page, users, player.user_id, choice.data)
    raise AssertionError(f"the page never showed {wanted!r}")


async def test_a_lesson_and_its_quiz_by_clicking_in_the_browser(
    page: Page, preview: Preview, bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await open_chat(page, preview, ERIK)
    assert await page.input_value("#persona") == str(ERIK)
    await join(page, users, ERIK, "sv")
    lesson = course.weeks[0].lessons[0]
    assert lesson.quiz is not None
    assert lesson.steps[0].text.sv in (await texts(page))[-1]

    tr = translator(ROOT / "locales", "sv")
    done = tr._("🎉 Lesson done: {title}").format(title=lesson.title.sv)
    await play_until(page, users, SimulatedParticipant(users, course, ERIK), done)
    shown = await texts(page)
    for step in lesson.steps:
        assert any(step.text.sv in text for text in shown)
    first = lesson.quiz.questions[0]
    why = next(o.feedback for o in first.options if o.correct)
    assert why is not None
    assert any(text.startswith(f"✅ {why.sv}") for text in shown)
    passed = tr._("Well done, you passed the quiz!")
    assert any(passed in text and done in text for text in shown)


async def test_a_new_participant_attaches_a_file(
    page: Page, preview: Preview, bot: RunningBot, users: EmulatorClient
) -> None:
    await open_chat(page, preview, ERIK)
    await page.click("#new-participant")
    await expect(page.locator("#persona")).to_have_value(re.compile(r"^[2-9]\d{3,}$"))
    user_id = int(await page.input_value("#persona"))
    assert user_id > 2000
    await page.click('#empty button[data-command="/start"]')
    await synced(page, users, user_id)
    picker = page.locator(f'button[data-callback="{callbacks.language("ar")}"]')
    assert await picker.inner_text() == "العربية"

    cv = FilePayload(name="CV.pdf", mimeType="application/pdf", buffer=PDF)
    await page.set_input_files("#file", files=[cv])
    # the page posts the file on its own: wait until it is in the chat, then for the bot
    await page.locator("article.msg.user .file-chip", has_text="CV.pdf").wait_for()
    await synced(page, users, user_id)
    sent = [m for m in (await users.chat(user_id))["messages"] if m["from"] == "user"]
    assert sent[-1]["document"]["file_name"] == "CV.pdf"
    assert sent[-1]["document"]["mime_type"] == "application/pdf"


async def test_the_page_shows_a_broken_lesson_until_it_is_fixed(
    page: Page, preview: Preview, bot: RunningBot
) -> None:
    assert bot.application is not None
    preview.attach(bot.application.bot_data["runtime"], bot.settings)
    await open_chat(page, preview, ERIK)
    banner = page.locator("#lessons-banner")
    lesson_file = bot.settings.lessons_dir / "week01-valkommen.yaml"
    good = lesson_file.read_text(encoding="utf-8")
    lesson_file.write_text(good.replace("    steps:\n", "    stesp:\n", 1), encoding="utf-8")
    await banner.wait_for(state="visible")
    errors = await page.locator("#lessons-errors li").all_inner_texts()
    assert any("week01-valkommen.yaml:" in line and "stesp" in line for line in errors)

    lesson_file.write_text(good, encoding="utf-8")
    await banner.wait_for(state="hidden")
    await page.locator(".toast.ok", has_text="Lessons reloaded").wait_for()


async def test_arabic_reads_right_to_left(
    page: Page, preview: Preview, bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    """Also the README's picture: Amina's chat in Arabic, on a phone-sized page."""
    await open_chat(page, preview, AMINA)
    await join(page, users, AMINA, "ar")
    tr = translator(ROOT / "locales", "ar")
    player = SimulatedParticipant(users, course, AMINA)
    await play_until(page, users, player, tr._("✅ Right!"))
    bubbles = page.locator("article.msg.bot .text")
    assert await bubbles.count() > 3
    directions: list[dict[str, Any]] = await bubbles.evaluate_all(
        "nodes => nodes.map(n => ({dir: n.dir, css: getComputedStyle(n).direction}))"
    )
    assert all(d == {"dir": "rtl", "css": "rtl"} for d in directions[1:])  # after the picker
    picture = await page.screenshot()
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(picture)


# Every letter, digit, symbol and punctuation mark shown, drawn on a canvas in the chat's
# font: one drawn exactly like a character no font has (U+10FFFD, the missing-glyph box)
# or drawn as nothing at all has no font on this machine, and a phone would show it right.
MISSING_GLYPHS = """
([texts, every]) => {
  const canvas = document.createElement('canvas');
  canvas.width = 96; canvas.height = 64;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const bubble = document.querySelector('#messages article.msg.bot .text') || document.body;
  g.font = `40px ${getComputedStyle(bubble).fontFamily}`;
  const draw = (ch) => {
    g.clearRect(0, 0, 96, 64);
    g.fillText(ch, 8, 48);
    return g.getImageData(0, 0, 96, 64).data.filter((_, i) => i % 4 === 3).join(',');
  };
  const box = draw('\\u{10FFFD}');
  const blank = draw(' ');
  const shown = new Set();
  for (const text of texts)
    for (const ch of text) if (every || /[\\p{L}\\p{N}\\p{S}\\p{P}]/u.test(ch)) shown.add(ch);
  return [...shown].filter(ch => { const d = draw(ch); return d === box || d === blank; });
}
"""


async def missing_glyphs(page: Page, shown: list[str], every: bool = False) -> list[str]:
    """The characters drawn as the missing-glyph box; ``every`` checks controls and spaces too."""
    missing: list[str] = await page.evaluate(MISSING_GLYPHS, [shown, every])
    return missing


async def test_the_missing_glyph_check_sees_a_missing_glyph(page: Page, preview: Preview) -> None:
    await open_chat(page, preview, ERIK)
    assert await missing_glyphs(page, ["a\U0010fffd"], every=True) == ["\U0010fffd"]
    assert await missing_glyphs(page, ["ሰላም مرحبا 🎉✅"]) == []


@pytest.mark.parametrize("language", ["ar", "ti", "sv"])
async def test_every_glyph_of_a_lesson_renders(
    page: Page,
    preview: Preview,
    bot: RunningBot,
    users: EmulatorClient,
    course: Course,
    language: str,
    tmp_path: Path,
) -> None:
    """A lesson in Arabic, Tigrinya (Ge'ez) and Swedish, emoji and all: no empty boxes.

    SCREENSHOTS=dir keeps the pictures there, to look at.
    """
    await open_chat(page, preview, AMINA)
    await join(page, users, AMINA, language)
    player = SimulatedParticipant(users, course, AMINA)
    lesson = course.weeks[0].lessons[0]
    assert lesson.quiz is not None
    while stored_stage_item(bot, AMINA) != lesson.quiz.questions[1].id:
        message = await player.last_with_buttons()
        assert message is not None
        choice = player.choose(message)
        assert isinstance(choice, Press)
        await click(page, users, AMINA, choice.data)
    shown: list[str] = await page.eval_on_selector_all(
        "#messages article.msg .text, #messages button", "nodes => nodes.map(n => n.textContent)"
    )
    assert await missing_glyphs(page, shown) == []
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    (folder / f"preview-{language}.png").write_bytes(await page.screenshot())


def stored_stage_item(bot: RunningBot, user_id: int) -> str | None:
    from tests.test_bot_e2e import stored_progress

    return stored_progress(bot, user_id).item_id


def pictures_course(course: Course, folder: Path) -> Path:
    """A one-lesson course of three of the real course's steps with pictures (weeks 1, 5
    and 9) and its picture answer, drawn from the same files, so the page is seen there."""
    shutil.copytree(ROOT / "lessons" / "media", folder / "media")
    steps = [
        next(s for lesson in course.weeks[n].lessons for s in lesson.steps if s.image)
        for n in (0, 4, 8)
    ]
    question = next(
        q
        for lesson in course.lessons
        for q in (lesson.quiz.questions if lesson.quiz else ())
        if q.pictured
    )
    week = {
        "id": "w01",
        "number": 1,
        "theme": "Bilder",
        "title": "Bilder",
        "lessons": [
            {
                "id": "pictures",
                "title": "Bilder",
                "steps": [
                    {
                        "id": s.id,
                        "text": s.text.sv,
                        "image": s.image,
                        "alt": s.alt.sv if s.alt else "",
                    }
                    for s in steps
                ],
                "quiz": {
                    "questions": [
                        {
                            "id": question.id,
                            "kind": "single",
                            "text": question.text.sv,
                            "options": [
                                {
                                    "id": o.id,
                                    "text": o.text.sv,
                                    "image": o.image,
                                    "alt": o.alt.sv if o.alt else "",
                                    "correct": o.correct,
                                    **({"feedback": o.feedback.sv} if o.feedback else {}),
                                }
                                for o in question.options
                            ],
                        }
                    ]
                },
            }
        ],
    }
    (folder / "course.yaml").write_text(
        "# yaml-language-server: $schema=schema/course.schema.json\n"
        "id: bilder\ntitle: Bilder\nweeks:\n  - week01-bilder.yaml\n",
        encoding="utf-8",
    )
    body = yaml.safe_dump(week, allow_unicode=True, sort_keys=False, width=1000)
    (folder / "week01-bilder.yaml").write_text(
        "# yaml-language-server: $schema=schema/week.schema.json\n" + body, encoding="utf-8"
    )
    return folder


ALL_LOADED = """
() => [...document.querySelectorAll('#messages img')]
  .every(img => img.complete && img.naturalWidth > 0)
"""


async def pictures_loaded(page: Page) -> list[dict[str, Any]]:
    """Every picture in the chat, once each has loaded: its size as decoded, and its alt."""
    await page.evaluate(
        "() => document.querySelector('#messages').lastElementChild?.scrollIntoView()"
    )
    await page.wait_for_function(ALL_LOADED)
    found: list[dict[str, Any]] = await page.eval_on_selector_all(
        "#messages img", "imgs => imgs.map(i => ({width: i.naturalWidth, alt: i.alt}))"
    )
    return found


async def test_pictures_and_a_picture_answer_at_phone_size(
    page: Page,
    preview: Preview,
    settings: Any,
    users: Any,
    course: Course,
    tmp_path: Path,
) -> None:
    """Three steps with pictures and the album of a picture answer, as a phone shows them.

    SCREENSHOTS=dir keeps the pictures there, to look at.
    """
    from dataclasses import replace

    from bot.course.loader import load_course

    lessons = pictures_course(course, tmp_path / "pictures")
    small = load_course(lessons)
    running = RunningBot(replace(settings, lessons_dir=lessons), small, users.emulator)
    users.bots.append(running)
    await running.start()
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    try:
        assert running.application is not None
        preview.attach(running.application.bot_data["runtime"], running.settings)
        await open_chat(page, preview, ERIK)
        await join(page, users, ERIK, "sv")
        lesson = small.weeks[0].lessons[0]
        for n, step in enumerate(lesson.steps, 1):
            shown = await pictures_loaded(page)
            assert len(shown) == n and all(p["width"] > 0 for p in shown)
            assert step.alt is not None and shown[-1]["alt"] == step.alt.sv
            (folder / f"preview-picture-{n}.png").write_bytes(await page.screenshot())
            await click(page, users, ERIK, callbacks.next_step(lesson.id, step.id))

        album = page.locator("#messages .album").last
        await album.wait_for()
        assert await album.locator("article.msg").count() == 3
        assert await album.locator(".text").all_inner_texts() == ["A", "B", "C"]
        shown = await pictures_loaded(page)
        assert len(shown) == 6 and all(p["width"] > 0 for p in shown)
        assert lesson.quiz is not None
        question = lesson.quiz.questions[0]
        alts = {o.alt.sv for o in question.options if o.alt}
        assert {p["alt"] for p in shown[3:]} == alts
        box = await album.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        buttons = page.locator("#messages article.msg").last.locator(".keyboard button")
        assert (await buttons.all_inner_texts())[:3] == ["A", "B", "C"]  # then 🔊 Lyssna
        (folder / "preview-album.png").write_bytes(await page.screenshot())

        order = shown_order(question, str(ERIK))
        right = callbacks.choose(lesson.id, question, 0, order, "bank")
        await click(page, users, ERIK, right)
        verdict = next(o.feedback for o in question.options if o.correct)
        assert verdict is not None
        assert any(verdict.sv in text for text in await texts(page))
        (folder / "preview-album-answered.png").write_bytes(await page.screenshot())
    finally:
        await running.stop()
