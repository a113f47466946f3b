"""Coaches act, end to end: the action list, a nudge, a pause, an early week, a quiz
reset, a private note and the one-page summary, through the real Application and the
emulator; and every one of them refused to another group's coach, by forged press and
by typed note. A coach handler that fails apologises once and goes no further.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from bot.clock import utc_now
from bot.course.model import Course
from bot.i18n.translator import Translator, translator
from bot.reports.names import isolate
from bot.telegram import callbacks
from bot.telegram.coach import callbacks as cb
from bot.telegram.coach import handlers as coach_handlers
from bot.telegram.coach.actions import NOTE_SAVED
from bot.telegram.coach.handlers import NOT_YOURS, SORRY
from bot.telegram.coach.render import NUDGES
from tests import databases
from tests.conftest import ROOT, RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import button, rows, stored_progress, take_week
from tests.test_coach_e2e import (
    AMINA,
    ERIK,
    KARIN,
    LENA,
    NOOR,
    coach_joins,
    fail_a_quiz_twice,
    group_id,
    joins,
    last_answer,
    new_group,
    participant_id,
    participant_link,
    press,
    say,
    text_of,
)


@pytest.fixture
def tr() -> Translator:
    return translator(ROOT / "locales", "sv")


async def joins_in(users: EmulatorClient, user_id: int, code: str, name: str, lang: str) -> None:
    """/start <code>, then the participant's language and consent."""
    await say(users, user_id, f"/start {code}", name)
    await users.press(user_id, *await button(users, user_id, callbacks.language(lang)))
    await users.idle()
    await users.press(user_id, *await button(users, user_id, callbacks.consent(True)))
    await users.idle()
    await users.press(user_id, *await button(users, user_id, callbacks.window("afternoon")))
    await users.idle()


def write(bot: RunningBot, sql: str, *params: Any) -> None:
    databases.execute(bot.settings.database, sql, *params)


async def two_groups(bot: RunningBot, users: EmulatorClient, cli: Any) -> tuple[int, str]:
    """Karin follows Vetlanda, Lena follows Eksjö; returns Vetlanda's id and a link to it."""
    today = bot.today()
    await coach_joins(users, KARIN, await new_group(cli, "Vetlanda", today), "Karin")
    await coach_joins(users, LENA, await new_group(cli, "Eksjö", today), "Lena")
    vetlanda = group_id(bot, "Vetlanda")
    return vetlanda, await participant_link(users, KARIN, vetlanda)


