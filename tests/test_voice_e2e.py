"""Voice end to end: a reader records in Telegram, a participant presses 🔊 and hears it.

The real Application polls the emulator; the reader's voice note is a real OGG/Opus
file made by opusenc from a sine wave, fetched by the bot through getFile and the
file download, and the participant's voice note is compared byte for byte with it.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot import admin
from bot.course.model import Course, Step
from bot.i18n.translator import translator
from bot.media import synthetic
from bot.media.speech import Script
from bot.telegram import callbacks
from bot.telegram.participant.listening import NO_AUDIO
from bot.telegram.recording import CHANGED, NOT_A_READER, NOT_OGG, SAVED, STOPPED
from bot.telegram.runtime import Runtime
from tests.conftest import ROOT, RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import join
from tests.test_voice import needs_speech, sine_ogg

READER, HODAN, ERIK, STRANGER = 701, 702, 703, 704
LOCALES = ROOT / "locales"


def runtime(bot: RunningBot) -> Runtime:
    assert bot.application is not None
    found: Runtime = bot.application.bot_data["runtime"]
    return found


def datas(message: dict[str, Any]) -> list[str]:
    return [b["data"] for row in message.get("buttons") or [] for b in row if "data" in b]


def first_script(bot: RunningBot, course: Course, language: str) -> Script:
    voices = runtime(bot).voices
    assert voices is not None
    script = voices.script(course.lessons[0].steps[0], language)
    assert script is not None
    return script


async def record_first_somali_text(
    bot: RunningBot, users: EmulatorClient, cli: Any, course: Course, ogg: bytes
) -> Path:
    await cli("add_reader_command", telegram_id=READER, language="so")
    await users.send(READER, "/record", first_name="Faadumo", language_code="so")
    await users.idle()
    shown = (await users.bot_messages(READER))[-1]
    script = first_script(bot, course, "so")
    assert script.wording.splitlines()[0] in shown["text"]
    assert callbacks.recording("skip") in datas(shown)
    await users.upload(READER, "voice", "recording.ogg", "audio/ogg", ogg)
    await users.idle()
    return bot.settings.media_dir / "audio" / "recorded" / "so" / script.recorded_name


async def test_a_reader_records_a_somali_text_and_a_somali_participant_hears_exactly_it(
    bot: RunningBot, users: EmulatorClient, cli: Any, course: Course, tmp_path: Path
) -> None:
    ogg = sine_ogg(tmp_path)
    stored = await record_first_somali_text(bot, users, cli, course, ogg)
    assert stored.read_bytes() == ogg
    so = translator(LOCALES, "so")
    saved, following = (await users.bot_messages(READER))[-2:]
    assert saved["text"] == so._(SAVED)
    lesson, step = course.lessons[0], course.lessons[0].steps[0]
    assert datas(saved) == [callbacks.recording("again", lesson.id, step.id)]
    assert first_script(bot, course, "so").wording.splitlines()[0] not in following["text"]
    assert (await users.calls()).get("getFile") == 1

    await join(users, HODAN, "so", "Hodan")
    card = (await users.bot_messages(HODAN))[-1]
    listen = callbacks.listen(lesson.id, step.id, False)
    assert datas(card)[0] == callbacks.next_step(lesson.id, step.id)  # the way on stays first
    assert listen in datas(card)
    await users.press(HODAN, card["message_id"], listen)
    await users.idle()
    voice = (await users.bot_messages(HODAN))[-1]
    assert await users.media(voice["voice"]["url"]) == ogg

    # A participant's own voice note is never fetched: only the reader's was.
    await users.upload(HODAN, "voice", "mine.ogg", "audio/ogg", ogg)
    await users.idle()
    assert (await users.calls()).get("getFile") == 1


async def test_audio_for_a_changed_text_is_not_played(
    bot: RunningBot, users: EmulatorClient, cli: Any, course: Course, tmp_path: Path
) -> None:
    stored = await record_first_somali_text(bot, users, cli, course, sine_ogg(tmp_path))
    assert stored.is_file()
    await join(users, HODAN, "so", "Hodan")
    card = (await users.bot_messages(HODAN))[-1]
    lesson, step = course.lessons[0], course.lessons[0].steps[0]
    listen = callbacks.listen(lesson.id, step.id, False)
    assert listen in datas(card)

    # A trainer rewords the step: its Somali translation and its recording no longer match.
    runtime(bot).course = reworded_course(course)
    before = len(await users.bot_messages(HODAN))
    await users.press(HODAN, card["message_id"], listen)
    await users.idle()
    assert len(await users.bot_messages(HODAN)) == before  # no voice note
    answers = (await users.chat(HODAN))["answers"]
    assert answers[-1]["text"] == translator(LOCALES, "so")._(NO_AUDIO)
    await users.send(HODAN, "/continue")
    await users.idle()
    assert listen not in datas((await users.bot_messages(HODAN))[-1])
    assert stored.is_file()  # kept, but never sent for the new words


async def test_only_readers_record_and_skip_and_stop_work(
    bot: RunningBot, users: EmulatorClient, cli: Any, course: Course
) -> None:
    await users.send(STRANGER, "/record", first_name="Sam", language_code="en")
    await users.idle()
    assert (await users.bot_messages(STRANGER))[-1]["text"] == translator(LOCALES, "en")._(
        NOT_A_READER
    )
    await cli("add_reader_command", telegram_id=READER, language="ti")
    listed = await cli("list_readers_command")
    assert f"{READER}  ti" in listed
    await users.send(READER, "/record", first_name="Faadumo", language_code="en")
    await users.idle()
    first = (await users.bot_messages(READER))[-1]
    await users.press(READER, first["message_id"], callbacks.recording("skip"))
    await users.idle()
    second = (await users.bot_messages(READER))[-1]
    assert second["message_id"] != first["message_id"] and second["text"] != first["text"]
    await users.press(READER, second["message_id"], callbacks.recording("stop"))
    await users.idle()
    assert (await users.bot_messages(READER))[-1]["text"] == translator(LOCALES, "en")._(STOPPED)
    # After stop a voice note is no recording: nothing is fetched.
    await users.upload(READER, "voice", "late.ogg", "audio/ogg", b"OggS late")
    await users.idle()
    assert (await users.calls()).get("getFile") is None
    await cli("remove_reader_command", telegram_id=READER, language="ti")
    assert f"{READER}  ti" not in await cli("list_readers_command")


@needs_speech
async def test_a_swedish_reader_gets_one_button_and_the_voice_is_uploaded_once(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    assert synthetic.available()
    await join(users, ERIK, "sv", "Erik")
    card = (await users.bot_messages(ERIK))[-1]
    lesson, step = course.lessons[0], course.lessons[0].steps[0]
    assert isinstance(step, Step)
    voice_buttons = [d for d in datas(card) if d.startswith("1l")]
    assert voice_buttons == [callbacks.listen(lesson.id, step.id, True)]
    sent = []
    for _ in range(2):
        await users.press(ERIK, card["message_id"], voice_buttons[0])
        await users.idle()
        sent.append((await users.bot_messages(ERIK))[-1]["voice"])
    assert sent[0]["url"] == sent[1]["url"]  # the second went by file_id: the same file
    data = await users.media(sent[0]["url"])
    assert data.startswith(b"OggS") and sent[0]["duration"] > 0


def reworded_course(course: Course) -> Course:
    """The course with its first step reworded by a trainer."""
    lesson, step = course.lessons[0], course.lessons[0].steps[0]
    reworded = replace(step, text=replace(step.text, sv=step.text.sv + " Välkommen igen!"))
    lessons = (replace(lesson, steps=(reworded, *lesson.steps[1:])), *course.weeks[0].lessons[1:])
    return replace(course, weeks=(replace(course.weeks[0], lessons=lessons), *course.weeks[1:]))


async def test_a_text_reworded_while_the_reader_reads_is_shown_again_not_stored(
    bot: RunningBot, users: EmulatorClient, cli: Any, course: Course, tmp_path: Path
) -> None:
    await cli("add_reader_command", telegram_id=READER, language="sv")
    await users.send(READER, "/record", first_name="Eva", language_code="sv")
    await users.idle()
    old = first_script(bot, course, "sv")
    runtime(bot).course = reworded_course(course)
    new = first_script(bot, runtime(bot).course, "sv")
    await users.upload(READER, "voice", "take.ogg", "audio/ogg", sine_ogg(tmp_path))
    await users.idle()
    recorded = bot.settings.media_dir / "audio" / "recorded" / "sv"
    assert not (recorded / old.recorded_name).exists()
    assert not (recorded / new.recorded_name).exists()
    changed, shown = (await users.bot_messages(READER))[-2:]
    assert changed["text"] == translator(LOCALES, "sv")._(CHANGED)
    assert "Välkommen igen!" in shown["text"]
    assert (await users.calls()).get("getFile") is None  # nothing fetched for a stale text


async def test_again_records_the_last_text_anew_and_a_non_ogg_file_is_refused(
    bot: RunningBot, users: EmulatorClient, cli: Any, course: Course, tmp_path: Path
) -> None:
    first_take, second_take = sine_ogg(tmp_path, 1.0), sine_ogg(tmp_path, 2.0)
    stored = await record_first_somali_text(bot, users, cli, course, first_take)
    saved = (await users.bot_messages(READER))[-2]
    await users.press(READER, saved["message_id"], datas(saved)[0])  # ↺ Again
    await users.idle()
    script = first_script(bot, course, "so")
    assert script.wording.splitlines()[0] in (await users.bot_messages(READER))[-1]["text"]
    await users.upload(READER, "voice", "not.ogg", "audio/ogg", b"ID3 an mp3, not a voice note")
    await users.idle()
    assert (await users.bot_messages(READER))[-1]["text"] == translator(LOCALES, "so")._(NOT_OGG)
    assert stored.read_bytes() == first_take
    await users.upload(READER, "voice", "take2.ogg", "audio/ogg", second_take)
    await users.idle()
    assert stored.read_bytes() == second_take


async def test_the_readers_command_refuses_a_wrong_language_or_reader(
    bot: RunningBot, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DATABASE", str(bot.settings.database))
    wrong = argparse.Namespace(telegram_id=READER, language="xx")
    assert await asyncio.to_thread(admin.add_reader_command, wrong) == 2
    nobody = argparse.Namespace(telegram_id=READER, language="so")
    assert await asyncio.to_thread(admin.remove_reader_command, nobody) == 1
