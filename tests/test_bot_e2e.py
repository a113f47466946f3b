"""The participant's bot end to end: the real Application polling the emulator over HTTP."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.simulation import Press, SimulatedParticipant
from bot import clock
from bot.course.limits import utf16_len
from bot.course.model import Course
from bot.course.progress import Progress, Stage
from bot.i18n.languages import native_name
from bot.i18n.text import FSI, RLM
from bot.i18n.translator import translator
from bot.storage import actions, groups, participants, reviews, scheduled
from bot.telegram import callbacks
from tests import databases
from tests.conftest import ROOT, RunningBot, started
from tests.emulator_client import EmulatorClient

AMINA, ERIK, OTHER = 501, 502, 503


def rows(bot: RunningBot, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return databases.query(bot.settings.database, sql, *params)


def stored_progress(bot: RunningBot, user_id: int) -> Progress:
    found = rows(
        bot,
        "SELECT state FROM progress JOIN participants p ON p.id = participant_id"
        " WHERE p.telegram_id = ?",
        user_id,
    )
    return Progress.from_json(found[0][0] if found else None)


def answer_count(bot: RunningBot, user_id: int) -> int:
    return rows(
        bot,
        "SELECT count(*) FROM answers JOIN participants p ON p.id = participant_id"
        " WHERE p.telegram_id = ?",
        user_id,
    )[0][0]


async def button(users: EmulatorClient, user_id: int, starts: str) -> tuple[int, str]:
    """The newest bot message's button whose data starts with ``starts``."""
    for message in reversed(await users.bot_messages(user_id)):
        for row in message.get("buttons") or []:
            for b in row:
                if b.get("data", "").startswith(starts):
                    return message["message_id"], b["data"]
    raise AssertionError(f"no button {starts!r} in the chat of {user_id}")


async def join(
    users: EmulatorClient,
    user_id: int,
    language: str,
    name: str = "Amina",
    window: str | None = "afternoon",
) -> None:
    """/start, the language, agree, the reminder time: they stand on week 1's first step.

    ``window=None`` stops at the reminder question, which then waits for an answer.
    """
    await users.send(user_id, "/start", first_name=name, language_code=language)
    await users.idle()
    await users.press(user_id, *await button(users, user_id, callbacks.language(language)))
    await users.idle()
    await users.press(user_id, *await button(users, user_id, callbacks.consent(True)))
    await users.idle()
    if window is not None:  # the reminder time: then the course begins
        await users.press(user_id, *await button(users, user_id, callbacks.window(window)))
        await users.idle()


async def right_answer_to_first_question(
    bot: RunningBot, users: EmulatorClient, course: Course, user_id: int
) -> Press:
    """Read up to the first question; the press that answers it right (not yet made)."""
    player = SimulatedParticipant(users, course, user_id)
    while stored_progress(bot, user_id).stage is not Stage.QUESTION:
        await player.step()
        await users.idle()
    message = await player.last_with_buttons()
    assert message is not None
    press = player.choose(message)
    assert isinstance(press, Press)
    return press


async def take_week(
    users: EmulatorClient,
    course: Course,
    user_id: int,
    week_number: int,
    bot: RunningBot | None = None,
) -> None:
    """Answer well until the week is done: the next week is offered, or (with ``bot``, for a
    paced group whose next week is still closed) every lesson of the week is passed."""
    player = SimulatedParticipant(users, course, user_id)
    week = course.weeks[week_number - 1]
    next_week = course.weeks[week_number].lessons[0].id if week_number < len(course.weeks) else None
    for _ in range(400):
        if bot is not None and all(
            stored_progress(bot, user_id).passed(lesson.id) for lesson in week.lessons
        ):
            return
        message = await player.last_with_buttons()
        if message and any(
            b.get("data") == callbacks.begin(next_week or "")
            for row in message["buttons"]
            for b in row
        ):
            return
        assert await player.step() is not None, f"stuck in week {week.number}"
        await users.idle()
    raise AssertionError("the week did not end")


