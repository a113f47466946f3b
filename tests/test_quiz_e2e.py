"""The quiz end to end: honest (shuffled) options, one scoring rule, a tidy thread.

Drives the real bot through the emulator over the real course.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.simulation import PDF, SimulatedParticipant
from bot.course import events as ev
from bot.course.model import Course
from bot.i18n.translator import translator
from bot.telegram import callbacks
from tests.conftest import ROOT, RunningBot
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import join, rows, stored_progress

AMINA, ERIK, SARA = 501, 502, 503


@dataclass
class FirstTapper:
    """Passes without reading: taps the first option, ticks all but the last, sends a file."""

    users: EmulatorClient
    course: Course
    user_id: int

    async def step(self) -> None:
        player = SimulatedParticipant(self.users, self.course, self.user_id)
        message = await player.last_with_buttons()
        assert message is not None, "no card with buttons"
        buttons = [b["data"] for row in message["buttons"] for b in row]
        events = [callbacks.decode(d, self.course, str(self.user_id)) for d in buttons]
        press = self.choose(buttons, events)
        if press is None:
            await self.users.upload(self.user_id, "document", "CV.pdf", "application/pdf", PDF)
        else:
            await self.users.press(self.user_id, message["message_id"], press)
        await self.users.idle()

    def choose(self, buttons: list[str], events: list[Any]) -> str | None:
        if any(isinstance(e, ev.Skip) for e in events):
            return None  # a practical task: send the file
        for data, event in zip(buttons, events, strict=True):
            if isinstance(event, ev.Next | ev.Begin | ev.Choose | ev.Pick):
                return data  # the first of them, as shown
        toggles = [(d, e) for d, e in zip(buttons, events, strict=True) if isinstance(e, ev.Toggle)]
        for n, (data, toggle) in enumerate(toggles):
            wanted, ticked = n < len(toggles) - 1, not toggle.on
            if wanted != ticked:
                return data
        return next(d for d, e in zip(buttons, events, strict=True) if isinstance(e, ev.Submit))


def first_run(bot: RunningBot, user_id: int, lesson_id: str) -> bool | None:
    """Whether the first run of a lesson's quiz passed; None before it ends."""
    found = rows(
        bot,
        "SELECT passed FROM quiz_results JOIN participants p ON p.id = participant_id"
        " WHERE p.telegram_id = ? AND lesson_id = ? AND run = 1",
        user_id,
        lesson_id,
    )
    return None if not found else bool(found[0][0])


