"""The vocational profile and the participant's own goal: engine, callbacks, storage, render.

Driven with plain calls; tests/test_profile_e2e.py walks the same through the real bot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.course import events as ev
from bot.course.engine import expects_goal, handle
from bot.course.limits import GOAL_CHARS
from bot.course.model import (
    Card,
    Course,
    Lesson,
    ProfileTopic,
    Step,
    StepKind,
    Text,
    UploadKind,
    Week,
)
from bot.course.progress import Progress, Stage
from bot.i18n.translator import translator
from bot.reports.profile import goal_lines, profile_lines
from bot.storage import (
    Database,
    GoalRow,
    ProfileRow,
    commit_update,
    groups,
    open_database,
    participants,
    profile,
    retention,
)
from bot.telegram import callbacks
from bot.telegram.participant.render import Renderer
from tests import databases
from tests.conftest import ROOT


def t(s: str) -> Text:
    return Text(key=s, sv=s)


WORK = Step(
    id="work",
    text=t("Vilka jobb?"),
    kind=StepKind.CARDS,
    profile=ProfileTopic.WORK,
    cards=(Card("clean", t("Städa")), Card("cook", t("Laga mat")), Card("drive", t("Köra"))),
)
GOAL = Step(id="goal", text=t("Skriv ditt mål."), kind=StepKind.GOAL)
REVIEW = Step(id="review", text=t("Gäller målet?"), kind=StepKind.GOAL_REVIEW)
COURSE = Course(
    id="c",
    title=t("c"),
    weeks=(
        Week(
            "w1",
            1,
            t("w1"),
            t("w1"),
            (Lesson("l1", t("l1"), (GOAL, WORK, Step("end", t("end")))),),
        ),
        Week("w10", 10, t("w10"), t("w10"), (Lesson("l10", t("l10"), (REVIEW,)),)),
    ),
)


def at(step: str, lesson: str = "l1", **changes: object) -> Progress:
    return Progress(stage=Stage.STEP, lesson_id=lesson, item_id=step, **changes)  # type: ignore[arg-type]


def of(kind: type, actions: tuple[ev.Action, ...]) -> list[ev.Action]:
    return [a for a in actions if isinstance(a, kind)]


# ---------------------------------------------------------------- cards


def test_ticking_cards_redraws_the_step_and_done_stores_them_in_file_order() -> None:
    one = handle(COURSE, at("work"), ev.TickCard("l1", "work", "drive", True))
    two = handle(COURSE, one.progress, ev.TickCard("l1", "work", "clean", True))
    assert two.progress.selection == ("clean", "drive")
    shown = of(ev.ShowStep, two.actions)
    assert len(shown) == 1
    assert isinstance(shown[0], ev.ShowStep) and shown[0].refresh
    assert shown[0].selection == ("clean", "drive")
    off = handle(COURSE, two.progress, ev.TickCard("l1", "work", "drive", False))
    done = handle(COURSE, off.progress, ev.Next("l1", "work"))
    assert of(ev.RecordProfile, done.actions) == [
        ev.RecordProfile("w1", "l1", "work", ProfileTopic.WORK, ("clean",))
    ]
    assert done.progress.item_id == "end" and done.progress.selection == ()


def test_none_of_the_cards_is_an_answer_too() -> None:
    done = handle(COURSE, at("work"), ev.Next("l1", "work"))
    assert of(ev.RecordProfile, done.actions) == [
        ev.RecordProfile("w1", "l1", "work", ProfileTopic.WORK, ())
    ]


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (ev.TickCard("l1", "work", "clean", False), ev.Refusal.STALE),  # a double press
        (ev.TickCard("l1", "work", "nonsense", True), ev.Refusal.UNKNOWN),
        (ev.TickCard("l1", "goal", "clean", True), ev.Refusal.STALE),  # another step
        (ev.TickCard("l10", "review", "clean", True), ev.Refusal.STALE),  # another lesson
    ],
)
def test_stale_and_forged_ticks_change_nothing(event: ev.Event, reason: ev.Refusal) -> None:
    before = at("work")
    outcome = handle(COURSE, before, event)
    assert outcome.progress == before
    assert outcome.actions == (ev.Refused(reason),)


def test_a_tick_on_a_step_that_is_not_current_is_refused() -> None:
    before = at("goal")
    outcome = handle(COURSE, before, ev.TickCard("l1", "work", "clean", True))
    assert outcome.progress == before and outcome.actions == (ev.Refused(ev.Refusal.STALE),)


# ---------------------------------------------------------------- the goal


def test_a_typed_goal_is_stored_said_back_and_the_lesson_goes_on() -> None:
    assert expects_goal(COURSE, at("goal"))
    outcome = handle(COURSE, at("goal"), ev.WriteGoal("  Jobba   i ett kök  "))
    assert of(ev.RecordGoal, outcome.actions) == [
        ev.RecordGoal(1, "l1", "Jobba i ett kök", None, review=False)
    ]
    assert ev.GoalSaved("Jobba i ett kök", None) in outcome.actions
    assert outcome.progress.item_id == "work"


def test_a_voice_goal_keeps_only_its_length_and_a_photo_is_no_goal() -> None:
    voice = handle(COURSE, at("goal"), ev.Upload(UploadKind.VOICE, 7))
    assert of(ev.RecordGoal, voice.actions) == [ev.RecordGoal(1, "l1", None, 7)]
    photo = handle(COURSE, at("goal"), ev.Upload(UploadKind.PHOTO))
    assert photo.actions == (ev.Refused(ev.Refusal.NOT_EXPECTED),)
    assert photo.progress == at("goal")


@pytest.mark.parametrize("text", ["   ", "x" * (GOAL_CHARS + 1)])
def test_an_empty_or_too_long_goal_is_asked_again(text: str) -> None:
    outcome = handle(COURSE, at("goal"), ev.WriteGoal(text))
    assert outcome.actions == (ev.Refused(ev.Refusal.GOAL_LENGTH),)
    assert outcome.progress == at("goal")


def test_text_is_no_goal_away_from_a_goal_step() -> None:
    for progress in (at("work"), at("review", "l10"), Progress()):
        assert not expects_goal(COURSE, progress)
        outcome = handle(COURSE, progress, ev.WriteGoal("Jobba"))
        assert outcome.actions == (ev.Refused(ev.Refusal.NOT_EXPECTED),)


def test_skipping_the_goal_stores_nothing() -> None:
    outcome = handle(COURSE, at("goal"), ev.Next("l1", "goal"))
    assert not of(ev.RecordGoal, outcome.actions) and outcome.progress.item_id == "work"


def test_the_review_keeps_the_goal_or_turns_into_writing_a_new_one() -> None:
    kept = handle(COURSE, at("review", "l10"), ev.Next("l10", "review"))
    assert of(ev.RecordGoalKept, kept.actions) == [ev.RecordGoalKept(10)]
    writing = handle(COURSE, at("review", "l10"), ev.ChangeGoal("l10", "review"))
    shown = of(ev.ShowStep, writing.actions)
    assert isinstance(shown[0], ev.ShowStep) and shown[0].writing and shown[0].refresh
    assert expects_goal(COURSE, writing.progress)
    again = handle(COURSE, writing.progress, ev.ChangeGoal("l10", "review"))
    assert again.actions == (ev.Refused(ev.Refusal.STALE),)
    new = handle(COURSE, writing.progress, ev.WriteGoal("Bli kock"))
    assert of(ev.RecordGoal, new.actions) == [ev.RecordGoal(10, "l10", "Bli kock", None, True)]
    not_now = handle(COURSE, writing.progress, ev.Next("l10", "review"))
    assert not of(ev.RecordGoalKept, not_now.actions) and not of(ev.RecordGoal, not_now.actions)


def test_a_goal_change_from_elsewhere_is_refused() -> None:
    for progress, event in (
        (at("goal"), ev.ChangeGoal("l1", "goal")),
        (at("review", "l10"), ev.ChangeGoal("l1", "review")),
    ):
        outcome = handle(COURSE, progress, event)
        assert outcome.progress == progress and outcome.actions == (ev.Refused(ev.Refusal.STALE),)


# ---------------------------------------------------------------- callbacks


def test_card_presses_round_trip_and_forged_ones_decode_to_nothing() -> None:
    data = callbacks.tick_card("l1", WORK, "cook", True)
    assert callbacks.decode(data, COURSE) == ev.TickCard("l1", "work", "cook", True)
    change = callbacks.change_goal("l10", "review")
    assert callbacks.decode(change, COURSE) == ev.ChangeGoal("l10", "review")
    for forged in (
        "1v|l1|work|3|1",  # no fourth card
        "1v|l1|work|1|2",
        "1v|l1|work|-1|1",
        "1v|l1|goal|0|1",  # not a cards step
        "1v|l1|nope|0|1",
        "1v|gone|work|0|1",
        "1v|l1|work|0",
        "1u|l1|goal",  # not a goal review
        "1u|l10|review|x",
    ):
        assert callbacks.decode(forged, COURSE) is None, forged


# ---------------------------------------------------------------- render


def test_the_cards_card_shows_ticks_and_the_review_shows_the_goal() -> None:
    tr = translator(ROOT / "locales", "sv")
    renderer = Renderer(tr, ROOT / "lessons")
    shown = handle(COURSE, at("work"), ev.TickCard("l1", "work", "cook", True)).actions
    (card,) = renderer.render(shown)
    labels = [b.text for row in card.buttons for b in row]
    assert labels == ["☐ Städa", "☑ Laga mat", "☐ Köra", tr._("Done ✔")]
    assert card.edit
    review = handle(COURSE, Progress(), ev.Start()).actions  # first lesson: the goal step
    (goal_card,) = renderer.render(review)
    assert tr._("Skip for now") in [b.text for row in goal_card.buttons for b in row]
    goal = profile.Goal("Bli kock", None, 1, set_at=datetime(2026, 9, 1))
    step = ev.ShowStep(COURSE.weeks[1], COURSE.weeks[1].lessons[0], REVIEW, 1, 1)
    (with_goal,) = renderer.render([step], goal)
    assert "Bli kock" in with_goal.text and "vecka 1" in with_goal.text
    assert [b.text for row in with_goal.buttons for b in row] == [
        tr._("Yes, it still holds"),
        tr._("I want to change it"),
    ]
    (without,) = renderer.render([step], None)
    assert tr._("You have not written down a goal yet.") in without.text


# ---------------------------------------------------------------- storage


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(databases.address(tmp_path / "bot.sqlite3"))
    yield database
    await database.close()


async def test_picks_and_goal_are_saved_with_the_update_changed_and_erased(db: Database) -> None:
    person = await participants.create(db, 42, "Amina", "sv", consented=True)
    picks = [ProfileRow("work", ("cook",), "l1", "work"), ProfileRow("skills", (), "l1", "s")]
    assert await commit_update(
        db,
        update_id=1,
        participant_id=person.id,
        progress_state=None,
        picks=picks,
        goals=[GoalRow(1, "Jobba i ett kök")],
    )
    assert not await commit_update(
        db,
        update_id=1,
        participant_id=person.id,
        progress_state=None,
        goals=[GoalRow(1, "Något annat")],
    )  # a redelivered update changes nothing
    goal = await profile.goal_of(db, person.id)
    assert goal is not None and goal.text == "Jobba i ett kök" and goal.week == 1
    await commit_update(
        db,
        update_id=2,
        participant_id=person.id,
        progress_state=None,
        goals=[GoalRow(10, "Bli kock", review=True)],
    )
    changed = await profile.goal_of(db, person.id)
    assert changed is not None
    assert (changed.text, changed.week, changed.earlier_text, changed.still_holds) == (
        "Bli kock",
        10,
        "Jobba i ett kök",
        False,
    )
    tr = translator(ROOT / "locales", "en")
    assert goal_lines(tr, changed, marks=False) == [
        "«Bli kock» (week 10)",
        "Before: «Jobba i ett kök» (week 1)",
    ]
    stored = await profile.picks_of(db, person.id)
    assert profile_lines(tr, COURSE, stored) == [
        "Kinds of work I like: Laga mat",
        "What I can already do: none of these",
    ]
    exported = await participants.export(db, 42)
    assert exported is not None
    assert exported["goal"]["text"] == "Bli kock"
    assert [p["cards"] for p in exported["vocational_profile"]] == [[], ["cook"]]
    await participants.erase(db, 42)
    for table in ("profile_picks", "goals"):
        assert await db.fetch_value(f"SELECT count(*) FROM {table}") == 0


async def test_keeping_the_goal_marks_it_and_a_voice_goal_has_no_text(db: Database) -> None:
    person = await participants.create(db, 43, "Erik", "sv", consented=True)
    await commit_update(
        db,
        update_id=1,
        participant_id=person.id,
        progress_state=None,
        goals=[GoalRow(1, voice_seconds=9)],
    )
    await commit_update(
        db,
        update_id=2,
        participant_id=person.id,
        progress_state=None,
        goals=[GoalRow(10, kept=True)],
    )
    goal = await profile.goal_of(db, person.id)
    assert goal is not None
    assert (goal.text, goal.voice_seconds, goal.still_holds, goal.reviewed_week) == (
        None,
        9,
        True,
        10,
    )
    tr = translator(ROOT / "locales", "en")
    assert goal_lines(tr, goal) == [
        "A voice message of 9 s (week 1)",
        "Still holds (week 10).",
    ]


async def test_the_purge_of_a_group_takes_its_goals_and_profiles(db: Database) -> None:
    group = await groups.create_group(db, "Eksjö HT 2025", date(2025, 8, 18))
    person = await participants.create(db, 44, "Noor", "ar", group_id=group.id, consented=True)
    await commit_update(
        db,
        update_id=1,
        participant_id=person.id,
        progress_state=None,
        picks=[ProfileRow("support", ("swedish",), "l1", "support")],
        goals=[GoalRow(1, "Arbeta i en skola")],
    )
    await retention.purge_group(db, group.id)
    for table in ("profile_picks", "goals"):
        assert await db.fetch_value(f"SELECT count(*) FROM {table}") == 0
