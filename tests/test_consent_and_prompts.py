"""Nothing stored before consent, nothing changed behind anyone's back, nothing kept forever.

End to end through the emulator: the refusals (stale, reused, forged prompt
answers), the questions asked before a move or a role change, the lock-out under
a burst, and the purge of people who never agreed or belong to no group.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bench.simulation import SimulatedParticipant
from bot.clock import utc_now
from bot.course.model import Course
from bot.i18n.translator import Translator
from bot.storage import Database
from bot.storage.database import to_iso
from bot.storage.retention import purge_unattached
from bot.telegram import callbacks
from bot.telegram.participant.handlers import PROMPT_GONE
from bot.telegram.participant.joining import COACH_QUESTION, MOVE_QUESTION, TOO_MANY_TRIES
from tests import databases
from tests.conftest import RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import button, join, rows
from tests.test_coach_e2e import (
    coach_joins,
    group_id,
    joins,
    last_answer,
    new_group,
    participant_link,
    say,
)

ERIK, AMINA, KARIN, LENA = 7_340_061_901, 7_340_061_902, 7_340_061_903, 7_340_061_904


def dump(bot: RunningBot) -> str:
    return databases.dump(bot.settings.database)


async def test_before_consent_nothing_names_the_newcomer(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await users.send(ERIK, "/start", first_name="Erikssonsson", language_code="sv")
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.language("sv")))
    await users.idle()
    assert "Erikssonsson" not in dump(bot)
    assert rows(bot, "SELECT COUNT(*) FROM participants") == [(0,)]
    assert rows(bot, "SELECT language FROM newcomers WHERE telegram_id = ?", ERIK) == [("sv",)]

    await users.press(ERIK, *await button(users, ERIK, callbacks.consent(True)))
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.window("afternoon")))
    await users.idle()
    assert rows(bot, "SELECT first_name FROM participants") == [("Erikssonsson",)]
    assert rows(bot, "SELECT COUNT(*) FROM newcomers") == [(0,)]


async def test_the_purge_forgets_who_never_agreed_and_who_has_no_group(bot: RunningBot) -> None:
    assert bot.db is not None
    db: Database = bot.db
    now = utc_now()
    old, recent = to_iso(now - timedelta(days=2)), to_iso(now - timedelta(hours=2))
    await db.execute(
        "INSERT INTO newcomers (telegram_id, language, created_at)"
        " VALUES (1, 'sv', ?), (2, 'sv', ?)",
        (old, recent),
    )
    long_ago = to_iso(now.replace(year=2020))
    await db.execute(
        "INSERT INTO participants (telegram_id, first_name, language, consent_at, created_at,"
        " last_active_at) VALUES (3, 'Never', 'sv', NULL, ?, ?), (4, 'Groupless', 'sv', ?, ?, ?),"
        " (5, 'Active', 'sv', ?, ?, ?)",
        (old, old, long_ago, long_ago, long_ago, recent, recent, recent),
    )
    assert await purge_unattached(db, retention_months=12, now=now) == 3
    assert rows(bot, "SELECT telegram_id FROM newcomers") == [(2,)]
    assert rows(bot, "SELECT first_name FROM participants") == [("Active",)]


async def test_an_old_erase_button_does_nothing_after_no(
    bot: RunningBot, users: EmulatorClient, tr: Translator
) -> None:
    await join(users, ERIK, "sv", "Erik")
    await users.send(ERIK, "/delete", first_name="Erik", language_code="sv")
    await users.idle()
    prompt, yes = await button(users, ERIK, "1A|erase|")
    no = yes[:-1] + "0"
    await users.press(ERIK, prompt, no)
    await users.idle()
    await users.press(ERIK, prompt, yes)  # the old "Yes, erase everything", pressed later
    await users.idle()
    assert rows(bot, "SELECT COUNT(*) FROM participants") == [(1,)]
    assert await last_answer(users, ERIK) == tr._(PROMPT_GONE)


async def test_forged_erase_presses_change_nothing(bot: RunningBot, users: EmulatorClient) -> None:
    await join(users, ERIK, "sv", "Erik")
    last = (await users.bot_messages(ERIK))[-1]["message_id"]
    for forged in (
        "1S|delete|yes",
        "1A|erase|AAAAAAAA|1",
        "1A|erase|short|1",
        "1A|nuke|AAAAAAAA|1",
    ):
        await users.press(ERIK, last, forged)
        await users.idle()
    assert rows(bot, "SELECT COUNT(*) FROM participants") == [(1,)]


async def test_an_erase_prompt_works_once_on_its_own_prompt(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await join(users, ERIK, "sv", "Erik")
    await join(users, AMINA, "sv", "Amina")
    await users.send(AMINA, "/delete", first_name="Amina", language_code="sv")
    await users.idle()
    prompt, amina_yes = await button(users, AMINA, "1A|erase|")
    await users.press(ERIK, prompt, amina_yes)  # Erik replays Amina's button: not his prompt
    await users.idle()
    assert rows(bot, "SELECT COUNT(*) FROM participants") == [(2,)]
    await users.press(AMINA, prompt, amina_yes)
    await users.idle()
    assert rows(bot, "SELECT first_name FROM participants") == [("Erik",)]
    assert (await users.bot_messages(AMINA))[-2].get("buttons") in (None, [])


async def test_reading_the_lesson_again_during_its_quiz_asks_first(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv", "Erik")
    player = SimulatedParticipant(users, course, ERIK)
    lesson = course.weeks[0].lessons[0]
    while rows(bot, "SELECT COUNT(*) FROM answers")[0][0] == 0:
        await player.step()
        await users.idle()
    before = rows(bot, "SELECT state FROM progress")
    last = (await users.bot_messages(ERIK))[-1]["message_id"]
    await users.press(ERIK, last, callbacks.repeat(lesson.id))  # an old "Read the lesson again"
    await users.idle()
    assert rows(bot, "SELECT state FROM progress") == before
    prompt, yes = await button(users, ERIK, "1A|leave|")
    await users.press(ERIK, prompt, yes[:-1] + "0")
    await users.idle()
    assert rows(bot, "SELECT state FROM progress") == before


async def test_a_burst_of_wrong_codes_is_counted_exactly(
    bot: RunningBot, users: EmulatorClient, tr: Translator
) -> None:
    await asyncio.gather(
        *(
            users.send(ERIK, f"/start wrong-code-number-{n:02d}-xxxxxxxx", first_name="Erik")
            for n in range(60)
        )
    )
    await users.idle()
    assert rows(bot, "SELECT COUNT(*) FROM start_attempts") == [(5,)]
    said = [m["text"] for m in await users.bot_messages(ERIK)]
    assert said.count(tr.message(tr._(TOO_MANY_TRIES))) == 55


async def test_another_groups_link_asks_before_moving_and_tells_the_old_coach(
    bot: RunningBot, users: EmulatorClient, cli: Any, tr: Translator
) -> None:
    await coach_joins(users, KARIN, await new_group(cli, "Vetlanda", bot.today()), "Karin")
    await coach_joins(users, LENA, await new_group(cli, "Eksjö", bot.today()), "Lena")
    vetlanda, eksjo = group_id(bot, "Vetlanda"), group_id(bot, "Eksjö")
    await joins(users, ERIK, await participant_link(users, KARIN, vetlanda), "Erik")
    other = await participant_link(users, LENA, eksjo)
    came = await say(users, ERIK, f"/start {other}", "Erik")
    assert came[-1]["text"] == tr._(MOVE_QUESTION).format(current="Vetlanda", other="Eksjö")
    assert rows(bot, "SELECT group_id FROM participants") == [(vetlanda,)]
    prompt, yes = await button(users, ERIK, "1A|move|")
    await users.press(ERIK, prompt, yes)
    await users.idle()
    assert rows(bot, "SELECT group_id FROM participants") == [(eksjo,)]
    assert "Erik" in (await users.bot_messages(KARIN))[-1]["text"]
    await users.press(ERIK, prompt, yes)  # the same answer again: nothing more happens
    await users.idle()
    assert await last_answer(users, ERIK) == tr._(PROMPT_GONE)


async def test_a_participant_opening_a_coach_link_is_asked_first(
    bot: RunningBot, users: EmulatorClient, cli: Any, tr: Translator
) -> None:
    code = await new_group(cli, "Vetlanda", bot.today())
    await join(users, ERIK, "sv", "Erik")
    came = await say(users, ERIK, f"/start {code}", "Erik")
    assert came[-1]["text"] == tr._(COACH_QUESTION).format(group="Vetlanda")
    assert rows(bot, "SELECT COUNT(*) FROM coaches") == [(0,)]
    prompt, yes = await button(users, ERIK, "1A|coach|")
    await users.press(ERIK, prompt, yes[:-1] + "0")
    await users.idle()
    assert rows(bot, "SELECT COUNT(*) FROM coaches") == [(0,)]