async def test_a_participant_takes_week_one_in_swedish(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    first = (await users.bot_messages(ERIK))[-1]
    lesson = course.weeks[0].lessons[0]
    assert lesson.steps[0].text.sv in first["text"]
    await take_week(users, course, ERIK, 1)
    texts = [m["text"] or "" for m in await users.bot_messages(ERIK)]
    week_title = course.weeks[0].title.sv
    assert any(week_title in t and "1" in t for t in texts)  # "You finished week 1: …"
    progress = stored_progress(bot, ERIK)
    assert all(progress.passed(lesson.id) for lesson in course.weeks[0].lessons)
    assert progress.stage is Stage.READY
    questions = sum(len(x.quiz.questions) for x in course.weeks[0].lessons if x.quiz)
    assert answer_count(bot, ERIK) == questions  # a good student: one right answer each
    assert all(RLM not in t for t in texts)


async def test_a_participant_takes_week_one_in_arabic(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await users.send(AMINA, "/start", first_name="أمينة", language_code="ar")
    await users.idle()
    picker = (await users.bot_messages(AMINA))[-1]
    names = [row[0]["text"] for row in picker["buttons"]]
    assert native_name("ar") in names and "دری / فارسی" in names and "svenska" in names
    await users.press(AMINA, *await button(users, AMINA, callbacks.language("ar")))
    await users.idle()
    consent = (await users.bot_messages(AMINA))[-1]
    assert consent["text"].startswith(RLM)
    await users.press(AMINA, *await button(users, AMINA, callbacks.consent(True)))
    await users.idle()
    await users.press(AMINA, *await button(users, AMINA, callbacks.window("afternoon")))
    await users.idle()
    step = (await users.bot_messages(AMINA))[-1]
    tr = translator(ROOT / "locales", "ar")
    first = course.weeks[0].lessons[0].steps[0]
    assert step["text"].startswith(RLM)
    expected = tr.lesson(first.text).split("\n")[0]
    assert expected.replace(" ", "")[:12] in step["text"].replace(" ", "").replace(FSI, "")
    await take_week(users, course, AMINA, 1)
    texts = [m["text"] or m["caption"] or "" for m in await users.bot_messages(AMINA)]
    assert all(t.startswith(RLM) for t in texts if t)
    term_steps = [s for x in course.weeks[0].lessons for s in x.steps if s.terms]
    if term_steps:
        term = term_steps[0].terms[0].term
        assert any(f"{FSI}{term}" in t for t in texts)
    progress = stored_progress(bot, AMINA)
    assert all(progress.passed(lesson.id) for lesson in course.weeks[0].lessons)


async def test_a_restart_mid_lesson_loses_nothing(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    player = SimulatedParticipant(users, course, ERIK)
    lesson = course.weeks[0].lessons[0]
    for _ in range(len(lesson.steps) + 2):  # through the steps, then two answers
        await player.step()
        await users.idle()
    before = stored_progress(bot, ERIK)
    answers = answer_count(bot, ERIK)
    assert before.stage is Stage.QUESTION and answers == 2
    shown = (await users.bot_messages(ERIK))[-1]["text"]

    await bot.restart()
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    again = (await users.bot_messages(ERIK))[-1]["text"]
    assert shown.endswith(again) and again.startswith("❓")  # the same question, without feedback
    assert stored_progress(bot, ERIK) == before
    assert answer_count(bot, ERIK) == answers


async def test_a_double_press_counts_once(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    press = await right_answer_to_first_question(bot, users, course, ERIK)
    await users.press(ERIK, press.message_id, press.data)
    await users.press(ERIK, press.message_id, press.data)
    await users.idle()
    assert answer_count(bot, ERIK) == 1
    answers = (await users.chat(ERIK))["answers"]
    assert answers[-1]["text"]  # the second press got a polite word, not silence


@pytest.mark.parametrize(
    "forged",
    [
        "\x00\x01garbage\xff",
        "1c|w1-welcome|nope|0|0",
        "1c|{lesson}|{question}|0|0",  # a question that is not the current one
        "1b|{lesson}",  # begin a lesson while inside another
        "1e|{later}",  # repeat a lesson not reached yet
        "1S|delete|maybe",
        "1S|lang|xx",
    ],
)
async def test_forged_presses_are_refused_and_change_nothing(
    bot: RunningBot, users: EmulatorClient, course: Course, forged: str
) -> None:
    await join(users, ERIK, "sv", "Erik")
    second = course.weeks[0].lessons[1]
    assert second.quiz is not None
    data = forged.format(
        lesson=second.id, question=second.quiz.questions[0].id, later=course.lessons[-1].id
    )
    before = stored_progress(bot, ERIK)
    messages = len(await users.bot_messages(ERIK))
    message_id = (await users.bot_messages(ERIK))[-1]["message_id"]
    await users.press(ERIK, message_id, data)
    await users.idle()
    assert stored_progress(bot, ERIK) == before
    new = (await users.bot_messages(ERIK))[messages:]
    way_on = [
        [
            {
                "text": translator(ROOT / "locales", "sv")._("Go on ▶"),
                "data": callbacks.continue_here(),
            }
        ]
    ]
    assert all(m["buttons"] == way_on for m in new)  # at most a button to where they stand
    assert (await users.chat(ERIK))["answers"][-1]["text"]


async def test_another_participants_question_is_refused(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    await join(users, AMINA, "sv", "Amina")
    press = await right_answer_to_first_question(bot, users, course, ERIK)
    before = stored_progress(bot, AMINA)
    await users.press(AMINA, press.message_id, press.data)
    await users.idle()
    assert stored_progress(bot, AMINA) == before
    assert answer_count(bot, AMINA) == 0


async def test_a_finished_quiz_cannot_be_answered_again(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    lesson = course.weeks[0].lessons[0]
    assert lesson.quiz is not None
    player = SimulatedParticipant(users, course, ERIK)
    presses = []
    while not stored_progress(bot, ERIK).passed(lesson.id):
        message = await player.last_with_buttons()
        assert message is not None
        choice = player.choose(message)
        if choice is not None and not isinstance(choice, str):
            presses.append(choice)
        await player.step()
        await users.idle()
    before, answers = stored_progress(bot, ERIK), answer_count(bot, ERIK)
    for press in presses[-3:]:
        await users.press(ERIK, press.message_id, press.data)
    await users.idle()
    assert stored_progress(bot, ERIK) == before
    assert answer_count(bot, ERIK) == answers


async def test_the_practical_task_takes_a_file_and_hints_at_anything_else(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    task_week = next(
        w.number
        for w in course.weeks
        for x in w.lessons
        if x.quiz and any(q.kind == "task" for q in x.quiz.questions)
    )
    for number in range(1, task_week):
        await take_week(users, course, ERIK, number)
    player = SimulatedParticipant(users, course, ERIK)
    for _ in range(300):
        message = await player.last_with_buttons()
        assert message is not None
        if player.choose(message) == "upload":
            break
        await player.step()
        await users.idle()
    before = stored_progress(bot, ERIK)
    await users.upload(ERIK, "voice", "hello.ogg", "audio/ogg", b"OggS fake")
    await users.idle()
    assert stored_progress(bot, ERIK) == before
    hint = (await users.bot_messages(ERIK))[-1]["text"]
    assert hint
    await users.upload(ERIK, "document", "CV_Erik.pdf", "application/pdf", b"%PDF-1.4 secret")
    await users.idle()
    answers = rows(bot, "SELECT answer, correct FROM answers ORDER BY id DESC LIMIT 1")
    assert answers == [("document", 1)]
    dump = databases.dump(bot.settings.database)
    assert "secret" not in dump and "CV_Erik" not in dump


async def test_a_429_is_waited_out_and_the_message_still_arrives(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await users.fault(429, method="sendMessage", retry_after=1, times=1)
    await users.send(ERIK, "/start", first_name="Erik", language_code="sv")
    await users.idle(timeout=20, quiet=2.5)  # longer than the retry_after pause
    picker = (await users.bot_messages(ERIK))[-1]
    assert picker["buttons"]


async def test_a_blocked_participant_crashes_nothing(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    await users.fault(403, user_id=ERIK)
    message_id, data = await button(users, ERIK, "1n")
    await users.press(ERIK, message_id, data)
    await users.idle()
    blocked = rows(bot, "SELECT blocked_at FROM participants WHERE telegram_id = ?", ERIK)
    assert blocked[0][0] is not None
    await users.clear_faults()
    await users.send(AMINA, "/start", first_name="Amina", language_code="sv")
    await users.idle()
    assert (await users.bot_messages(AMINA))[-1]["buttons"]  # the bot still serves others
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    assert (
        rows(bot, "SELECT blocked_at FROM participants WHERE telegram_id = ?", ERIK)[0][0] is None
    )


async def test_declining_consent_keeps_nothing(bot: RunningBot, users: EmulatorClient) -> None:
    shy = 7_340_051_977  # as long as real Telegram ids, so a search for it means something
    await users.send(shy, "/start", first_name="Erik", language_code="sv")
    await users.idle()
    await users.press(shy, *await button(users, shy, callbacks.language("sv")))
    await users.idle()
    await users.press(shy, *await button(users, shy, callbacks.consent(False)))
    await users.idle()
    assert rows(bot, "SELECT count(*) FROM participants") == [(0,)]
    assert str(shy) not in databases.dump(bot.settings.database)  # not even as a newcomer


async def test_mydata_shows_and_delete_erases(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    erik = 7_340_051_923  # as long as real Telegram ids, so a search for it means something
    await join(users, erik, "sv", "Erik")
    await take_week(users, course, erik, 1)
    await users.send(erik, "/mydata", first_name="Erik", language_code="sv")
    await users.idle()
    *said, sent = (await users.bot_messages(erik))[-2:]
    shown = "\n".join(m["text"] for m in said)
    assert "Erik" in shown and course.weeks[0].lessons[0].title.sv in shown
    assert not any(raw in shown for raw in RAW_FIELDS)
    export = json.loads(await users.media(sent["document"]["url"]))
    assert export["profile"]["first_name"] == "Erik"
    assert {a["lesson_id"] for a in export["answers"]} >= {course.weeks[0].lessons[0].id}
    await users.send(erik, "/delete", first_name="Erik", language_code="sv")
    await users.idle()
    await users.press(erik, *await button(users, erik, "1A|erase|"))
    await users.idle()
    dump = databases.dump(bot.settings.database)
    assert str(erik) not in dump and "Erik" not in dump
    assert rows(bot, "SELECT count(*) FROM answers") == [(0,)]


async def test_language_can_change_at_any_time_and_sets_the_menu(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    await users.send(ERIK, "/language", first_name="Erik", language_code="sv")
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.language("uk")))
    await users.idle()
    commands = await users.commands(ERIK)
    tr = translator(ROOT / "locales", "uk")
    assert {c["command"] for c in commands} >= {"continue", "progress", "mydata", "delete"}
    assert any(c["description"] == tr._("see how far you have come") for c in commands)
    last = (await users.bot_messages(ERIK))[-1]
    first_step = course.weeks[0].lessons[0].steps[0]
    assert tr.lesson(first_step.text).split("\n")[0][:20] in last["text"]


RAW_FIELDS = ("telegram_id", "consent_at", "created_at", "last_active_at", "lesson_id", "None")


async def test_progress_names_the_weeks_says_where_you_are_and_leads_on(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "en", "Erik")
    await take_week(users, course, ERIK, 1)
    await users.send(ERIK, "/progress", first_name="Erik", language_code="en")
    await users.idle()
    shown = (await users.bot_messages(ERIK))[-1]
    tr = translator(ROOT / "locales", "en")
    assert f"✅ Week 1: {tr.lesson(course.weeks[0].title)}, done" in shown["text"]
    assert f"👉 Week 2: {tr.lesson(course.weeks[1].title)}, you are here (0 of" in shown["text"]
    assert tr.lesson(course.weeks[9].title) in shown["text"]
    assert shown["buttons"] == [[{"text": tr._("Go on ▶"), "data": callbacks.continue_here()}]]
    await users.press(ERIK, shown["message_id"], callbacks.continue_here())
    await users.idle()
    chat = await users.bot_messages(ERIK)
    assert chat[-1]["buttons"][0][0]["data"] == callbacks.begin(course.weeks[1].lessons[0].id)
    assert [m for m in chat if m["buttons"]] == [chat[-1]]  # only the current card is live


async def test_an_arabic_participant_with_400_answers_reads_mydata_in_full(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, AMINA, "ar", "أمينة")
    lessons = [x for x in course.lessons if x.quiz]
    ((pid,),) = rows(bot, "SELECT id FROM participants WHERE telegram_id = ?", AMINA)
    databases.execute_many(
        bot.settings.database,
        "INSERT INTO answers (participant_id, week_id, lesson_id, question_id, attempt,"
        " correct, answer, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                pid,
                "w01",
                lessons[n % len(lessons)].id,
                f"q{n}",
                1 + n % 2,
                int(n % 3 != 0),
                "a,b",
                "2026-11-20T10:00:00+00:00",
            )
            for n in range(400)
        ],
    )
    before = len(await users.bot_messages(AMINA))
    await users.send(AMINA, "/mydata", first_name="أمينة", language_code="ar")
    await users.idle()
    sent = (await users.bot_messages(AMINA))[before:]
    texts = [m["text"] for m in sent if m["text"]]
    assert texts and all(utf16_len(t) <= 4096 for t in texts)
    tr = translator(ROOT / "locales", "ar")
    assert tr._("Sorry, something went wrong on my side. Please try /continue.") not in texts
    joined = "\n".join(texts)
    assert tr._("Your answers") in joined and not any(raw in joined for raw in RAW_FIELDS)
    assert "2026-" not in joined  # dates in the reader's own way
    export = json.loads(await users.media(sent[-1]["document"]["url"]))
    assert len(export["answers"]) == 400


async def test_webhook_mode(settings_webhook: RunningBot, users: EmulatorClient) -> None:
    await users.send(ERIK, "/start", first_name="Erik", language_code="sv")
    await users.idle()
    picker = (await users.bot_messages(ERIK))[-1]
    assert picker["buttons"]


@pytest.fixture
async def settings_webhook(
    settings: Any, course: Course, unused_tcp_port: int, emulator: Any, users: Any
) -> Any:
    from dataclasses import replace

    hooked = replace(
        settings,
        webhook_url=f"http://127.0.0.1:{unused_tcp_port}/telegram-hook",
        webhook_secret="s3cret-token",
        port=unused_tcp_port,
    )
    async with started(hooked, course, users) as running:
        yield running


def test_no_user_facing_literal_bypasses_the_catalogs() -> None:
    """Strings sent to people come from _(), ngettext() or lesson texts, never literals."""
    import ast

    offenders = []
    for path in (ROOT / "bot" / "telegram").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in {
                "send_message",
                "answer",
                "edit_text",
            }:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Outgoing":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
                    offenders.append(f"{path.name}:{node.lineno}")  # "" keeps a text as it is
    assert offenders == []


@pytest.mark.sqlite_only
def test_the_database_file_is_under_the_configured_path(bot: RunningBot) -> None:
    assert Path(bot.settings.database).exists()
    mode = rows(bot, "PRAGMA journal_mode")[0][0]
    assert mode == "wal"
    assert json.loads(json.dumps({"ok": True}))["ok"]


async def test_an_unexpected_error_gets_an_apology_not_a_traceback(
    bot: RunningBot, users: EmulatorClient, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    await join(users, ERIK, "sv", "Erik")
    before = stored_progress(bot, ERIK)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the engine")

    monkeypatch.setattr("bot.telegram.participant.handlers.handle", broken)
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    apology = (await users.bot_messages(ERIK))[-1]["text"]
    tr = translator(ROOT / "locales", "sv")
    assert apology == tr._("Sorry, something went wrong on my side. Please try /continue.")
    assert "RuntimeError" not in apology and "Traceback" not in apology
    assert stored_progress(bot, ERIK) == before


async def test_a_step_with_an_image_arrives_as_a_photo_with_its_caption(
    settings: Any, users: EmulatorClient
) -> None:
    from dataclasses import replace

    from bot.course.loader import load_course

    fixture = ROOT / "tests" / "fixtures" / "lessons" / "valid"
    small = load_course(fixture)
    running = RunningBot(replace(settings, lessons_dir=fixture), small, users.emulator)
    users.bots.append(running)
    await running.start()
    try:
        await join(users, ERIK, "sv", "Erik")
        for _ in range(5):
            message = (await users.bot_messages(ERIK))[-1]
            if message.get("photo"):
                break
            await users.press(ERIK, *await button(users, ERIK, "1n"))
            await users.idle()
        assert message.get("photo"), "no step with an image was shown"
        assert "Så här ser knappen ut." in message["caption"]
        image = (fixture / "media" / "pixel.png").read_bytes()
        assert await users.media(message["photo"]["url"]) == image
        assert message["buttons"]  # the Next button sits under the photo
    finally:
        await running.stop()


async def test_a_step_with_an_svg_picture_arrives_as_the_png_built_from_it(
    settings: Any, users: Any
) -> None:
    """No PNG is built beforehand: the bot renders it when the step is sent, and keeps it."""
    from dataclasses import replace

    from bot.course.loader import load_course
    from bot.media.pictures import built_path
    from bot.preview.server import PictureAlts

    fixture = ROOT / "tests" / "fixtures" / "lessons" / "valid"
    running = RunningBot(
        replace(settings, lessons_dir=fixture), load_course(fixture), users.emulator
    )
    users.bots.append(running)
    png = built_path(fixture / "media" / "phone.svg", settings.media_dir)
    assert not png.exists()
    await running.start()
    try:
        await join(users, ERIK, "sv", "Erik")
        for _ in range(6):
            message = (await users.bot_messages(ERIK))[-1]
            if "Så här ser en telefon ut." in (message.get("caption") or ""):
                break
            await users.press(ERIK, *await button(users, ERIK, "1n"))
            await users.idle()
        assert message.get("photo"), "the step with the SVG picture was not shown as a photo"
        assert png.is_file()
        assert await users.media(message["photo"]["url"]) == png.read_bytes()
        assert (message["photo"]["width"], message["photo"]["height"]) == (360, 640)
        assert message["buttons"]
        # Uploaded under the built PNG's name, by which the preview finds its alt text.
        assert message["photo"]["file_name"] == png.name
        assert running.application is not None
        alts = PictureAlts(running.application.bot_data["runtime"], running.settings)
        assert alts(png.name) == "En telefon med en blå skärm och en grön knapp."
    finally:
        await running.stop()


async def test_an_answer_is_kept_when_the_reply_to_it_fails(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    """Save first, send second: a reply lost to a Telegram error loses no answer."""
    await join(users, ERIK, "sv", "Erik")
    press = await right_answer_to_first_question(bot, users, course, ERIK)
    await users.fault(500, method="sendMessage", times=5, description="Internal Server Error")
    await users.press(ERIK, press.message_id, press.data)
    await users.idle()
    assert answer_count(bot, ERIK) == 1
    answered = stored_progress(bot, ERIK)
    assert answered.stage is Stage.QUESTION and answered.first_try_right
    await users.clear_faults()
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    shown = (await users.bot_messages(ERIK))[-1]
    lesson = course.weeks[0].lessons[0]
    assert lesson.quiz is not None
    second = lesson.quiz.questions[1]
    assert second.text.sv in shown["text"]  # the next question, not the one answered
    await users.press(ERIK, press.message_id, press.data)  # pressing the old answer again
    await users.idle()
    assert answer_count(bot, ERIK) == 1


async def test_a_failing_lookup_of_the_reader_gives_one_apology(
    bot: RunningBot, users: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader is resolved first; when that fails, later handlers do not fail again."""

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("bot.telegram.context.speaker", broken)
    await users.send(ERIK, "/start", first_name="Erik", language_code="sv")
    await users.idle()
    assert len(await users.bot_messages(ERIK)) == 1


EXPORT_KEYS = {
    "participants": "profile",
    "progress": "progress",
    "answers": "answers",
    "quiz_results": "quiz_results",
    "start_attempts": "start_attempts",
    "newcomers": "newcomer",
    "coaches": "coach",
    "prompts": "open_questions",
    "inbox": "updates_not_handled_yet",
    "undelivered": "messages_waiting_to_be_sent",
    "participant_settings": "reminders",
    "review_cards": "memory_checks",
    "review_checks": "memory_check_days",
    "review_confidence": "confidence",
    "scheduled_items": "scheduled_messages",
    "coach_actions": "coach_actions",
    "coach_notes": "coach_notes",
    "profile_picks": "vocational_profile",
    "goals": "goal",
    "readers": "reader_of",
    "recording_sessions": "recording",
    "first_answers": "report_figures.first_answers",
    "quiz_tallies": "report_figures.quiz_tallies",
    "standings": "report_figures.standing",
}
"""Where /mydata's file holds each table that can hold a row about a person."""
PERSON_COLUMNS = ("participant_id", "telegram_id", "chat_id")


def personal_tables(bot: RunningBot) -> dict[str, list[str]]:
    """Every table of the schema with a column naming a person, and those columns."""
    where = bot.settings.database
    found = {name: databases.columns(where, name) for name in databases.tables(where)}
    return {
        name: [c for c in columns if c in PERSON_COLUMNS]
        for name, columns in found.items()
        if any(c in PERSON_COLUMNS for c in columns)
    }


def found_in(export: dict[str, Any], key: str) -> Any:
    """An entry of the export by its dotted path (``report_figures.first_answers``)."""
    value: Any = export
    for part in key.split("."):
        value = value[part]
    return value


def held(value: Any) -> int:
    """How many rows an export entry stands for: a list's length, a count, or one row."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        return int(value["count"]) if set(value) == {"count"} else 1
    return 0 if value is None else 1


async def test_mydata_holds_every_table_that_has_a_row_about_the_person(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    """A new table with a participant_id, telegram_id or chat_id fails here until
    /mydata shows it: the scenario must give it a row, and the file must hold it."""
    erik = 7_340_051_924
    await join(users, erik, "sv", "Erik")
    await take_week(users, course, erik, 1)
    assert bot.db is not None
    person = await participants.get_by_telegram_id(bot.db, erik)
    assert person is not None
    pid, now = person.id, "2026-12-01T10:00:00+00:00"
    group = await groups.create_group(bot.db, "Höst B", date(2026, 11, 30), False)
    coach = await groups.add_coach(bot.db, 7_340_051_999, "Karin", "sv")
    await participants.set_group(bot.db, pid, group.id)
    await actions.set_pause(bot.db, coach.id, pid, date(2026, 12, 24))
    await actions.add_note(bot.db, coach.id, pid, "Ringer på tisdag.")
    await reviews.save_card(
        bot.db, pid, reviews.StoredCard("w4-get", "q-share", 1, bot.today(), True)
    )
    await reviews.start_check(bot.db, pid, bot.today(), ["w4-get/q-share"])
    await reviews.record_confidence(bot.db, pid, "w4-get", "q-share", False, "sure")
    await scheduled.add(
        bot.db,
        [scheduled.NewItem("reminder:x", "reminder", erik, clock.utc_now(), pid)],
        clock.utc_now(),
    )
    await users.send(erik, "/delete", first_name="Erik", language_code="sv")  # a prompt, open
    await users.idle()

    def write(sql: str, params: tuple[Any, ...]) -> None:
        databases.execute(bot.settings.database, sql, *params)

    write("UPDATE participants SET last_initial = 'L' WHERE id = ?", (pid,))
    write("INSERT INTO start_attempts VALUES (?, ?)", (erik, now))
    write("INSERT INTO newcomers (telegram_id, created_at) VALUES (?, ?)", (erik, now))
    write(
        "INSERT INTO coaches (telegram_id, first_name, created_at) VALUES (?, 'Erik', ?)",
        (erik, now),
    )
    # An update of theirs not handled yet (the /mydata update itself is not counted).
    write("INSERT INTO inbox VALUES (999999999, ?, '{}', ?)", (erik, now))
    write(
        "INSERT INTO undelivered (chat_id, message, created_at) VALUES (?, '{}', ?)",
        (erik, now),
    )
    write(
        "INSERT INTO profile_picks VALUES (?, 'work', '[\"kitchen\"]', 'l', 's', ?)",
        (pid, now),
    )
    write(
        "INSERT INTO goals (participant_id, text, week, set_at) VALUES (?, 'x', 1, ?)",
        (pid, now),
    )
    write("INSERT INTO readers VALUES (?, 'so', ?)", (erik, now))
    write(
        "INSERT INTO recording_sessions (telegram_id, language, started_at) VALUES (?, 'so', ?)",
        (erik, now),
    )

    await users.send(erik, "/mydata", first_name="Erik", language_code="sv")
    await users.idle()
    *said, sent = (await users.bot_messages(erik))[-2:]
    export = json.loads(await users.media(sent["document"]["url"]))

    missing = set(personal_tables(bot)) - set(EXPORT_KEYS)
    assert not missing, f"tables /mydata does not know: {missing}"
    for table, columns in personal_tables(bot).items():
        where = " OR ".join(f"{c} = ?" for c in columns)
        ids = [pid if c == "participant_id" else erik for c in columns]
        ((stored,),) = rows(bot, f"SELECT COUNT(*) FROM {table} WHERE {where}", *ids)
        assert stored > 0, f"the scenario gives {table} no row"
        assert held(found_in(export, EXPORT_KEYS[table])) == stored, table

    shown = "\n".join(m["text"] for m in said)
    assert not any(raw in shown for raw in RAW_FIELDS)
    for words in (
        "L",  # the letter the coach sees
        "Din coach har pausat påminnelserna",
        "anteckning",
        "fel inbjudningskod 1 gång",
        "väntar",
        "Nästa lektion är redo för dig",  # the progress state, and when it was saved
        "sparades senast den",
        "första gången den",
        "1 sådant meddelande är planerat",
        "minneskoll 1 dag",
        "hur säker du var",
    ):
        assert words in shown, words
    assert export["coach_notes"] == [
        {"text": "Ringer på tisdag.", "written_at": export["coach_notes"][0]["written_at"]}
    ]
