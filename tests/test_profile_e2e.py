"""The vocational profile and the own goal end to end: the real bot, the emulator, a coach.

A participant writes a goal in week 1, ticks picture cards in week 2 (forged and
stale presses change nothing), looks at the goal again in week 10 and writes a new
one; the coach sees both in the participant's detail; /delete leaves no row of them.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from pypdf import PdfReader

from bench.simulation import SimulatedParticipant
from bot.course.limits import GOAL_CHARS
from bot.course.model import Course, StepKind
from bot.course.progress import LessonResult, Progress, Stage
from bot.i18n.translator import Translator
from bot.storage.prompts import PromptKind
from bot.telegram import callbacks
from bot.telegram.coach import callbacks as cb
from tests import databases
from tests.conftest import RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import button, rows, stored_progress, take_week
from tests.test_coach_e2e import (
    coach_joins,
    group_id,
    joins,
    new_group,
    participant_id,
    participant_link,
    press,
    say,
    text_of,
)

KARIN, AMINA = 7_340_061_901, 7_340_061_924
FIRST_GOAL, NEW_GOAL = "Jag vill jobba i ett kök.", "Jag vill bli kock på en skola."


async def walk_to(
    bot: RunningBot, users: EmulatorClient, course: Course, lesson_id: str, item_id: str
) -> None:
    """Press on like a good student until the participant stands on that step."""
    player = SimulatedParticipant(users, course, AMINA)
    for _ in range(300):
        state = stored_progress(bot, AMINA)
        if state.lesson_id == lesson_id and state.item_id == item_id:
            return
        assert await player.step() is not None
        await users.idle()
    raise AssertionError(f"never reached {lesson_id}/{item_id}")


def goal_row(bot: RunningBot) -> list[tuple[Any, ...]]:
    return rows(
        bot,
        "SELECT text, voice_seconds, week, earlier_text, still_holds FROM goals g"
        " JOIN participants p ON p.id = g.participant_id WHERE p.telegram_id = ?",
        AMINA,
    )


def picks(bot: RunningBot) -> dict[str, str]:
    found = rows(
        bot,
        "SELECT topic, cards FROM profile_picks x JOIN participants p ON p.id = x.participant_id"
        " WHERE p.telegram_id = ?",
        AMINA,
    )
    return dict(found)


def stand_on(bot: RunningBot, course: Course, lesson_id: str, step_id: str) -> None:
    """Put the participant on a later step with every lesson before it passed (weeks of
    lessons a test need not click through)."""
    order = course.lesson_order(lesson_id)
    results = {x.id: LessonResult(100, True, 1) for x in course.lessons[:order]}
    state = Progress(Stage.STEP, lesson_id, step_id, results=results)
    databases.execute(
        bot.settings.database,
        "UPDATE progress SET state = ? WHERE participant_id ="
        " (SELECT id FROM participants WHERE telegram_id = ?)",
        state.to_json(),
        AMINA,
    )


async def test_profile_goal_and_review_reach_the_coach_and_go_with_delete(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    today = bot.today()
    code = await new_group(cli, "Eksjö HT 2026", today - timedelta(weeks=10))  # all weeks open
    await coach_joins(users, KARIN, code, "Karin")
    group = group_id(bot, "Eksjö HT 2026")
    await joins(users, AMINA, await participant_link(users, KARIN, group), "Amina")

    # Week 1: the goal, typed.
    await walk_to(bot, users, course, "w1-welcome", "my-goal")
    goal_card = (await users.bot_messages(AMINA))[-1]
    assert goal_card["buttons"]  # Skip for now
    await say(users, AMINA, "/whatever", "Amina")  # an unknown command is no goal
    assert goal_row(bot) == []
    came = text_of(await say(users, AMINA, FIRST_GOAL, "Amina"))
    assert tr._("✅ Your goal is saved: {goal}").split("{")[0] in came and FIRST_GOAL in came
    assert goal_row(bot) == [(FIRST_GOAL, None, 1, None, None)]
    assert stored_progress(bot, AMINA).item_id != "my-goal"
    closed = next(
        m for m in await users.bot_messages(AMINA) if m["message_id"] == goal_card["message_id"]
    )
    assert not closed["buttons"]  # one live card: the next step's
    elsewhere = text_of(await say(users, AMINA, "hej", "Amina"))  # no goal step: just words
    assert "/continue" in elsewhere and goal_row(bot)[0][0] == FIRST_GOAL

    # Week 2: the vocational profile.
    await take_week(users, course, AMINA, 1, bot)
    await walk_to(bot, users, course, "w2-profile", "work")
    lesson = course.locate("w2-profile")
    assert lesson is not None
    work, skills, support = (lesson[1].step(i) for i in ("work", "skills", "support"))
    assert work and skills and support and work.kind is StepKind.CARDS
    card_id, data = await button(
        users, AMINA, callbacks.tick_card("w2-profile", work, "cook", True)
    )
    await users.press(AMINA, card_id, data)
    await users.idle()
    await users.press(AMINA, card_id, callbacks.tick_card("w2-profile", work, "shop", True))
    await users.idle()
    await users.press(AMINA, card_id, callbacks.tick_card("w2-profile", work, "shop", False))
    await users.idle()
    redrawn = next(m for m in await users.bot_messages(AMINA) if m["message_id"] == card_id)
    labels = [b["text"] for row in redrawn["buttons"] for b in row]
    assert "☑ 🍳 Laga mat i ett kök" in labels and "☐ 🛒 Jobba i en butik" in labels
    assert stored_progress(bot, AMINA).selection == ("cook",)

    before = stored_progress(bot, AMINA)
    for forged in (
        "1v|w2-profile|work|99|1",  # no such card
        "1v|w2-profile|work|1|7",
        callbacks.tick_card("w2-profile", skills, "languages", True),  # a step not reached
        callbacks.tick_card("w2-profile", work, "cook", True),  # ticked already
        "1u|w2-profile|work",  # a goal change on a cards step
    ):
        await users.press(AMINA, card_id, forged)
        await users.idle()
        assert stored_progress(bot, AMINA) == before, forged
    assert picks(bot) == {}

    await users.press(AMINA, card_id, callbacks.next_step("w2-profile", "work"))  # Klar
    await users.idle()
    skills_id, klar = await button(users, AMINA, callbacks.next_step("w2-profile", "skills"))
    await users.press(AMINA, skills_id, klar)  # none of these
    await users.idle()
    support_id, data = await button(
        users, AMINA, callbacks.tick_card("w2-profile", support, "swedish", True)
    )
    await users.press(AMINA, support_id, data)
    await users.idle()
    await users.press(AMINA, support_id, callbacks.next_step("w2-profile", "support"))
    await users.idle()
    assert picks(bot) == {"work": '["cook"]', "skills": "[]", "support": '["swedish"]'}
    old_work = callbacks.tick_card("w2-profile", work, "clean", True)  # an old card's button
    await users.press(AMINA, card_id, old_work)
    await users.idle()
    assert picks(bot)["work"] == '["cook"]'

    # Week 10: the goal shown back, then changed.
    stand_on(bot, course, "w10-plan", "look-back")
    await say(users, AMINA, "/continue", "Amina")
    await users.press(
        AMINA, *await button(users, AMINA, callbacks.next_step("w10-plan", "look-back"))
    )
    await users.idle()
    review = (await users.bot_messages(AMINA))[-1]
    shown_goal = tr._("🎯 Your goal in week {number}: {goal}").split("{")[0]
    assert shown_goal in review["text"] and FIRST_GOAL in review["text"]
    assert "1" in review["text"]
    await users.press(AMINA, review["message_id"], callbacks.change_goal("w10-plan", "goal"))
    await users.idle()
    assert stored_progress(bot, AMINA).attempt == 1  # writing the new goal
    await say(users, AMINA, NEW_GOAL, "Amina")
    assert goal_row(bot) == [(NEW_GOAL, None, 10, FIRST_GOAL, 0)]
    assert stored_progress(bot, AMINA).item_id == "first-step"

    # The coach sees both; so does the participant's /mydata.
    detail = text_of(await press(users, KARIN, cb.participant(group, participant_id(bot, AMINA))))
    assert tr._("The participant's own goal") in detail and NEW_GOAL in detail
    assert FIRST_GOAL in detail  # what it was before the review
    assert tr._("Vocational profile") in detail
    assert "🍳 Laga mat i ett kök" in detail and "💬 Bli bättre på svenska" in detail
    assert f"{tr._('What I can already do')}: {tr._('none of these')}" in detail
    await press(users, KARIN, cb.summary(group, participant_id(bot, AMINA), False))
    document = (await users.bot_messages(KARIN))[-1]["document"]
    page = PdfReader(io.BytesIO(await users.media(document["url"]))).pages[0].extract_text()
    assert "bli kock" in page and "Laga mat i ett kök" in page
    mine = text_of(await say(users, AMINA, "/mydata", "Amina"))
    assert tr._("Your vocational profile") in mine and NEW_GOAL in mine

    # /delete: no profile or goal row is left.
    await say(users, AMINA, "/delete", "Amina")
    await users.press(AMINA, *await button(users, AMINA, f"1A|{PromptKind.ERASE.value}|"))
    await users.idle()
    assert rows(bot, "SELECT count(*) FROM participants WHERE telegram_id = ?", AMINA) == [(0,)]
    assert rows(bot, "SELECT count(*) FROM profile_picks") == [(0,)]
    assert rows(bot, "SELECT count(*) FROM goals") == [(0,)]


async def test_a_voice_goal_keeps_only_its_length(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    today = bot.today()
    code = await new_group(cli, "Nässjö HT 2026", today)
    await coach_joins(users, KARIN, code, "Karin")
    group = group_id(bot, "Nässjö HT 2026")
    await joins(users, AMINA, await participant_link(users, KARIN, group), "Amina")
    await walk_to(bot, users, course, "w1-welcome", "my-goal")
    too_long = text_of(await say(users, AMINA, "mål " * 200, "Amina"))
    assert str(GOAL_CHARS) in too_long and goal_row(bot) == []
    head = b"OggS\x00\x02" + bytes(8) + bytes(14) + b"OpusHead" + bytes(11)
    voice = head + b"OggS\x00\x04" + (6 * 48_000).to_bytes(8, "little") + bytes(20)
    await users.upload(AMINA, "voice", "mål.ogg", "audio/ogg", voice)
    await users.idle()
    assert goal_row(bot) == [(None, 6, 1, None, None)]
    said = (await users.bot_messages(AMINA))[-2:]
    assert any("6 s" in (m["text"] or "") for m in said)
