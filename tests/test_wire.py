"""The bot's way to and from Telegram: its own HTTP client, the durable inbox, sends that
survive Telegram's faults. Driven through the real Application and the emulator's faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import TypeHandler

from bench.simulation import SimulatedParticipant
from bot.course.model import Course
from bot.emulator.server import Emulator
from bot.i18n.translator import translator
from bot.storage import Database, inbox, open_database, participants, undelivered
from bot.storage.inbox import Received
from bot.storage.retention import purge_group
from bot.telegram.pacing import ChatPacingRateLimiter
from bot.telegram.processor import PerUserUpdateProcessor
from bot.telegram.runtime import Runtime
from tests import databases
from tests.conftest import ROOT, TOKEN, RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import join, rows

ERIK = 502
APOLOGY = translator(ROOT / "locales", "sv")._(
    "Sorry, something went wrong on my side. Please try /continue."
)


# ---------------------------------------------------------------- helpers


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(databases.address(tmp_path / "wire.sqlite3"))
    yield database
    await database.close()


def shown(emulator: Emulator, user_id: int) -> list[tuple[Any, ...]]:
    """What the bot has put in a chat (edits included): it changes when a reply arrives."""
    view = emulator.state.chat_view(user_id)
    return [
        (m["message_id"], m["text"], m["caption"], m["edited"])
        for m in view["messages"]
        if m["from"] == "bot" and not m["deleted"]
    ]


async def until(emulator: Emulator, check: Callable[[], bool], timeout: float = 10) -> None:
    """Wait until ``check()`` holds, woken by every change to any chat (no polling)."""
    ready = asyncio.Event()

    def listener(user_id: int) -> None:
        if check():
            ready.set()

    unsubscribe = emulator.state.subscribe(listener)
    try:
        if not check():
            async with asyncio.timeout(timeout):
                await ready.wait()
    finally:
        unsubscribe()


def runtime(bot: RunningBot) -> Runtime:
    assert bot.application is not None
    found: Runtime = bot.application.bot_data["runtime"]
    return found


async def step_all(users: EmulatorClient, course: Course, people: list[int]) -> None:
    for person in people:
        assert await SimulatedParticipant(users, course, person).step() == "press"


# ---------------------------------------------------------------- the request backend


ERROR_KINDS = [
    pytest.param({"error_code": 400, "description": "Bad Request: chat not found"}, BadRequest, 1),
    pytest.param({"error_code": 403}, Forbidden, 1),
    pytest.param({"error_code": 500}, NetworkError, 5, id="500"),
    pytest.param({"error_code": 502}, NetworkError, 5, id="502"),
    pytest.param({"error_code": 504, "hang": True}, TimedOut, 5, id="timeout"),
]


@pytest.mark.parametrize(("fault", "raised", "tries"), ERROR_KINDS)
async def test_each_telegram_error_is_ptbs_own_exception(
    bot: RunningBot,
    users: EmulatorClient,
    emulator: Emulator,
    fault: dict[str, Any],
    raised: type[Exception],
    tries: int,
) -> None:
    """400 and 403 go up at once; 5xx and timeouts after the bounded retries."""
    bot.with_settings(telegram_timeout=0.3)
    await bot.restart()
    assert bot.application is not None
    await users.fault(method="sendMessage", user_id=ERIK, **fault)
    before = emulator.state.calls["sendMessage"]
    with pytest.raises(raised) as caught:
        await bot.application.bot.send_message(ERIK, "Hej")
    assert type(caught.value) is raised
    assert emulator.state.calls["sendMessage"] - before == tries
    await users.clear_faults()


async def test_a_429_is_ptbs_retry_after_with_its_pause(
    bot: RunningBot, users: EmulatorClient
) -> None:
    """The rate limiter waits a 429 out; without it the backend's answer is PTB's RetryAfter."""
    assert bot.application is not None
    plain = Bot(TOKEN, base_url=bot.settings.bot_api_url, request=bot.application.bot.request)
    await plain.initialize()
    await users.fault(429, method="sendMessage", user_id=ERIK, retry_after=7, times=1)
    with pytest.raises(RetryAfter) as caught:
        await plain.send_message(ERIK, "Hej")
    assert caught.value._retry_after == timedelta(seconds=7)


async def test_uploads_go_as_multipart_and_arrive_whole(
    bot: RunningBot, users: EmulatorClient
) -> None:
    assert bot.application is not None
    await users.send(ERIK, "/start", first_name="Erik", language_code="sv")
    await users.idle()
    content = bytes(range(256)) * 40
    sent = await bot.application.bot.send_document(ERIK, content, filename="lista.bin")
    assert sent.document is not None
    view = (await users.bot_messages(ERIK))[-1]
    assert view["document"]["file_name"] == "lista.bin"
    assert await users.media(view["document"]["url"]) == content


# ---------------------------------------------------------------- the durable inbox


async def test_a_crash_after_fetching_loses_no_tap(
    bot: RunningBot, users: EmulatorClient, emulator: Emulator, course: Course
) -> None:
    """The bot fetched the taps (and told Telegram so), then died before handling them:
    the next start handles every one from the inbox. Each person taps a button and then
    writes /progress, so some taps are in handlers and some wait behind their person."""
    people = list(range(601, 611))
    for person in people:
        await join(users, person, "sv", f"P{person}")
    before = {person: shown(emulator, person) for person in people}
    answers = {p: len(emulator.state.chat_view(p)["answers"]) for p in people}

    # The process that will die: every update it fetches blocks before any handler.
    entered: list[asyncio.Task[Any]] = []
    dead = False

    async def stuck(update: object, context: object) -> None:
        if dead:
            raise asyncio.CancelledError
        entered.append(asyncio.current_task())  # type: ignore[arg-type]
        await asyncio.Event().wait()

    assert bot.application is not None
    processor = bot.application.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    bot.application.add_handler(TypeHandler(Update, stuck), group=-3)
    await step_all(users, course, people)
    for person in people:
        await users.send(person, "/progress", first_name=f"P{person}", language_code="sv")
    newest = emulator.state.updates.last_id
    async with asyncio.timeout(10):
        await processor.wait_started(newest)
    assert len(entered) == len(people)  # the presses; each /progress waits for its person
    assert emulator.state.updates.fetched_upto == newest
    assert len(rows(bot, "SELECT update_id FROM inbox")) == 2 * len(people)

    # kill -9: the handling is cut off where it stands; nothing is handled on the way out.
    dead = True
    for task in entered:
        task.cancel()
    await bot.stop()
    assert all(shown(emulator, person) == before[person] for person in people)
    assert len(rows(bot, "SELECT update_id FROM inbox")) == 2 * len(people)

    await bot.start()
    assert bot.application is not None
    processor = bot.application.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    async with asyncio.timeout(10):
        await processor.wait_handled(newest)
    await users.idle()
    for person in people:  # the press answered and the card moved on, /progress replied
        assert len(emulator.state.chat_view(person)["answers"]) == answers[person] + 1
        now = shown(emulator, person)
        assert now != before[person] and len(now) > len(before[person])
        assert "Vecka 1" in now[-1][1]  # the /progress reply
    assert rows(bot, "SELECT update_id FROM inbox") == []


async def test_a_failing_get_updates_is_asked_again_and_loses_nothing(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await users.fault(502, method="getUpdates", times=1)
    await users.send(ERIK, "/start", first_name="Erik", language_code="sv")
    await users.idle()
    assert (await users.bot_messages(ERIK))[-1]["buttons"]
    assert rows(bot, "SELECT update_id FROM inbox") == []


async def test_a_webhook_update_is_stored_before_the_answer(
    bot: RunningBot, unused_tcp_port: int, users: EmulatorClient
) -> None:
    """The webhook answers 200 once the update is committed (and refuses a wrong secret);
    the update is handled and leaves the inbox."""
    import httpx

    await bot.stop()
    bot.with_settings(
        webhook_url=f"http://127.0.0.1:{unused_tcp_port}/hook",
        webhook_secret="hemligt",
        port=unused_tcp_port,
    )
    await bot.start()
    assert bot.db is not None
    body = {
        "update_id": 9001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": ERIK, "type": "private"},
            "from": {"id": ERIK, "is_bot": False, "first_name": "Erik", "language_code": "sv"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    url = f"http://127.0.0.1:{unused_tcp_port}/hook"
    async with httpx.AsyncClient() as client:
        refused = await client.post(url, json=body)
        assert refused.status_code == 403
        for _ in range(2):  # Telegram redelivers when it missed the first 200
            answer = await client.post(
                url, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": "hemligt"}
            )
            assert answer.status_code == 200
    assert bot.application is not None
    processor = bot.application.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    await processor.wait_handled(9001)
    assert await inbox.pending(bot.db) == []


# ---------------------------------------------------------------- sends that survive


def watch_floods(bot: RunningBot, flooded: int) -> asyncio.Event:
    """An event set once the rate limiter holds the flooded chat for its retry_after."""
    assert bot.application is not None
    limiter = bot.application.bot.rate_limiter
    assert isinstance(limiter, ChatPacingRateLimiter)
    held = asyncio.Event()
    hold = limiter._hold

    async def noted(chat_id: int | None, seconds: float) -> None:
        await hold(chat_id, seconds)
        if chat_id == flooded:
            held.set()

    limiter._hold = noted  # type: ignore[method-assign]
    return held


async def test_other_chats_go_on_while_one_is_faulted_and_every_reply_arrives(
    bot: RunningBot, users: EmulatorClient, emulator: Emulator, course: Course
) -> None:
    """5xx and timeouts on one chat, a 429 storm on another: the rest are answered while
    the storm lasts, and both faulted chats get their replies afterwards."""
    bot.with_settings(telegram_timeout=0.5)
    await bot.restart()
    flaky, flooded, others = 701, 702, list(range(703, 709))
    for person in [flaky, flooded, *others]:
        await join(users, person, "sv", f"P{person}")
    held = watch_floods(bot, flooded)
    await users.fault(500, method="sendMessage", user_id=flaky, times=2)
    await users.fault(504, method="sendMessage", user_id=flaky, times=2, hang=True)
    await users.fault(429, user_id=flooded, retry_after=1)  # until cleared
    before = {p: shown(emulator, p) for p in [flaky, flooded, *others]}

    try:
        await step_all(users, course, [flooded, flaky])
        async with asyncio.timeout(10):
            await held.wait()  # the flooded chat is waiting out its 429
        await step_all(users, course, others)
        await until(emulator, lambda: all(shown(emulator, p) != before[p] for p in others))
        assert shown(emulator, flooded) == before[flooded]  # still waiting, the others served
    finally:
        await users.clear_faults(flooded)
    await users.idle(timeout=20)
    for person in [flaky, flooded, *others]:
        assert shown(emulator, person) != before[person], person
        texts = [text for _, text, _, _ in shown(emulator, person)]
        assert APOLOGY not in texts
    assert rows(bot, "SELECT count(*) FROM undelivered") == [(0,)]
    assert runtime(bot).failed_sends == 0


async def test_many_taps_of_a_flooded_chat_do_not_hold_up_the_others(
    bot: RunningBot, users: EmulatorClient, emulator: Emulator, course: Course
) -> None:
    """A person in a 429 storm who keeps tapping queues only behind themselves: their
    waiting updates do not take the places of other people's."""
    flooded, others = 711, list(range(712, 716))
    for person in [flooded, *others]:
        await join(users, person, "sv", f"P{person}")
    held = watch_floods(bot, flooded)
    await users.fault(429, user_id=flooded, retry_after=1)
    before = {p: shown(emulator, p) for p in [flooded, *others]}
    await users.send(flooded, "/progress", first_name="P", language_code="sv")
    async with asyncio.timeout(10):
        await held.wait()
    try:
        for _ in range(40):  # more than the bot handles at once
            await users.send(flooded, "/progress", first_name="P", language_code="sv")
        await step_all(users, course, others)
        await until(emulator, lambda: all(shown(emulator, p) != before[p] for p in others))
        assert shown(emulator, flooded) == before[flooded]
    finally:
        await users.clear_faults(flooded)
    await users.idle(timeout=30)
    assert len(shown(emulator, flooded)) == len(before[flooded]) + 41


