"""The scheduler end to end: the real bot, the emulator, and a clock set by the test.

A participant who stops mid-lesson gets the reminder ladder at the time they
chose and only then; nothing in quiet hours, nothing twice; after the last
reminder they are paused and their coach is told. A wrong answer comes back in
a memory check the next day; a planned pause sends nothing; a paced group's
week opening is announced once. Runs go through the same function the bot's
tick and ``python -m bot jobs run-due --now`` use.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.simulation import SimulatedParticipant
from bot import clock
from bot import jobs as jobs_cli
from bot.course.model import Course
from bot.course.progress import Stage
from bot.storage import groups, participants, reminders, reviews, scheduled
from bot.telegram import callbacks, duties
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach import jobs as coach_jobs
from bot.telegram.context import BotContext
from bot.telegram.scheduler import MAX_ATTEMPTS, Counts
from tests.conftest import RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import button, join, rows, stored_progress
from tests.test_coach_e2e import participant_id, press, say, text_of

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AMINA, ERIK, KARIN = 7_340_061_001, 7_340_061_002, 7_340_061_900


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    clock.set_now(at(date(2026, 12, 1), 10))
    yield
    clock.set_now(None)


@pytest.fixture(autouse=True)
def no_tick(bot: RunningBot) -> None:
    """The bot's own once-a-minute tick would run at the test's fixed clock: these tests
    run the scheduler themselves, at the moments they choose."""
    assert bot.application is not None and bot.application.job_queue is not None
    for job in bot.application.job_queue.get_jobs_by_name("scheduler"):
        job.schedule_removal()


async def run_due(bot: RunningBot, users: EmulatorClient, moment: datetime) -> Counts:
    clock.set_now(moment)
    assert bot.application is not None
    counts = await duties.run_due(BotContext(bot.application), moment)
    await users.idle()
    return counts


async def texts(users: EmulatorClient, user_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in await users.bot_messages(user_id)]


async def new_texts(users: EmulatorClient, user_id: int, seen: int) -> list[str]:
    return (await texts(users, user_id))[seen:]


async def mid_lesson(users: EmulatorClient, course: Course, user_id: int, name: str) -> None:
    """Join, choose evening reminders, read one step: stopped mid-lesson."""
    await join(users, user_id, "sv", name, window="evening")
    await SimulatedParticipant(users, course, user_id).step()
    await users.idle()


async def coach_follows(
    bot: RunningBot,
    users: EmulatorClient,
    start: date,
    *telegram_ids: int,
    self_paced: bool = False,
) -> int:
    assert bot.db is not None
    group = await groups.create_group(bot.db, "Höst A", start, self_paced)
    coach = await groups.add_coach(bot.db, KARIN, "Karin", "sv")
    await groups.add_coach_to_group(bot.db, group.id, coach.id)
    for telegram_id in telegram_ids:
        person = await participants.get_by_telegram_id(bot.db, telegram_id)
        assert person is not None
        await participants.set_group(bot.db, person.id, group.id)
    await users.send(KARIN, "/help", first_name="Karin", language_code="sv")
    await users.idle()
    return group.id


async def test_the_ladder_comes_at_the_chosen_time_only_then_pauses_and_tells_the_coach(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await mid_lesson(users, course, AMINA, "Amina")
    await coach_follows(bot, users, date(2026, 11, 30), AMINA, self_paced=True)
    assert stored_progress(bot, AMINA).stage is Stage.STEP
    seen = len(await texts(users, AMINA))
    coach_seen = len(await texts(users, KARIN))

    for moment in (at(date(2026, 12, 1), 18), at(date(2026, 12, 2), 10), at(date(2026, 12, 2), 23)):
        await run_due(bot, users, moment)  # the same day, outside the window, quiet hours
    assert await new_texts(users, AMINA, seen) == []

    first = await run_due(bot, users, at(date(2026, 12, 2), 17, 30))
    assert first.sent == 1
    reminder = (await users.bot_messages(AMINA))[-1]
    assert "Lektion 1 av vecka 1" in reminder["text"] and "minut" in reminder["text"]
    assert reminder["buttons"][0][0]["data"] == callbacks.continue_here()
    for moment in (
        at(date(2026, 12, 2), 17, 30),
        at(date(2026, 12, 2), 19),
        at(date(2026, 12, 3), 18),
    ):
        assert (await run_due(bot, users, moment)).sent == 0  # nothing twice, day 2 is no rung
    assert len(await new_texts(users, AMINA, seen)) == 1

    await run_due(bot, users, at(date(2026, 12, 4), 20))
    last = await run_due(bot, users, at(date(2026, 12, 8), 17))
    sent = await new_texts(users, AMINA, seen)
    assert len(sent) == 3 and len(set(sent)) == 3  # the wording varies
    assert "sista påminnelse" in sent[-1]
    assert last.sent >= 2  # the last reminder, and the coach's notice in the same run
    paused = rows(
        bot,
        "SELECT paused_by FROM participant_settings s JOIN participants p"
        " ON p.id = s.participant_id WHERE p.telegram_id = ?",
        AMINA,
    )
    assert paused == [("ladder",)]
    told = [
        t for t in await new_texts(users, KARIN, coach_seen) if "pausad efter 3 påminnelser" in t
    ]
    assert len(told) == 1 and "Amina" in told[0]

    for day in (9, 12, 20):
        await run_due(bot, users, at(date(2026, 12, day), 18))
    assert len(await new_texts(users, AMINA, seen)) == 3
    notices = [
        t for t in await new_texts(users, KARIN, coach_seen) if "pausad efter 3 påminnelser" in t
    ]
    assert len(notices) == 1

    # Back: the reminder's button continues exactly where they stopped; the pause ends.
    clock.set_now(at(date(2026, 12, 21), 18))
    await users.press(AMINA, reminder["message_id"], callbacks.continue_here())
    await users.idle()
    assert stored_progress(bot, AMINA).stage is Stage.STEP
    await run_due(bot, users, at(date(2026, 12, 21), 18, 5))
    assert rows(bot, "SELECT paused_at FROM participant_settings") == [(None,)]


async def test_a_participant_who_came_back_is_not_reminded_of_the_old_step(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await mid_lesson(users, course, AMINA, "Amina")
    assert bot.db is not None
    person = await participants.get_by_telegram_id(bot.db, AMINA)
    assert person is not None
    # Planned for 17:00, but they came back at 16:00 before it went.
    planned = scheduled.NewItem(
        "reminder:stale",
        "reminder",
        AMINA,
        at(date(2026, 12, 2), 17),
        participant_id=person.id,
        anchor=person.last_active_at,
        payload={"rung": 0},
    )
    await scheduled.add(bot.db, [planned], at(date(2026, 12, 2), 16))
    clock.set_now(at(date(2026, 12, 2), 16))
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    seen = len(await texts(users, AMINA))
    counts = await run_due(bot, users, at(date(2026, 12, 2), 17, 1))
    assert counts.dropped == 1 and counts.sent == 0
    assert await new_texts(users, AMINA, seen) == []


async def test_a_wrong_answer_comes_back_in_a_memory_check_the_next_day(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, AMINA, "sv", "Amina")
    wrong = SimulatedParticipant(users, course, AMINA, right=False)
    while stored_progress(bot, AMINA).stage is not Stage.QUESTION:
        await wrong.step()
        await users.idle()
    asked = stored_progress(bot, AMINA)
    await wrong.step()  # a wrong first try
    await users.idle()
    key = f"{asked.lesson_id}/{asked.item_id}"

    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    assert not any("Minneskoll" in t for t in await texts(users, AMINA))  # not due today

    clock.set_now(at(date(2026, 12, 2), 9))
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    offer = (await users.bot_messages(AMINA))[-1]
    assert "Minneskoll" in offer["text"]
    await users.press(AMINA, offer["message_id"], callbacks.review_start())
    await users.idle()
    question = (await users.bot_messages(AMINA))[-1]
    data = question["buttons"][0][0]["data"]
    decoded = callbacks.decode(data, course)
    assert isinstance(decoded, callbacks.ReviewAnswer)
    assert f"{decoded.lesson_id}/{decoded.question_id}" == key
    await users.press(AMINA, question["message_id"], data)
    await users.idle()
    # The same press again counts once; a second /continue today offers no second check.
    await users.press(AMINA, question["message_id"], data)
    await users.idle()
    assert rows(bot, "SELECT COUNT(*) FROM review_checks") == [(1,)]
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    assert sum("Minneskoll" in t and "frågor" in t for t in await texts(users, AMINA)) <= 1


async def test_a_planned_pause_sends_nothing_until_it_ends(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await mid_lesson(users, course, ERIK, "Erik")
    await users.send(ERIK, "/settings", first_name="Erik", language_code="sv")
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.settings_page("pause")))
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.pause("holiday")))
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.pause("holiday", 7)))
    await users.idle()
    assert "8 dec" in (await texts(users, ERIK))[-1]
    seen = len(await texts(users, ERIK))
    for day in range(2, 9):
        await run_due(bot, users, at(date(2026, 12, day), 18))
    assert await new_texts(users, ERIK, seen) == []
    await run_due(bot, users, at(date(2026, 12, 9), 18))
    assert len(await new_texts(users, ERIK, seen)) == 1  # the pause is over


async def test_a_week_opening_is_announced_once(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, AMINA, "sv", "Amina")
    await coach_follows(bot, users, date(2026, 11, 30), AMINA)
    seen = len(await texts(users, AMINA))
    await run_due(bot, users, at(date(2026, 12, 7), 7))  # quiet hours
    assert await new_texts(users, AMINA, seen) == []
    await run_due(bot, users, at(date(2026, 12, 7), 13, 30))
    await run_due(bot, users, at(date(2026, 12, 7), 14))
    opened = await new_texts(users, AMINA, seen)
    assert len(opened) == 1 and "Vecka 2" in opened[0]
    await run_due(bot, users, at(date(2026, 12, 8), 14))
    later = await new_texts(users, AMINA, seen)
    assert sum("Vecka 2" in t for t in later) == 1


async def test_run_due_twice_or_after_a_kill_sends_each_item_once(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, AMINA, "sv", "Amina")
    await join(users, ERIK, "sv", "Erik")
    assert bot.db is not None
    now = at(date(2026, 12, 7), 9, 30)
    people = [await participants.get_by_telegram_id(bot.db, u) for u in (AMINA, ERIK)]
    for person in people:  # no reminders of their own: only the items below are due
        assert person is not None
        await reminders.set_window(bot.db, person.id, "none")
    items = [
        scheduled.NewItem(
            f"week:{p.id}:w02",
            "week_open",
            p.telegram_id,
            now,
            participant_id=p.id,
            payload={"week": "w02"},
        )
        for p in people
        if p is not None
    ]
    await scheduled.add(bot.db, items, now)
    killed = await scheduled.claim_next(bot.db, now, now)  # claimed, then the process died
    assert killed is not None
    seen = {u: len(await texts(users, u)) for u in (AMINA, ERIK)}
    first = await run_due(bot, users, now)
    assert first.sent == 1  # the other one is claimed by the dead run: not yet
    assert (await run_due(bot, users, now)).sent == 0
    assert (await run_due(bot, users, at(date(2026, 12, 7), 9, 35))).sent == 0  # claim is fresh
    assert (await run_due(bot, users, at(date(2026, 12, 7), 9, 45))).sent == 1  # claim went stale
    assert (await run_due(bot, users, at(date(2026, 12, 7), 10))).sent == 0
    for user in (AMINA, ERIK):
        assert len(await new_texts(users, user, seen[user])) == 1


async def test_one_recipients_failure_stops_no_one_and_a_403_pauses(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    for user, name in ((AMINA, "Amina"), (ERIK, "Erik")):
        await join(users, user, "sv", name)
    await coach_follows(bot, users, date(2026, 11, 30), AMINA, ERIK)
    await users.fault(403, user_id=AMINA)
    seen = len(await texts(users, ERIK))
    counts = await run_due(bot, users, at(date(2026, 12, 7), 13, 30))
    await users.clear_faults()
    assert counts.failed == 1 and counts.sent == 1
    assert len(await new_texts(users, ERIK, seen)) == 1
    assert rows(
        bot,
        "SELECT s.paused_by FROM participant_settings s JOIN participants p"
        " ON p.id = s.participant_id WHERE p.telegram_id = ?",
        AMINA,
    ) == [("blocked",)]


async def test_the_command_line_runs_the_same_scheduler(
    bot: RunningBot,
    users: EmulatorClient,
    course: Course,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await join(users, AMINA, "sv", "Amina")
    await coach_follows(bot, users, date(2026, 11, 30), AMINA)
    seen = len(await texts(users, AMINA))
    settings = bot.settings
    for key, value in {
        "BOT_TOKEN": settings.bot_token or "",
        "BOT_API_URL": settings.bot_api_url,
        "DATABASE": str(settings.database),
        "LESSONS_DIR": str(settings.lessons_dir),
        "LOCALES_DIR": str(settings.locales_dir),
        "BOT_MESSAGES_PER_SECOND": "1000",
    }.items():
        monkeypatch.setenv(key, value)
    when = argparse.Namespace(now="2026-12-07T13:30:00+01:00")
    assert await asyncio.to_thread(jobs_cli.run_due_command, when) == 0
    assert await asyncio.to_thread(jobs_cli.run_due_command, when) == 0
    out = capsys.readouterr().out.splitlines()
    assert "sent 1" in out[0] and "sent 0" in out[1]
    await users.idle()
    assert sum("Vecka 2" in t for t in await new_texts(users, AMINA, seen)) == 1


async def test_reminder_time_is_asked_after_consent_and_changed_in_settings(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await join(users, ERIK, "sv", "Erik", window=None)
    picker = [m for m in await users.bot_messages(ERIK) if "påminnelse" in (m.get("text") or "")]
    assert picker and len(picker[0]["buttons"]) == 5  # four windows and "no reminders"
    await users.press(ERIK, *await button(users, ERIK, callbacks.window("lunch")))
    await users.idle()
    assert rows(bot, "SELECT reminder_window FROM participant_settings") == [("lunch",)]
    await users.send(ERIK, "/settings", first_name="Erik", language_code="sv")
    await users.idle()
    assert "Lunch, 11–13" in (await texts(users, ERIK))[-1]
    await users.press(ERIK, *await button(users, ERIK, callbacks.settings_page("window")))
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.window("none")))
    await users.idle()
    assert rows(bot, "SELECT reminder_window FROM participant_settings") == [("none",)]
    for day in (2, 4, 8):  # no reminders at all
        assert (await run_due(bot, users, at(date(2026, 12, day), 12))).sent == 0


async def safety_card(bot: RunningBot, telegram_id: int, due: date) -> None:
    assert bot.db is not None
    person = await participants.get_by_telegram_id(bot.db, telegram_id)
    assert person is not None
    card = reviews.StoredCard("w4-get", "q-share", 1, due, True)
    await reviews.save_card(bot.db, person.id, card)


async def test_a_safety_question_asks_how_sure_and_a_sure_mistake_reaches_the_coach(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await join(users, AMINA, "sv", "Amina")
    group = await coach_follows(bot, users, date(2026, 11, 30), AMINA)
    await safety_card(bot, AMINA, date(2026, 12, 1))
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    await users.press(AMINA, *await button(users, AMINA, callbacks.review_start()))
    await users.idle()
    question = (await users.bot_messages(AMINA))[-1]
    assert "säkerhetskod" in question["text"]
    wrong = next(
        b["data"]
        for row in question["buttons"]
        for b in row
        if isinstance(d := callbacks.decode(b["data"], bot.course), callbacks.ReviewAnswer)
        and d.option_id == "true"
    )
    await users.press(AMINA, question["message_id"], wrong)
    await users.idle()
    faces = (await users.bot_messages(AMINA))[-1]
    assert [b["text"] for b in faces["buttons"][0]] == ["😟", "🙂", "😀"]
    await users.press(AMINA, faces["message_id"], faces["buttons"][0][2]["data"])
    await users.idle()
    assert "Inte riktigt" in "".join(await texts(users, AMINA))
    assert bot.db is not None
    mistakes = await reviews.confident_mistakes(bot.db, group)
    assert [(m.first_name, m.lesson_id, m.question_id) for m in mistakes] == [
        ("Amina", "w4-get", "q-share")
    ]
    # The card went back to the first box: it comes back tomorrow.
    assert rows(bot, "SELECT box, due_on FROM review_cards") == [(0, "2026-12-02")]
    # The coach's action list names it, in the coach's words.
    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    todo = overview[overview.index("Att göra den här veckan") :]
    assert "Amina" in todo and "säker men hade fel på en säkerhetsfråga" in todo
    assert "Om banken ringer får du säga din säkerhetskod." in todo


async def test_after_a_week_away_a_welcome_back_recaps_and_asks_one_question_first(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await join(users, AMINA, "sv", "Amina")
    await safety_card(bot, AMINA, date(2026, 12, 20))  # not due: asked anyway, once
    clock.set_now(at(date(2026, 12, 9), 10))
    seen = len(await texts(users, AMINA))
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    said = await new_texts(users, AMINA, seen)
    assert "Välkommen tillbaka, Amina" in said[0] and "Lektion 1 av vecka 1" in said[0]
    assert "Minneskoll 1 av 1" in said[-1]
    await users.press(AMINA, *await button(users, AMINA, callbacks.review_skip()))
    await users.idle()
    assert stored_progress(bot, AMINA).stage is Stage.STEP  # the lesson, where it was
    seen = len(await texts(users, AMINA))
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    assert not any("Välkommen tillbaka" in t for t in await new_texts(users, AMINA, seen))


async def test_the_monday_digest_is_one_item_per_coach_and_a_fault_delays_only_that_one(
    bot: RunningBot, users: EmulatorClient
) -> None:
    lena = KARIN + 1
    await join(users, AMINA, "sv", "Amina")
    group = await coach_follows(bot, users, date(2026, 11, 30), AMINA)
    assert bot.db is not None
    second = await groups.add_coach(bot.db, lena, "Lena", "sv")
    await groups.add_coach_to_group(bot.db, group, second.id)
    await users.send(lena, "/help", first_name="Lena", language_code="sv")
    await users.idle()
    await run_due(bot, users, at(date(2026, 12, 7), 7))  # learns when the digest is due
    seen = {c: len(await texts(users, c)) for c in (KARIN, lena)}
    await users.fault(500, user_id=KARIN, times=5)  # every try the sender makes, then it gives up
    counts = await run_due(bot, users, at(date(2026, 12, 7), 8, 1))
    await users.clear_faults()
    assert counts.retried >= 1
    digest = "Så här har veckan varit i dina grupper"
    assert any(digest in t for t in await new_texts(users, lena, seen[lena]))
    assert not any(digest in t for t in await new_texts(users, KARIN, seen[KARIN]))
    await run_due(bot, users, at(date(2026, 12, 7), 8, 10))
    await run_due(bot, users, at(date(2026, 12, 7), 8, 20))
    for coach in (KARIN, lena):
        assert sum(digest in t for t in await new_texts(users, coach, seen[coach])) == 1


async def test_blocking_the_bot_pauses_at_once_and_unblocking_lets_reminders_come(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await mid_lesson(users, course, ERIK, "Erik")
    await users.block(ERIK)
    await users.idle()
    blocked = rows(
        bot,
        "SELECT p.blocked_at IS NOT NULL, s.paused_by FROM participants p"
        " JOIN participant_settings s ON s.participant_id = p.id WHERE p.telegram_id = ?",
        ERIK,
    )
    assert blocked == [(1, "blocked")]
    counts = await run_due(bot, users, at(date(2026, 12, 2), 18))
    assert counts.sent == 0 and counts.failed == 0  # not even tried
    clock.set_now(at(date(2026, 12, 3), 12))
    await users.block(ERIK, blocked=False)
    await users.idle()
    seen = len(await texts(users, ERIK))
    await run_due(bot, users, at(date(2026, 12, 4), 18))  # a day after they came back
    assert len(await new_texts(users, ERIK, seen)) == 1


async def test_an_item_that_keeps_failing_is_retried_then_failed_and_counted(
    bot: RunningBot, users: EmulatorClient
) -> None:
    await join(users, AMINA, "sv", "Amina")
    await join(users, ERIK, "sv", "Erik")
    assert bot.db is not None
    now = at(date(2026, 12, 7), 9)
    items = []
    for user in (AMINA, ERIK):
        person = await participants.get_by_telegram_id(bot.db, user)
        assert person is not None
        await reminders.set_window(bot.db, person.id, "none")
        items.append(
            scheduled.NewItem(
                f"week:{person.id}:w02",
                "week_open",
                user,
                now,
                participant_id=person.id,
                payload={"week": "w02"},
            )
        )
    await scheduled.add(bot.db, items, now)
    await users.fault(500, user_id=AMINA)  # every call to her fails
    totals = Counts()
    for minutes in range(0, 60, 5):
        counts = await run_due(bot, users, now + timedelta(minutes=minutes))
        totals.sent += counts.sent
        totals.retried += counts.retried
        totals.failed += counts.failed
    await users.clear_faults()
    assert (totals.sent, totals.retried, totals.failed) == (1, MAX_ATTEMPTS - 1, 1)
    assert rows(bot, "SELECT status, attempts FROM scheduled_items ORDER BY chat_id") == [
        ("failed", MAX_ATTEMPTS),
        ("sent", 1),
    ]


async def test_the_reminders_button_starts_the_session_with_the_days_memory_check(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await mid_lesson(users, course, AMINA, "Amina")
    await safety_card(bot, AMINA, date(2026, 12, 2))
    await run_due(bot, users, at(date(2026, 12, 2), 17, 30))
    reminder = (await users.bot_messages(AMINA))[-1]
    assert reminder["buttons"][0][0]["data"] == callbacks.continue_here()
    clock.set_now(at(date(2026, 12, 2), 17, 40))
    await users.press(AMINA, reminder["message_id"], callbacks.continue_here())
    await users.idle()
    offer = (await users.bot_messages(AMINA))[-1]
    assert "Minneskoll" in offer["text"]
    await users.press(AMINA, *await button(users, AMINA, callbacks.review_skip()))
    await users.idle()
    assert stored_progress(bot, AMINA).stage is Stage.STEP
    assert (await users.bot_messages(AMINA))[-1]["buttons"][0][0]["data"].startswith("1n")


async def test_between_lessons_a_due_memory_check_comes_as_the_days_message(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, AMINA, "sv", "Amina")
    player = SimulatedParticipant(users, course, AMINA)
    while stored_progress(bot, AMINA).stage is not Stage.READY:
        assert await player.step() is not None
        await users.idle()
    await safety_card(bot, AMINA, date(2026, 12, 2))
    seen = len(await texts(users, AMINA))
    await run_due(bot, users, at(date(2026, 12, 2), 12))  # the default afternoon: not yet
    assert await new_texts(users, AMINA, seen) == []
    await run_due(bot, users, at(date(2026, 12, 2), 13, 5))
    await run_due(bot, users, at(date(2026, 12, 2), 15))
    said = await new_texts(users, AMINA, seen)
    assert len(said) == 1 and "Minneskoll" in said[0]


async def test_a_pause_planned_by_the_coach_silences_reminders_and_shows_in_settings(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    """The coach's pause is the scheduler's pause: one row, read by all three sides."""
    await mid_lesson(users, course, ERIK, "Erik")
    group = await coach_follows(bot, users, date(2026, 11, 30), ERIK, self_paced=True)
    erik = participant_id(bot, ERIK)
    await press(users, KARIN, cb.pause(group, erik))
    detail = text_of(await press(users, KARIN, cb.pause(group, erik, 7)))
    assert "Påminnelserna är pausade till och med 8 dec" in detail
    assert rows(bot, "SELECT paused_until, paused_by FROM participant_settings") == [
        ("2026-12-08", "coach")
    ]
    assert rows(bot, "SELECT kind, detail FROM coach_actions") == [("pause", "2026-12-08")]

    await users.send(ERIK, "/settings", first_name="Erik", language_code="sv")
    await users.idle()
    settings = (await users.bot_messages(ERIK))[-1]
    assert "Din coach har pausat påminnelserna till och med 8 dec" in settings["text"]
    assert callbacks.end_pause() in [b["data"] for row in settings["buttons"] for b in row]

    seen = len(await texts(users, ERIK))
    for day in range(2, 9):
        await run_due(bot, users, at(date(2026, 12, day), 18))
    assert await new_texts(users, ERIK, seen) == []
    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    assert "Att göra den här veckan" not in overview  # paused: not gone quiet
    await run_due(bot, users, at(date(2026, 12, 9), 18))
    assert len(await new_texts(users, ERIK, seen)) == 1  # the pause is over


async def test_the_coach_sees_how_many_reminders_went_unanswered(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    """Counted from the ladder's own items: what was sent since the last own action."""
    await mid_lesson(users, course, AMINA, "Amina")
    await coach_follows(bot, users, date(2026, 11, 30), AMINA, self_paced=True)
    for moment in (at(date(2026, 12, 2), 17, 30), at(date(2026, 12, 4), 20)):
        await run_due(bot, users, moment)
    clock.set_now(at(date(2026, 12, 8), 10))
    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    assert "Amina" in overview and "2 påminnelser obesvarade" in overview
    await run_due(bot, users, at(date(2026, 12, 8), 17))
    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    todo = overview[overview.index("Att göra den här veckan") :]
    assert "tyst i 7 dagar (3 påminnelser obesvarade)" in todo
    assert bot.application is not None
    seen = len(await texts(users, KARIN))
    await coach_jobs.send_digests(BotContext(bot.application), at(date(2026, 12, 8), 17, 5))
    await users.idle()
    digest = "\n".join(await new_texts(users, KARIN, seen))
    assert digest.count("3 påminnelser obesvarade") == 2  # the to-do and "gone quiet"

    # Back: her own press answers them all.
    clock.set_now(at(date(2026, 12, 9), 18))
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    assert "påminnelse" not in text_of(await say(users, KARIN, "/group", "Karin"))