async def test_the_action_list_names_who_to_contact_and_a_nudge_reaches_them(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    group, link = await two_groups(bot, users, cli)
    await joins(users, AMINA, link, "Amina")
    await joins_in(users, NOOR, link, "Noor", "ar")
    await fail_a_quiz_twice(bot, users, course)
    noor = participant_id(bot, NOOR)
    quiet_since = (utc_now() - timedelta(days=9, hours=1)).isoformat()
    write(bot, "UPDATE participants SET last_active_at = ? WHERE id = ?", quiet_since, noor)
    for rung in range(3):  # the reminder ladder's three items, sent since she went quiet
        write(
            bot,
            "INSERT INTO scheduled_items (key, kind, chat_id, participant_id, anchor, due_at,"
            " status, sent_at, created_at) VALUES (?, 'reminder', ?, ?, ?, ?, 'sent', ?, ?)",
            f"reminder:{noor}:{quiet_since}:{rung}",
            NOOR,
            noor,
            *[quiet_since] * 4,
        )

    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    todo = overview[overview.index(tr._("To do this week:")) :]
    failed = tr._("failed the quiz of «{lesson}» twice").format(
        lesson=tr.lesson(course.lessons[0].title)
    )
    quiet = tr.ngettext("gone quiet for {n} day", "gone quiet for {n} days", 9).format(n=9)
    reminders = tr.ngettext("{n} reminder unanswered", "{n} reminders unanswered", 3)
    assert f"{isolate('Amina')}: {failed}" in todo
    assert f"{isolate('Noor')}: {quiet} ({reminders.format(n=3)})" in todo
    buttons = [b["data"] for row in (await users.bot_messages(KARIN))[-1]["buttons"] for b in row]
    assert cb.nudge(group, noor) in buttons and cb.note(group, noor) in buttons

    picker = text_of(await press(users, KARIN, cb.nudge(group, noor)))
    assert tr._(NUDGES[1]) in picker
    before = len(await users.bot_messages(NOOR))
    confirmed = text_of(await press(users, KARIN, cb.nudge(group, noor, 1)))
    assert tr._("Sent to {name}.").format(name=isolate("Noor")) in confirmed
    arabic = translator(ROOT / "locales", "ar")
    got = text_of((await users.bot_messages(NOOR))[before:])
    assert arabic._(NUDGES[1]) in got and arabic._(NUDGES[1]) != NUDGES[1]
    assert "Karin" in got
    assert rows(bot, "SELECT kind, detail FROM coach_actions WHERE participant_id = ?", noor) == [
        ("nudge", "1")
    ]
    detail = text_of(await press(users, KARIN, cb.participant(group, noor)))
    assert tr._("Done by coaches:") in detail and tr._("sent a nudge") in detail


async def test_a_pause_is_stored_and_shown_and_silences_gone_quiet(
    bot: RunningBot, users: EmulatorClient, cli: Any, tr: Translator
) -> None:
    group, link = await two_groups(bot, users, cli)
    await joins(users, ERIK, link, "Erik")
    erik = participant_id(bot, ERIK)
    await press(users, KARIN, cb.pause(group, erik))
    detail = text_of(await press(users, KARIN, cb.pause(group, erik, 14)))
    until = bot.application.bot_data["runtime"].today() + timedelta(days=14)  # type: ignore[union-attr]
    assert rows(
        bot,
        "SELECT paused_until, paused_by FROM participant_settings WHERE participant_id = ?",
        erik,
    ) == [(until.isoformat(), "coach")]
    assert tr._("Reminders paused until {date}.").format(date=tr.date(until)) in detail
    old = (utc_now() - timedelta(days=9, hours=1)).isoformat()
    write(bot, "UPDATE participants SET last_active_at = ? WHERE id = ?", old, erik)
    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    assert tr._("To do this week:") not in overview  # paused: not gone quiet


async def test_a_week_opened_early_lets_the_participant_in(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    group, link = await two_groups(bot, users, cli)
    await joins(users, AMINA, link, "Amina")
    await take_week(users, course, AMINA, 1, bot)
    amina = participant_id(bot, AMINA)
    locked = text_of(await say(users, AMINA, "/continue", "Amina"))
    assert tr._("Week {number} opens on {date}. See you then!").split("{")[0] in locked

    before = len(await users.bot_messages(AMINA))
    said = text_of(await press(users, KARIN, cb.open_week(group, amina)))
    assert (
        tr._("Week {number} is now open for {name}.").format(number=2, name=isolate("Amina"))
        in said
    )
    told = text_of((await users.bot_messages(AMINA))[before:])
    assert (
        tr._("Your coach opened week {number} for you. Write /continue to go on.").format(number=2)
        in told
    )
    offered = text_of(await say(users, AMINA, "/continue", "Amina"))
    assert tr.lesson(course.weeks[1].lessons[0].title) in offered
    await users.press(
        AMINA, *await button(users, AMINA, callbacks.begin(course.weeks[1].lessons[0].id))
    )
    await users.idle()
    assert stored_progress(bot, AMINA).lesson_id == course.weeks[1].lessons[0].id
    assert rows(bot, "SELECT extra_weeks FROM participants WHERE id = ?", amina) == [(1,)]


async def test_a_quiz_reset_clears_stuck_and_is_logged(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    group, link = await two_groups(bot, users, cli)
    await joins(users, AMINA, link, "Amina")
    await fail_a_quiz_twice(bot, users, course)
    amina = participant_id(bot, AMINA)
    detail = (await press(users, KARIN, cb.participant(group, amina)))[-1]
    reset = cb.reset_quiz(group, amina, 0)
    assert reset in [b["data"] for row in detail["buttons"] for b in row]
    after = text_of(await press(users, KARIN, reset))
    assert (
        tr._("reset the quiz of «{detail}»").format(detail=tr.lesson(course.lessons[0].title))
        in after
    )
    assert stored_progress(bot, AMINA).result(course.lessons[0].id).failed_runs == 0
    overview = text_of(await say(users, KARIN, "/group", "Karin"))
    failed = tr._("failed the quiz of «{lesson}» twice").format(
        lesson=tr.lesson(course.lessons[0].title)
    )
    assert failed not in overview


async def test_a_note_is_seen_by_its_coach_only(
    bot: RunningBot, users: EmulatorClient, cli: Any, tr: Translator
) -> None:
    group, link = await two_groups(bot, users, cli)
    await joins(users, ERIK, link, "Erik")
    erik = participant_id(bot, ERIK)
    asked = text_of(await press(users, KARIN, cb.note(group, erik)))
    assert isolate("Erik") in asked
    shown = text_of(await say(users, KARIN, "Vill börja jobba i vården", "Karin"))
    assert tr._(NOTE_SAVED) in shown
    assert "Vill börja jobba i vården" in shown
    # A second coach of the same group sees that a note was written, not what it says.
    code = await new_group_coach_link(cli, "Vetlanda")
    await coach_joins(users, LENA, code, "Lena")
    lenas = text_of(await press(users, LENA, cb.participant(group, erik)))
    assert tr._("wrote a note") in lenas and "Vill börja" not in lenas
    for coach, shown_note in ((LENA, False), (KARIN, True)):
        await press(users, coach, cb.summary(group, erik, True))
        document = (await users.bot_messages(coach))[-1]["document"]
        reader = PdfReader(io.BytesIO(await users.media(document["url"])))
        assert len(reader.pages) == 1 and "Erik" in reader.pages[0].extract_text()
        assert ("Vill börja jobba" in reader.pages[0].extract_text()) is shown_note


async def new_group_coach_link(cli: Any, group: str) -> str:
    from tests.test_coach_e2e import LINK

    printed = await cli("invite_coach_command", group=group, qr=None)
    found = LINK.search(printed)
    assert found
    return found.group(1)


async def test_another_groups_coach_is_refused_every_action(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:
    vetlanda, link = await two_groups(bot, users, cli)
    eksjo = group_id(bot, "Eksjö")
    await joins(users, AMINA, link, "Amina")
    await fail_a_quiz_twice(bot, users, course)
    amina = participant_id(bot, AMINA)
    await say(users, LENA, "/group", "Lena")
    state = stored_progress(bot, AMINA)
    seen = len(await users.bot_messages(AMINA))
    for group in (vetlanda, eksjo):  # her group, and Lena's own with her id in it
        for forged in (
            cb.nudge(group, amina),
            cb.nudge(group, amina, 0),
            cb.pause(group, amina),
            cb.pause(group, amina, 7),
            cb.open_week(group, amina),
            cb.reset_quiz(group, amina, 0),
            cb.note(group, amina),
            cb.summary(group, amina, False),
            cb.summary(group, amina, True),
        ):
            assert await press(users, LENA, forged) == [], forged
            assert await last_answer(users, LENA) == tr._(NOT_YOURS)
    assert rows(bot, "SELECT COUNT(*) FROM coach_actions") == [(0,)]
    assert rows(bot, "SELECT COUNT(*) FROM participant_settings WHERE paused_at IS NOT NULL") == [
        (0,)
    ]
    assert rows(bot, "SELECT extra_weeks FROM participants WHERE id = ?", amina) == [(0,)]
    assert stored_progress(bot, AMINA) == state
    assert len(await users.bot_messages(AMINA)) == seen
    # A typed text is a note only after an authorised press: Lena's goes nowhere.
    text_of(await say(users, LENA, "en anteckning", "Lena"))
    assert rows(bot, "SELECT COUNT(*) FROM coach_notes") == [(0,)]
    # A participant pressing a coach's action gets the coach refusal and nothing happens.
    assert await press(users, AMINA, cb.nudge(vetlanda, amina, 0)) == []
    assert rows(bot, "SELECT COUNT(*) FROM coach_actions") == [(0,)]


async def test_a_failing_coach_handler_apologises_once(
    bot: RunningBot,
    users: EmulatorClient,
    cli: Any,
    tr: Translator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group, _ = await two_groups(bot, users, cli)

    async def broken(*args: object) -> None:
        raise ValueError("a name the chart cannot draw")

    monkeypatch.setattr(coach_handlers, "send_chart", broken)
    came = await press(users, KARIN, cb.chart(group))
    assert [m["text"] for m in came] == [tr._(SORRY)]
    monkeypatch.setattr(coach_handlers, "send_overview", broken)
    came = await say(users, KARIN, "/group", "Karin")
    assert [m["text"] for m in came] == [tr._(SORRY)]


async def test_two_aminas_are_told_apart_by_the_initial_kept_after_consent(
    bot: RunningBot, users: EmulatorClient, cli: Any, tr: Translator
) -> None:
    group, link = await two_groups(bot, users, cli)
    await users.send(AMINA, f"/start {link}", first_name="Amina", last_name="Karimi")
    await users.idle()
    assert rows(bot, "SELECT last_initial FROM participants WHERE telegram_id = ?", AMINA) in (
        [],
        [(None,)],
    )  # nothing of the last name before consent
    await users.press(AMINA, *await button(users, AMINA, callbacks.language("sv")))
    await users.idle()
    await users.press(AMINA, *await button(users, AMINA, callbacks.consent(True)))
    await users.idle()
    await users.press(AMINA, *await button(users, AMINA, callbacks.window("afternoon")))
    await users.idle()
    await users.send(ERIK, f"/start {link}", first_name="Amina", last_name="Said")
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.language("sv")))
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.consent(True)))
    await users.idle()
    await users.press(ERIK, *await button(users, ERIK, callbacks.window("afternoon")))
    await users.idle()
    assert rows(bot, "SELECT last_initial FROM participants ORDER BY id") == [("K",), ("S",)]
    overview = await say(users, KARIN, "/group", "Karin")
    text = text_of(overview)
    assert isolate("Amina K.") in text and isolate("Amina S.") in text
    labels = [b["text"] for row in overview[-1]["buttons"] for b in row]
    assert isolate("Amina K.") in labels and isolate("Amina S.") in labels
    assert group


async def test_the_monday_digest_opens_with_the_action_list_and_its_buttons(
    bot: RunningBot, users: EmulatorClient, course: Course, cli: Any, tr: Translator
) -> None:

    from bot.telegram.coach import jobs as coach_jobs
    from tests.test_coach_e2e import job_context

    group, link = await two_groups(bot, users, cli)
    await joins(users, AMINA, link, "Amina")
    await fail_a_quiz_twice(bot, users, course)
    assert await coach_jobs.send_digests(job_context(bot), utc_now() + timedelta(days=1)) >= 1
    await users.idle()
    digest = (await users.bot_messages(KARIN))[-1]
    assert digest["text"].index(tr._("To do this week:")) < digest["text"].index(tr._("Stuck:"))
    amina = participant_id(bot, AMINA)
    assert cb.nudge(group, amina) in [b["data"] for row in digest["buttons"] for b in row]