async def test_a_reply_telegram_keeps_refusing_is_sent_first_next_time(
    bot: RunningBot, users: EmulatorClient, emulator: Emulator, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    await users.fault(500, user_id=ERIK)  # every call to this chat, until cleared
    await step_all(users, course, [ERIK])
    await users.idle()
    kept = rows(bot, "SELECT message FROM undelivered WHERE chat_id = ? ORDER BY id", ERIK)
    assert kept, "the reply was lost instead of kept"
    assert runtime(bot).failed_sends == 1
    assert ERIK in runtime(bot).undelivered_chats

    await users.clear_faults()
    before = len(shown(emulator, ERIK))
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    arrived = [text for _, text, _, _ in shown(emulator, ERIK)[before:]]
    import json

    first_kept = json.loads(kept[0][0])["text"]
    assert arrived[0] == first_kept  # what was kept comes first, then the /continue card
    assert len(arrived) > len(kept)
    assert rows(bot, "SELECT count(*) FROM undelivered") == [(0,)]
    assert ERIK not in runtime(bot).undelivered_chats


async def test_kept_messages_survive_a_restart(
    bot: RunningBot, users: EmulatorClient, emulator: Emulator, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    await users.fault(502, user_id=ERIK)
    await step_all(users, course, [ERIK])
    await users.idle()
    await users.clear_faults()
    await bot.restart()
    assert ERIK in runtime(bot).undelivered_chats
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    assert rows(bot, "SELECT count(*) FROM undelivered") == [(0,)]


@pytest.mark.parametrize("hang", [False, True], ids=["refused", "hanging"])
async def test_a_failing_press_answer_does_not_block_the_next_card(
    bot: RunningBot, users: EmulatorClient, emulator: Emulator, course: Course, hang: bool
) -> None:
    bot.with_settings(telegram_timeout=1.0)
    await bot.restart()
    await join(users, ERIK, "sv", "Erik")
    description = "Bad Request: query is too old and response timeout expired"
    await users.fault(400, method="answerCallbackQuery", description=description, hang=hang)
    for _ in range(2):
        before = shown(emulator, ERIK)
        await step_all(users, course, [ERIK])
        # the card arrives while the press's answer is still refused or hanging
        await until(emulator, lambda before=before: shown(emulator, ERIK) != before)  # type: ignore[misc]
        await users.idle(timeout=20)
    texts = [text for _, text, _, _ in shown(emulator, ERIK)]
    assert APOLOGY not in texts
    await users.clear_faults()


# ---------------------------------------------------------------- erasure


async def test_erasure_takes_the_inbox_and_the_kept_messages(db: Database) -> None:
    group_id = int(
        await db.fetch_value(
            "INSERT INTO groups (name, start_date, created_at)"
            " VALUES ('G', '2026-01-05', 'x') RETURNING id"
        )
    )
    for telegram_id in (11, 12):
        await participants.create(db, telegram_id, "Namn", "sv", group_id=group_id)
        await inbox.store(db, [Received(telegram_id * 100, telegram_id, '{"secret": "Namn"}')])
        await undelivered.keep(db, telegram_id, ['{"text": "Hej Namn"}'])
    await inbox.store(db, [Received(1300, 13, "{}")])

    await participants.erase(db, 11)
    assert [r.telegram_id for r in await inbox.pending(db)] == [12, 13]
    assert await undelivered.waiting(db, 11) == []

    await purge_group(db, group_id)
    assert [r.telegram_id for r in await inbox.pending(db)] == [13]
    assert await undelivered.chats(db) == set()
