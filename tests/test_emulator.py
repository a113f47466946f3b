"""The Bot API emulator, driven the way the bot drives it (PTB) and the way tests do (HTTP).

If the emulator accepts what Telegram refuses, the bot's tests pass and
production fails; so besides the happy paths, these tests pin Telegram's error
codes and wording, and check every returned object against the machine-readable
Bot API (api.min.json).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import struct
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.emulator import Emulator
from bot.emulator.api import METHODS
from bot.emulator.webhook import SECRET_HEADER
from tests.emulator_client import EmulatorClient

TOKEN = "123456789:TEST-token_abc"
API_JSON = Path(__file__).resolve().parents[1] / "bot" / "emulator" / "bot_api.json"
"""The Bot API's structure, distilled from api.min.json by tools/distill_bot_api.py."""


def png(width: int, height: int) -> bytes:
    """A real (black) PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00" * 3 * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def ogg_opus(seconds: int) -> bytes:
    """Two Ogg pages: an OpusHead and a last page whose granule position gives the length."""
    head = b"OggS\x00\x02" + bytes(8) + bytes(14) + b"OpusHead" + bytes(11)
    last = b"OggS\x00\x04" + (seconds * 48_000).to_bytes(8, "little") + bytes(20)
    return head + last


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


@pytest.fixture(autouse=True)
def timedelta_durations(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 asks bots to opt in to timedelta durations (retry_after, voice duration)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emulator = Emulator(webhook_retry_delay=0.02, idle_quiet=0.05)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def users(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.url) as client:
        yield client


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    url = emulator.url
    async with Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot") as client:
        yield client


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        yield client


# --- identity, updates, long polling --------------------------------------------------


async def test_get_me_answers_the_bot_named_by_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        123456789,
        True,
        "Räkna med mig",
        "rakna_med_mig_bot",
    )
    assert me.can_join_groups is True


async def test_a_user_message_arrives_with_its_command_entity(
    bot: Bot, users: EmulatorClient
) -> None:
    sent = await users.send(42, "/start week3", first_name="Amina", language_code="sv")
    [update] = await bot.get_updates(timeout=1)
    assert update.update_id == sent["update_id"]
    message = update.message
    assert message is not None and message.from_user is not None
    assert (message.message_id, message.text, message.chat.type) == (1, "/start week3", "private")
    assert (message.from_user.first_name, message.from_user.language_code) == ("Amina", "sv")
    assert message.parse_entities(["bot_command"]).popitem()[1] == "/start"
    assert await bot.get_updates(offset=update.update_id, timeout=0) == (update,)
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_a_waiting_get_updates_wakes_when_a_user_writes(
    bot: Bot, users: EmulatorClient
) -> None:
    started = time.monotonic()
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)  # let the long poll start waiting
    await users.send(7, "hej")
    updates = await waiting
    assert [u.message.text for u in updates if u.message] == ["hej"]
    assert time.monotonic() - started < 2


async def test_allowed_updates_leaves_out_kinds_the_bot_did_not_ask_for(
    bot: Bot, users: EmulatorClient
) -> None:
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    await users.send(8, "ignored")
    await users.press(8, 99, "kept")
    updates = await bot.get_updates(timeout=0)
    assert [u.callback_query.data for u in updates if u.callback_query] == ["kept"]
    assert all(u.message is None for u in updates)


# --- messages, keyboards, edits ---------------------------------------------------------


async def test_send_message_parses_html_and_shows_the_keyboard_in_the_chat(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(42, "/start")
    sent = await bot.send_message(
        42, "<b>Vecka 1</b> &amp; mer", parse_mode="HTML", reply_markup=keyboard("next")
    )
    assert (sent.message_id, sent.text) == (2, "Vecka 1 & mer")
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 7)]
    assert sent.reply_markup == keyboard("next")
    last = await users.last_bot_message(42)
    assert last is not None
    assert last["text"] == "Vecka 1 & mer"
    assert last["buttons"] == [[{"text": "Next", "data": "next"}]]


async def test_message_ids_grow_per_chat(bot: Bot, users: EmulatorClient) -> None:
    await users.send(1, "a")
    await users.send(2, "b")
    first = await bot.send_message(1, "to one")
    second = await bot.send_message(2, "to two")
    assert (first.message_id, second.message_id) == (2, 2)
    assert (await users.send(1, "again"))["message_id"] == 3


async def test_edits_change_the_message_and_refuse_what_telegram_refuses(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(5, "/start")
    sent = await bot.send_message(5, "Fråga 1", reply_markup=keyboard("a", "b"))
    edited = await bot.edit_message_text("Rätt!", chat_id=5, message_id=sent.message_id)
    assert isinstance(edited, object) and getattr(edited, "edit_date", None) is not None
    view = (await users.chat(5))["messages"][-1]
    assert (view["text"], view["edited"], view["buttons"]) == ("Rätt!", True, [])
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Rätt!", chat_id=5, message_id=sent.message_id)
    await bot.edit_message_reply_markup(5, sent.message_id, reply_markup=keyboard("c"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(5, sent.message_id, reply_markup=keyboard("c"))
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=5, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=5, message_id=1)
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(5, sent.message_id, caption="x")


async def test_deleted_messages_stay_in_the_chat_marked_deleted(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(6, "/start")
    sent = await bot.send_message(6, "Snart borta")
    assert await bot.delete_message(6, sent.message_id) is True
    assert (await users.chat(6))["messages"][-1]["deleted"] is True
    assert await users.last_bot_message(6) is None
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(6, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=6, message_id=sent.message_id)


async def test_reply_keyboards_stay_until_removed(bot: Bot, users: EmulatorClient) -> None:
    await users.send(9, "/start")
    rows = [[KeyboardButton("Ja"), KeyboardButton("Nej")]]
    await bot.send_message(9, "Välj", reply_markup=ReplyKeyboardMarkup(rows))
    assert (await users.chat(9))["keyboard"] == [["Ja", "Nej"]]
    await bot.send_message(9, "Tack", reply_markup=ReplyKeyboardRemove())
    assert (await users.chat(9))["keyboard"] is None


async def test_chat_actions_show_in_the_chat(bot: Bot, users: EmulatorClient) -> None:
    await users.send(9, "/start")
    assert await bot.send_chat_action(9, "typing") is True
    assert (await users.chat(9))["chat_action"] == "typing"
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(9, "dancing")


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("", None, "Message text is empty"),
        ("   ", None, "Message text is empty"),
        ("a" * 4097, None, "Message is too long"),
        ("😀" * 2049, None, "Message is too long"),  # 4098 UTF-16 code units
        ("rad 1<br>rad 2", "HTML", 'unsupported start tag "br" at byte offset 5'),
        ("<b>fet", "HTML", 'can\'t find end tag corresponding to start tag "b"'),
        ("Klart.", "MarkdownV2", "character '.' is reserved"),
        ("*fet", "Markdown", "can't find end of the entity starting at byte offset 0"),
        ("x", "BBCode", "Unsupported parse_mode"),
    ],
)
async def test_texts_telegram_refuses_are_refused(
    bot: Bot, users: EmulatorClient, text: str, parse_mode: str | None, error: str
) -> None:
    await users.send(3, "/start")
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(3, text, parse_mode=parse_mode)
    assert error.lower() in refused.value.message.lower()


async def test_the_longest_allowed_text_and_caption_pass(bot: Bot, users: EmulatorClient) -> None:
    await users.send(3, "/start")
    assert len((await bot.send_message(3, "å" * 4096)).text or "") == 4096
    photo = await bot.send_photo(3, png(10, 10), caption="c" * 1024)
    assert photo.caption == "c" * 1024
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(3, png(10, 10), caption="c" * 1025)


async def test_keyboards_telegram_refuses_are_refused(bot: Bot, users: EmulatorClient) -> None:
    await users.send(4, "/start")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(4, "x", reply_markup=keyboard("x" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(4, "x", reply_markup=keyboard("å" * 33))  # 66 bytes
    many = [[InlineKeyboardButton(str(i), callback_data=str(i))] for i in range(101)]
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.send_message(4, "x", reply_markup=InlineKeyboardMarkup(many))
    hundred = InlineKeyboardMarkup(many[:100])
    assert (await bot.send_message(4, "x", reply_markup=hundred)).reply_markup == hundred
    assert (await bot.send_message(4, "x", reply_markup=keyboard("y" * 64))).reply_markup


async def test_writing_to_a_stranger_is_chat_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(555, "hej")


# --- callback queries ---------------------------------------------------------------------


async def test_a_press_reaches_the_bot_and_is_answered_once(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(11, "/start")
    sent = await bot.send_message(11, "Fråga", reply_markup=keyboard("a"))
    pressed = await users.press(11, sent.message_id, "a")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None and query.message is not None
    assert (query.id, query.data, query.message.message_id) == (
        pressed["callback_query_id"],
        "a",
        sent.message_id,
    )
    assert await query.answer("Rätt!", show_alert=True) is True
    answers = (await users.chat(11))["answers"]
    assert answers == [
        {"callback_query_id": query.id, "text": "Rätt!", "show_alert": True},
    ]
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer()
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")


async def test_a_hostile_press_carries_any_data_to_any_message(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(12, "/start")
    await users.press(12, 777, "x" * 500)
    update = (await bot.get_updates(timeout=0))[-1]
    query = update.callback_query
    assert query is not None and query.data == "x" * 500
    assert query.message is not None and query.message.message_id == 777
    assert query.message.date.timestamp() == 0  # an InaccessibleMessage, as Telegram sends


# --- files --------------------------------------------------------------------------------


async def test_photos_are_stored_in_sizes_and_served(bot: Bot, users: EmulatorClient) -> None:
    await users.send(13, "/start")
    image = png(800, 600)
    sent = await bot.send_photo(13, image, caption="<i>Skärmen</i>", parse_mode="HTML")
    assert [(p.width, p.height) for p in sent.photo] == [(90, 68), (320, 240), (800, 600)]
    assert sent.caption == "Skärmen"
    assert [e.type for e in sent.caption_entities] == ["italic"]
    shown = (await users.last_bot_message(13) or {})["photo"]
    assert shown["mime_type"] == "image/png"
    assert await users.media(shown["url"]) == image
    again = await bot.send_photo(13, sent.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in sent.photo]
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(13, b"not an image at all")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(13, "AgACAgIAAxkBnothing")
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type photo as document"):
        await bot.send_document(13, sent.photo[-1].file_id)


async def test_an_album_is_messages_sharing_one_media_group_id(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(17, "/start")
    first = await bot.send_photo(17, png(40, 30))
    sent = await bot.send_media_group(
        17,
        [
            InputMediaPhoto(png(720, 1280), caption="A", filename="a.png"),
            InputMediaPhoto(first.photo[-1].file_id, caption="<b>B</b>", parse_mode="HTML"),
            InputMediaPhoto(png(60, 60), caption="C"),
        ],
    )
    assert [m.caption for m in sent] == ["A", "B", "C"]
    assert [e.type for e in sent[1].caption_entities] == ["bold"]
    groups = {m.media_group_id for m in sent}
    assert len(groups) == 1 and None not in groups
    assert [m.message_id for m in sent] == [3, 4, 5]
    assert (sent[0].photo[-1].width, sent[0].photo[-1].height) == (720, 1280)
    assert sent[1].photo[-1].file_id == first.photo[-1].file_id
    shown = (await users.chat(17))["messages"][-3:]
    assert [m["caption"] for m in shown] == ["A", "B", "C"]
    assert {m["media_group_id"] for m in shown} == groups
    assert await users.media(shown[0]["photo"]["url"]) == png(720, 1280)
    again = await bot.send_media_group(17, [InputMediaPhoto(png(5, 5)), InputMediaPhoto(png(6, 6))])
    assert again[0].media_group_id not in groups  # each album its own id
    alone = await bot.send_media_group(17, [InputMediaPhoto(png(8, 8), caption="D")])
    assert len(alone) == 1 and alone[0].media_group_id is None  # one item is no album


@pytest.mark.parametrize(
    ("media", "error"),
    [
        ([], "There are no messages to send"),
        ([{"type": "photo", "media": "attach://p"}] * 11, "Too many messages to send as an album"),
        (
            [{"type": "photo", "media": "attach://p"}, {"type": "document", "media": "attach://p"}],
            "Document can't be mixed with other media types",
        ),
        ([{"type": "photo", "media": "attach://gone"}] * 2, "media not found"),
        ([{"type": "photo"}] * 2, "media not found"),
        ([{"type": "animation", "media": "attach://p"}] * 2, "can't be used in sendMediaGroup"),
        ([{"type": "sticker", "media": "attach://p"}] * 2, 'type "sticker" is unsupported'),
        ([{"type": "photo", "media": "AgACAgIAAxkBnothing"}] * 2, "Wrong file identifier"),
        (
            [{"type": "photo", "media": "attach://p", "caption": "x" * 1025}] * 2,
            "Message caption is too long",
        ),
        ([{"type": "photo", "media": "attach://bad"}] * 2, "IMAGE_PROCESS_FAILED"),
        ({"type": "photo", "media": "attach://p"}, "Expected an Array of InputMedia"),
        ("[{", "Can't parse media JSON object"),
    ],
)
async def test_albums_telegram_refuses_are_refused_and_nothing_is_sent(
    http: httpx.AsyncClient, users: EmulatorClient, media: Any, error: str
) -> None:
    await users.send(18, "/start")
    before = len((await users.chat(18))["messages"])
    files = {"p": ("p.png", png(20, 20), "image/png"), "bad": ("b.png", b"nope", "image/png")}
    data = {"chat_id": "18", "media": media if isinstance(media, str) else json.dumps(media)}
    response = await http.post(f"/bot{TOKEN}/sendMediaGroup", data=data, files=files)
    body = response.json()
    assert (response.status_code, body["ok"]) == (400, False)
    assert error.lower() in body["description"].lower(), body
    assert len((await users.chat(18))["messages"]) == before


async def test_documents_voice_and_audio(bot: Bot, users: EmulatorClient) -> None:
    await users.send(14, "/start")
    document = await bot.send_document(14, b"%PDF-1.4 kurs", filename="kurs.pdf")
    assert document.document is not None
    assert (document.document.file_name, document.document.mime_type) == (
        "kurs.pdf",
        "application/pdf",
    )
    voice = await bot.send_voice(14, ogg_opus(3), filename="svar.ogg")
    assert voice.voice is not None and voice.voice.duration == dtm.timedelta(seconds=3)
    audio = await bot.send_audio(14, "https://example.org/lektion.mp3", title="Lektion")
    assert audio.audio is not None and audio.audio.title == "Lektion"
    with pytest.raises(BadRequest, match="File must be non-empty"):
        await bot.send_document(14, b"", filename="tom.txt")


async def test_user_uploads_reach_the_bot_and_can_be_downloaded(
    bot: Bot, users: EmulatorClient
) -> None:
    content = b"Mitt CV\n"
    await users.upload(15, "document", "cv.txt", "text/plain", content, caption="Här")
    await users.upload(15, "photo", "bild.png", "image/png", png(640, 480))
    await users.upload(15, "voice", "röst.ogg", "audio/ogg", ogg_opus(2))
    updates = await bot.get_updates(timeout=0)
    document, photo, voice = (u.message for u in updates)
    assert document is not None and document.document is not None
    assert (document.document.file_name, document.caption) == ("cv.txt", "Här")
    assert photo is not None and photo.photo[-1].width == 640
    assert voice is not None and voice.voice is not None
    assert voice.voice.duration == dtm.timedelta(seconds=2)
    file = await document.document.get_file()
    assert file.file_path is not None and file.file_path.endswith(".txt")
    assert bytes(await file.download_as_bytearray()) == content
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


# --- faults -------------------------------------------------------------------------------


async def test_flood_control_fails_the_next_calls_with_retry_after(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(16, "/start")
    await users.fault(429, method="sendMessage", retry_after=3, times=1)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(16, "för snabbt")
    assert flood.value.retry_after == dtm.timedelta(seconds=3)
    assert (await bot.send_message(16, "nu går det")).text == "nu går det"


async def test_a_blocked_user_refuses_everything_sent_to_them_until_cleared(
    bot: Bot, users: EmulatorClient
) -> None:
    await users.send(17, "/start")
    await users.send(18, "/start")
    await users.fault(403, user_id=17)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(17, "hej")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(17, "typing")
    assert (await bot.send_message(18, "andra går fram")).text
    assert (await bot.get_me()).id == 123456789
    await users.clear_faults()
    assert (await bot.send_message(17, "igen")).text == "igen"


# --- commands -----------------------------------------------------------------------------


async def test_command_menus_resolve_by_scope_then_language(
    bot: Bot, users: EmulatorClient
) -> None:
    await bot.set_my_commands([("start", "Börja")])
    await bot.set_my_commands([("start", "Start")], language_code="en")
    await bot.set_my_commands(
        [("help", "Hjälp")], scope=BotCommandScopeAllPrivateChats(), language_code="sv"
    )
    await bot.set_my_commands([("report", "Rapport")], scope=BotCommandScopeChat(77))
    await users.send(77, "hej", language_code="sv")
    await users.send(78, "hi", language_code="en")
    await users.send(79, "hallo", language_code="de")

    def names(commands: list[Any]) -> list[str]:
        return [command["command"] for command in commands]

    assert names(await users.commands(77)) == ["report"]
    assert names(await users.commands(78)) == ["start"]
    assert (await users.commands(78))[0]["description"] == "Start"
    assert names(await users.commands(78, language_code="sv")) == ["help"]
    assert (await users.commands(79))[0]["description"] == "Börja"
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    await bot.delete_my_commands(language_code="en")
    assert (await users.commands(78))[0]["description"] == "Börja"
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Start!", "x")])


# --- the wire: encodings and envelopes ------------------------------------------------------


async def test_form_json_and_query_parameters_are_read_alike(
    http: httpx.AsyncClient, users: EmulatorClient
) -> None:
    await users.send(20, "/start")
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    url = f"/bot{TOKEN}/sendMessage"
    form = await http.post(
        url, data={"chat_id": "20", "text": "form", "reply_markup": json.dumps(markup)}
    )
    body = await http.post(url, json={"chat_id": 20, "text": "json", "reply_markup": markup})
    query = await http.get(f"/bot{TOKEN}/SENDMESSAGE", params={"chat_id": 20, "text": "query"})
    for response in (form, body, query):
        assert response.status_code == 200
        assert response.json()["ok"] is True
    messages = await users.bot_messages(20)
    assert [m["text"] for m in messages] == ["form", "json", "query"]
    assert messages[0]["buttons"] == messages[1]["buttons"] == [[{"text": "OK", "data": "ok"}]]
    broken = await http.post(url, data={"chat_id": "20", "text": "x", "reply_markup": "{"})
    refusal = "Bad Request: can't parse reply keyboard markup JSON object"
    assert broken.json()["description"] == refusal


async def test_errors_use_telegrams_envelope(http: httpx.AsyncClient) -> None:
    unauthorized = await http.post("/botnot-a-token/getMe")
    assert unauthorized.status_code == 401
    assert unauthorized.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    unknown = await http.post(f"/bot{TOKEN}/sendTelepathy")
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    missing = await http.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": "1"})
    assert missing.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }


async def test_a_malformed_token_is_refused_by_ptb_too(emulator: Emulator) -> None:
    url = emulator.url
    with pytest.raises(InvalidToken):
        async with Bot("nonsense:", base_url=f"{url}/bot", base_file_url=f"{url}/file/bot"):
            pass


async def test_control_routes_refuse_malformed_input(http: httpx.AsyncClient) -> None:
    assert (await http.post("/emulator/users/x/messages", json={"text": "a"})).status_code == 400
    assert (await http.post("/emulator/users/1/messages", json={"text": ""})).status_code == 400
    assert (await http.post("/emulator/users/1/presses", json={"data": "a"})).status_code == 400
    upload = {"kind": "video", "content_base64": "AA=="}
    assert (await http.post("/emulator/users/1/uploads", json=upload)).status_code == 400
    assert (await http.get("/emulator/media/unknown")).status_code == 404
    assert (await http.get("/emulator/users/404/chat")).json()["messages"] == []


# --- webhook ------------------------------------------------------------------------------


async def test_webhook_delivery_with_secret_retries_and_conflicts(
    bot: Bot, users: EmulatorClient
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500]

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=answers.pop() if answers else 200)

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        port = runner.addresses[0][1]
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="hemlig_123")
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        sent = await users.send(21, "hej")
        await users.idle()
        assert [secret for secret, _ in received] == ["hemlig_123", "hemlig_123"]
        assert all(update["update_id"] == sent["update_id"] for _, update in received)
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert "500" in (info.last_error_message or "")
        for text in ("ett", "två", "tre"):
            await users.send(22, text)
        await users.idle()
        texts = [update["message"]["text"] for _, update in received[2:]]
        assert texts == ["ett", "två", "tre"]
    finally:
        await runner.cleanup()
    await bot.delete_webhook()
    await users.send(21, "tillbaka")
    assert [u.message.text for u in await bot.get_updates(timeout=0) if u.message] == ["tillbaka"]


async def test_pending_updates_survive_or_are_dropped_by_delete_webhook(
    bot: Bot, users: EmulatorClient
) -> None:
    await bot.set_webhook("http://127.0.0.1:9/unreachable")
    await users.send(23, "väntar")
    await bot.delete_webhook()
    [kept] = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=kept.update_id + 1, timeout=0)
    await bot.set_webhook("http://127.0.0.1:9/unreachable")
    await users.send(23, "släpps")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates(timeout=0) == ()


# --- idle, reset, listeners, the real Application --------------------------------------------


async def test_idle_times_out_while_an_update_waits_for_the_bot(users: EmulatorClient) -> None:
    await users.send(24, "ingen lyssnar")
    with pytest.raises(TimeoutError, match="pending_updates"):
        await users.idle(timeout=0.2)


async def test_a_real_ptb_application_polls_and_replies(
    emulator: Emulator, users: EmulatorClient
) -> None:
    url = emulator.url
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        .build()
    )

    async def shout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper(), reply_markup=keyboard("ok"))

    application.add_handler(MessageHandler(filters.TEXT, shout))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=5)
        for user_id in (31, 32):
            await users.send(user_id, f"hej {user_id}")
        await users.idle()
        for user_id in (31, 32):
            assert (await users.last_bot_message(user_id) or {})["text"] == f"HEJ {user_id}"
        await application.updater.stop()
        await application.stop()
    calls = await users.calls()
    assert calls["sendMessage"] == 2 and calls["getMe"] == 1


async def test_reset_forgets_users_but_keeps_update_ids_growing(
    bot: Bot, users: EmulatorClient
) -> None:
    first = await users.send(25, "före")
    await bot.set_my_commands([("start", "Börja")])
    await users.reset()
    assert (await users.chat(25))["messages"] == []
    assert await users.calls() == {}
    assert await bot.get_updates(timeout=0) == ()
    after = await users.send(25, "efter")
    assert after["update_id"] > first["update_id"]
    assert after["message_id"] == 1
    assert [c["command"] for c in await users.commands(25)] == ["start"]
    await users.reset(everything=True)
    assert await users.commands(25) == []


async def test_listeners_hear_about_every_chat_change(
    emulator: Emulator, bot: Bot, users: EmulatorClient
) -> None:
    heard: list[int] = []
    unsubscribe = emulator.state.subscribe(heard.append)
    await users.send(26, "hej")
    sent = await bot.send_message(26, "svar")
    await bot.edit_message_text("nytt svar", chat_id=26, message_id=sent.message_id)
    await bot.delete_message(26, sent.message_id)
    unsubscribe()
    await users.send(26, "tyst")
    assert heard == [26, 26, 26, 26]


# --- conformance with the Bot API ---------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> dict[str, Any]:
    assert API_JSON.exists(), "the Bot API structure is missing: run tools/distill_bot_api.py"
    spec: dict[str, Any] = json.loads(API_JSON.read_text(encoding="utf-8"))
    return spec


def problems(api: dict[str, Any], types: list[str], value: Any, where: str) -> list[str]:
    """Why value is none of types (empty when it fits one): required and unknown fields,
    checked recursively through objects and arrays."""
    found: list[str] = []
    for kind in types:
        mismatch = _mismatch(api, kind, value, where)
        if not mismatch:
            return []
        found += mismatch
    return found


_PRIMITIVES: dict[str, Any] = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "True": lambda v: v is True,
}


def _mismatch(api: dict[str, Any], kind: str, value: Any, where: str) -> list[str]:
    if kind.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{where}: expected {kind}"]
        item = kind.removeprefix("Array of ")
        return [p for i, v in enumerate(value) for p in problems(api, [item], v, f"{where}[{i}]")]
    if kind in _PRIMITIVES:
        return [] if _PRIMITIVES[kind](value) else [f"{where}: {value!r} is not {kind}"]
    spec = api["types"][kind]
    if spec.get("subtypes"):
        return problems(api, spec["subtypes"], value, where)
    if not isinstance(value, dict):
        return [f"{where}: expected a {kind} object"]
    fields = {field["name"]: field for field in spec.get("fields", [])}
    required = [name for name, field in fields.items() if field["required"]]
    found = [f"{where}: {kind} lacks {name}" for name in required if name not in value]
    for name, item in value.items():
        if name not in fields:
            found.append(f"{where}: {kind} has no field {name}")
        else:
            found += problems(api, fields[name]["types"], item, f"{where}.{name}")
    return found


async def _call(http: httpx.AsyncClient, method: str, /, **params: Any) -> Any:
    files = {k: v for k, v in params.items() if isinstance(v, tuple)}
    data = {
        k: v if isinstance(v, str) else json.dumps(v)
        for k, v in params.items()
        if not isinstance(v, tuple)
    }
    response = await http.post(f"/bot{TOKEN}/{method}", data=data, files=files or None)
    body = response.json()
    assert body["ok"], (method, body)
    return body["result"]


async def _exercise_every_method(http: httpx.AsyncClient, users: EmulatorClient) -> list[Any]:
    """Call every implemented method once; returns (method, result) pairs."""
    await users.send(40, "/start", first_name="Conform", language_code="sv")
    photo = await users.upload(40, "photo", "p.png", "image/png", png(50, 40), caption="foto")
    document = await users.upload(40, "document", "d.txt", "text/plain", b"text")
    await users.upload(40, "voice", "v.ogg", "audio/ogg", ogg_opus(1))
    await users.upload(40, "audio", "a.mp3", "audio/mpeg", b"ID3 audio")
    markup = {
        "inline_keyboard": [
            [{"text": "A", "callback_data": "a"}, {"text": "Web", "url": "https://x.se"}]
        ]
    }
    calls: list[tuple[str, dict[str, Any]]] = [
        ("getMe", {}),
        ("setMyCommands", {"commands": [{"command": "start", "description": "Börja"}]}),
        ("getMyCommands", {}),
        ("deleteMyCommands", {"language_code": "en"}),
        ("setMyName", {"name": "Räkna med mig"}),
        ("getMyName", {"language_code": "sv"}),
        ("setMyDescription", {"description": "Kursen"}),
        ("getMyDescription", {}),
        ("setMyShortDescription", {"short_description": "Kurs"}),
        ("getMyShortDescription", {}),
        (
            "sendMessage",
            {
                "chat_id": 40,
                "text": "<b>Hej</b> <a href='https://x.se'>länk</a>",
                "parse_mode": "HTML",
                "reply_markup": markup,
                "reply_parameters": {"message_id": 1},
                "link_preview_options": {"is_disabled": True},
            },
        ),
        ("sendPhoto", {"chat_id": 40, "photo": ("p.png", png(30, 20), "image/png")}),
        ("sendDocument", {"chat_id": 40, "document": ("k.pdf", b"%PDF", "application/pdf")}),
        ("sendVoice", {"chat_id": 40, "voice": ("v.ogg", ogg_opus(2), "audio/ogg")}),
        ("sendAudio", {"chat_id": 40, "audio": "https://example.org/a.mp3", "caption": "ljud"}),
        ("editMessageText", {"chat_id": 40, "message_id": 6, "text": "Ny", "reply_markup": markup}),
        ("editMessageReplyMarkup", {"chat_id": 40, "message_id": 6}),
        ("editMessageCaption", {"chat_id": 40, "message_id": 7, "caption": "Bild"}),
        ("sendChatAction", {"chat_id": 40, "action": "typing"}),
        ("getFile", {"file_id": document["file_id"]}),
        (
            "sendMediaGroup",
            {
                "chat_id": 40,
                "media": [
                    {"type": "photo", "media": "attach://one", "caption": "A"},
                    {"type": "photo", "media": photo["file_id"], "caption": "B"},
                ],
                "one": ("one.png", png(30, 20), "image/png"),
            },
        ),
    ]
    results = [(name, await _call(http, name, **params)) for name, params in calls]
    await users.press(40, 6, "a")
    await users.press(40, 999, "forged")
    updates = await _call(http, "getUpdates", timeout=0)
    query_id = next(u["callback_query"]["id"] for u in updates if "callback_query" in u)
    results.append(("getUpdates", updates))
    later: list[tuple[str, dict[str, Any]]] = [
        ("answerCallbackQuery", {"callback_query_id": query_id, "text": "OK"}),
        ("deleteMessage", {"chat_id": 40, "message_id": 8}),
        ("deleteMessages", {"chat_id": 40, "message_ids": [9, 10]}),
        ("setWebhook", {"url": "http://127.0.0.1:9/hook", "secret_token": "s"}),
        ("getWebhookInfo", {}),
        ("deleteWebhook", {"drop_pending_updates": True}),
        ("close", {}),
        ("logOut", {}),
    ]
    results += [(name, await _call(http, name, **params)) for name, params in later]
    return results


async def test_every_returned_object_carries_its_required_fields(
    api: dict[str, Any], http: httpx.AsyncClient, users: EmulatorClient
) -> None:
    results = await _exercise_every_method(http, users)
    assert {name.lower() for name, _ in results} == set(METHODS), "exercise every method"
    for name, result in results:
        returns = api["methods"][name]["returns"]
        assert problems(api, returns, result, name) == []
    updates = dict(results)["getUpdates"]
    kinds = {kind for update in updates for kind in update if kind != "update_id"}
    assert kinds == {"message", "callback_query"}
    media = {key for u in updates for key in u.get("message", {})}
    assert {"photo", "document", "voice", "audio", "caption", "entities"} <= media


async def test_required_parameters_match_the_bot_api_and_are_enforced(
    api: dict[str, Any], http: httpx.AsyncClient
) -> None:
    for key, method in METHODS.items():
        spec = api["methods"].get(method.name)
        assert spec is not None and spec["name"].lower() == key, method.name
        required = tuple(f["name"] for f in spec.get("fields", []) if f["required"])
        assert set(method.required) == set(required), method.name
        for missing in required:
            params = {name: "1" for name in required if name != missing}
            response = await http.post(f"/bot{TOKEN}/{method.name}", data=params)
            body = response.json()
            assert (response.status_code, body["ok"]) == (400, False), (method.name, missing)
            assert body["description"].startswith("Bad Request: "), body


async def test_control_routes_refuse_bodies_a_foreign_page_could_send() -> None:
    """A web page on another site can post a form to localhost, never JSON without asking."""
    import httpx

    from bot.emulator.server import Emulator as Server

    async with Server() as emulator, httpx.AsyncClient(base_url=emulator.url) as http:
        response = await http.post(
            "/emulator/users/5/messages",
            content='{"text": "/start"}',
            headers={"Content-Type": "text/plain"},
        )
        assert response.status_code == 400
        assert emulator.state.chats.get(5) is None or not emulator.state.chats[5].messages