async def test_tapping_the_first_option_fails_most_quizzes_of_weeks_1_to_3(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    quizzes = [x for w in course.weeks[:3] for x in w.lessons if x.quiz and x.quiz.questions]
    outcomes: list[bool] = []
    for user_id in (AMINA, ERIK):
        await join(users, user_id, "sv")
        tapper = FirstTapper(users, course, user_id)
        reader = SimulatedParticipant(users, course, user_id)
        for lesson in quizzes:
            for _ in range(200):
                if (passed := first_run(bot, user_id, lesson.id)) is not None:
                    break
                await tapper.step()
            assert passed is not None, f"{lesson.id} did not end"
            outcomes.append(passed)
            while not stored_progress(bot, user_id).passed(lesson.id):  # learn it, then go on
                assert await reader.step() is not None
                await users.idle()
    assert outcomes.count(False) > len(outcomes) / 2, outcomes


async def question_cards(
    users: EmulatorClient, course: Course, user_id: int
) -> dict[str, list[str]]:
    """Every first-try question card of the chat: question id → the option labels in order."""
    cards: dict[str, list[str]] = {}
    for message in await users.bot_messages(user_id):
        for row in message.get("buttons") or []:
            event = callbacks.decode(row[0]["data"], course, str(user_id))
            if isinstance(event, ev.Choose | ev.Toggle) and event.attempt == 0:
                labels = [r[0]["text"] for r in message["buttons"]]
                cards.setdefault(event.question_id, labels)
    return cards


async def test_two_participants_see_their_own_order_and_both_are_graded_right(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    lesson = course.weeks[0].lessons[0]
    seen: dict[int, dict[str, list[str]]] = {}
    for user_id in (AMINA, ERIK):
        await join(users, user_id, "sv")
        player = SimulatedParticipant(users, course, user_id)
        cards: dict[str, list[str]] = {}
        while not stored_progress(bot, user_id).passed(lesson.id):
            cards |= {k: v for k, v in (await question_cards(users, course, user_id)).items()}
            assert await player.step() is not None
            await users.idle()
        seen[user_id] = cards
        wrong = rows(
            bot,
            "SELECT count(*) FROM answers JOIN participants p ON p.id = participant_id"
            " WHERE p.telegram_id = ? AND correct = 0",
            user_id,
        )
        assert wrong == [(0,)]  # every press on the right option, wherever it stood, was right
    shared = seen[AMINA].keys() & seen[ERIK].keys()
    assert shared
    assert any(seen[AMINA][q] != seen[ERIK][q] for q in shared)
    assert all(sorted(seen[AMINA][q]) == sorted(seen[ERIK][q]) for q in shared)


async def live_cards(users: EmulatorClient, user_id: int) -> list[dict[str, Any]]:
    return [m for m in await users.bot_messages(user_id) if m.get("buttons")]


async def test_after_each_press_only_the_current_card_is_live(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, AMINA, "sv")
    assert len(await live_cards(users, AMINA)) == 1
    lesson = course.weeks[0].lessons[0]
    poor = SimulatedParticipant(users, course, AMINA, right=False)
    presses = 0
    while first_run(bot, AMINA, lesson.id) is None:
        before = len(await users.bot_messages(AMINA))
        assert await poor.step() is not None
        await users.idle()
        presses += 1
        live = await live_cards(users, AMINA)
        assert len(live) == 1, [m["text"][:40] for m in live]
        assert live[0] == (await users.bot_messages(AMINA))[-1]
        assert len(await users.bot_messages(AMINA)) - before <= 3  # no copies piling up
    assert presses > len(lesson.steps) + 2


async def test_an_old_button_gets_a_polite_answer_and_the_way_on(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, ERIK, "sv")
    first = (await users.bot_messages(ERIK))[-1]
    lesson = course.weeks[0].lessons[0]
    await users.press(ERIK, first["message_id"], first["buttons"][0][0]["data"])
    await users.idle()
    await users.press(ERIK, first["message_id"], callbacks.next_step(lesson.id, lesson.steps[0].id))
    await users.idle()
    tr = translator(ROOT / "locales", "sv")
    assert (await users.chat(ERIK))["answers"][-1]["text"] == tr._("That button is from earlier.")
    way_on = (await users.bot_messages(ERIK))[-1]
    assert way_on["buttons"] == [[{"text": tr._("Go on ▶"), "data": callbacks.continue_here()}]]
    await users.press(ERIK, way_on["message_id"], callbacks.continue_here())
    await users.idle()
    current = (await users.bot_messages(ERIK))[-1]
    assert current["buttons"][0][0]["data"] == callbacks.next_step(lesson.id, lesson.steps[1].id)


async def test_the_result_and_the_retry_prompt_say_the_same_rule(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    """Wrong once, then right: the retry says a new try counts, and the result counts it."""
    await join(users, SARA, "sv")
    lesson = course.weeks[0].lessons[0]
    assert lesson.quiz is not None
    good = SimulatedParticipant(users, course, SARA)
    poor = SimulatedParticipant(users, course, SARA, right=False)
    tr = translator(ROOT / "locales", "sv")
    rule = tr._("Try once more. If you get it right now, it still counts for passing.")
    while stored_progress(bot, SARA).item_id != lesson.quiz.questions[0].id:
        await good.step()
        await users.idle()
    first = lesson.quiz.questions[0]
    await poor.step()
    await users.idle()
    card = (await users.bot_messages(SARA))[-1]
    assert card["edited"] and rule in card["text"]
    while first_run(bot, SARA, lesson.id) is None:
        await good.step()
        await users.idle()
    total = len(lesson.quiz.questions)
    said = "\n".join(m["text"] or "" for m in (await users.bot_messages(SARA))[-3:])
    assert f"Du hade {total} av {total} rätt, 1 efter ett nytt försök (100 %)." in said
    answers = rows(
        bot,
        "SELECT attempt, correct FROM answers WHERE question_id = ? ORDER BY id",
        first.id,
    )
    assert answers == [(1, 0), (2, 1)]  # the coach's first try is the wrong one


async def test_continue_and_a_language_change_leave_one_live_card(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    await join(users, AMINA, "sv")
    await users.send(AMINA, "/continue", first_name="Amina", language_code="sv")
    await users.idle()
    live = await live_cards(users, AMINA)
    assert len(live) == 1 and live[0] == (await users.bot_messages(AMINA))[-1]
    await users.send(AMINA, "/language", first_name="Amina", language_code="sv")
    await users.idle()
    picker = (await users.bot_messages(AMINA))[-1]
    await users.press(AMINA, picker["message_id"], callbacks.language("ar"))
    await users.idle()
    live = await live_cards(users, AMINA)
    assert len(live) == 1 and live[0] == (await users.bot_messages(AMINA))[-1]
    lesson = course.weeks[0].lessons[0]
    assert live[0]["buttons"][0][0]["data"] == callbacks.next_step(lesson.id, lesson.steps[0].id)


async def at_a_multiple_choice_question(
    users: EmulatorClient, course: Course, user_id: int
) -> tuple[dict[str, Any], str]:
    """Go on until a multiple-choice question shows; that card and a valid tick on it."""
    reader = SimulatedParticipant(users, course, user_id)
    for _ in range(200):
        card = await reader.last_with_buttons()
        assert card is not None
        for data in (b["data"] for row in card["buttons"] for b in row):
            if isinstance(callbacks.decode(data, course, str(user_id)), ev.Toggle):
                return card, data
        assert await reader.step() is not None
        await users.idle()
    raise AssertionError("no multiple-choice question in reach")


async def test_a_valid_tick_on_a_message_the_bot_cannot_edit_is_answered_without_an_apology(
    bot: RunningBot, users: EmulatorClient, course: Course
) -> None:
    """The press names the participant's own message, or one that is gone: the tick
    counts and the question comes again as a new message, never "something went wrong"."""
    sorry = translator(ROOT / "locales", "sv")._(
        "Sorry, something went wrong on my side. Please try /continue."
    )
    await join(users, SARA, "sv", "Sara")
    _, tick = await at_a_multiple_choice_question(users, course, SARA)
    own = await users.send(SARA, "/continue", first_name="Sara", language_code="sv")
    await users.idle()
    for message_id in (own["message_id"], 987_654):  # the participant's own, and one gone
        before = len(await users.bot_messages(SARA))
        event = callbacks.decode(tick, course, str(SARA))
        assert isinstance(event, ev.Toggle)
        await users.press(SARA, message_id, tick)
        await users.idle()
        after = await users.bot_messages(SARA)
        assert all(sorry not in (m.get("text") or "") for m in after)
        redrawn = after[before:]
        assert redrawn and redrawn[-1]["buttons"], "the question came again, ticked"
        assert (await users.chat(SARA))["answers"][-1]["callback_query_id"]
        tick = next(
            b["data"]
            for row in redrawn[-1]["buttons"]
            for b in row
            if isinstance(d := callbacks.decode(b["data"], course, str(SARA)), ev.Toggle)
            and d.option_id == event.option_id
        )
