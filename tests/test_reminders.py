"""The reminder and memory-check rules, with fixed dates (daylight-saving changes included)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.course import reminders as r
from bot.course import review as rv
from bot.course.model import Course

TZ = "Europe/Stockholm"
STOCKHOLM = ZoneInfo(TZ)
QUIET = r.QuietHours()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM)


def state(stopped: datetime, sent: int = 0, nudged: datetime | None = None) -> r.LadderState:
    return r.LadderState(stopped_at=stopped, sent=sent, last_nudge_at=nudged)


def test_the_first_reminder_comes_the_next_day_in_the_chosen_window_only() -> None:
    stopped = at(date(2026, 12, 1), 19)
    ladder = state(stopped)
    assert r.due_rung(ladder, at(date(2026, 12, 1), 20), r.Window.EVENING, QUIET, TZ) is None
    assert r.due_rung(ladder, at(date(2026, 12, 2), 9), r.Window.EVENING, QUIET, TZ) is None
    assert r.due_rung(ladder, at(date(2026, 12, 2), 17), r.Window.EVENING, QUIET, TZ) == r.Rung(0)
    assert r.due_rung(ladder, at(date(2026, 12, 2), 21), r.Window.EVENING, QUIET, TZ) is None


def test_the_ladder_is_day_one_three_and_seven_then_nothing() -> None:
    stopped = at(date(2026, 12, 1), 10)
    for sent, day in ((1, 3), (2, 7)):
        ladder = state(stopped, sent)
        early = at(date(2026, 12, 1 + day - 1), 9)
        due = at(date(2026, 12, 1 + day), 9)
        assert r.due_rung(ladder, early, r.Window.MORNING, QUIET, TZ) is None
        assert r.due_rung(ladder, due, r.Window.MORNING, QUIET, TZ) == r.Rung(sent)
    assert r.Rung(2).last and not r.Rung(1).last
    done = state(stopped, 3)
    assert r.due_rung(done, at(date(2026, 12, 30), 9), r.Window.MORNING, QUIET, TZ) is None


def test_never_twice_a_day_and_never_with_no_window() -> None:
    stopped = at(date(2026, 12, 1), 10)
    nudged = at(date(2026, 12, 2), 8, 1)
    ladder = state(stopped, 0, nudged)
    assert r.due_rung(ladder, at(date(2026, 12, 2), 10), r.Window.MORNING, QUIET, TZ) is None
    later = state(stopped, 0, None)
    assert r.due_rung(later, at(date(2026, 12, 2), 10), r.Window.NONE, QUIET, TZ) is None


def test_quiet_hours_win_over_the_window() -> None:
    late = r.QuietHours.parse("19:00-08:30")
    ladder = state(at(date(2026, 12, 1), 10))
    assert r.due_rung(ladder, at(date(2026, 12, 2), 19, 30), r.Window.EVENING, late, TZ) is None
    assert r.due_rung(ladder, at(date(2026, 12, 2), 8, 15), r.Window.MORNING, late, TZ) is None
    assert r.window_opens(date(2026, 12, 2), r.Window.MORNING, late, TZ) == at(
        date(2026, 12, 2), 8, 30
    )
    assert QUIET.contains(time(23)) and QUIET.contains(time(7, 59)) and not QUIET.contains(time(8))


def test_the_window_is_wall_clock_time_across_daylight_saving_changes() -> None:
    # Summer time begins 29 March 2026 (02:00 -> 03:00) and ends 25 October 2026.
    spring = r.window_opens(date(2026, 3, 29), r.Window.MORNING, QUIET, TZ)
    autumn = r.window_opens(date(2026, 10, 25), r.Window.MORNING, QUIET, TZ)
    assert spring is not None and spring.astimezone(UTC).hour == 6
    assert autumn is not None and autumn.astimezone(UTC).hour == 7
    # Stopped the evening before the change: the reminder is due the next local day.
    stopped = datetime(2026, 3, 28, 20, 30, tzinfo=UTC)  # 21:30 in Stockholm, winter time
    ladder = state(stopped)
    morning_utc = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 summer time
    assert r.due_rung(ladder, morning_utc, r.Window.MORNING, QUIET, TZ) == r.Rung(0)
    before_8 = datetime(2026, 3, 29, 5, 59, tzinfo=UTC)  # 07:59 summer time: quiet
    assert r.due_rung(ladder, before_8, r.Window.MORNING, QUIET, TZ) is None
    # 23:30 UTC on 24 October is already 25 October in Stockholm (01:30, summer time).
    assert r.local(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), TZ).date() == date(2026, 10, 25)
    assert r.paused(date(2026, 10, 25), datetime(2026, 10, 25, 22, 59, tzinfo=UTC), TZ)
    assert not r.paused(date(2026, 10, 25), datetime(2026, 10, 25, 23, 0, tzinfo=UTC), TZ)


def test_a_stored_window_that_is_unknown_falls_back_to_the_default() -> None:
    assert r.window_of(None) is r.DEFAULT_WINDOW
    assert r.window_of("midnight") is r.DEFAULT_WINDOW
    assert r.window_of("none") is r.Window.NONE


def test_reading_time_and_wording_vary_predictably(course: Course) -> None:
    lesson = course.weeks[2].lessons[1]
    assert 1 <= r.minutes_for(lesson) <= 15
    assert {r.variant(pid, 0, 3) for pid in range(6)} == {0, 1, 2}
    assert r.variant(5, 1, 3) == r.variant(5, 1, 3)


def test_welcome_back_after_a_week() -> None:
    last = at(date(2026, 12, 1), 10)
    assert not r.needs_welcome_back(last, at(date(2026, 12, 8), 9))
    assert r.needs_welcome_back(last, at(date(2026, 12, 8), 10))


# ---------------------------------------------------------------- memory checks


def test_a_wrong_answer_comes_back_after_1_3_7_and_14_days() -> None:
    day = date(2026, 12, 1)
    card = rv.first_card("w3-attach", "q-clip", right=False, on=day, safety=False)
    waits = []
    for _ in range(4):
        waits.append((card.due - day).days)
        day = card.due
        card = rv.answered(card, right=True, on=day)
    assert waits == [1, 3, 7, 14]
    back = rv.answered(card, right=False, on=day)
    assert back.box == 0 and (back.due - day).days == 1


def test_right_answers_come_back_rarely_but_safety_ones_within_a_week() -> None:
    day = date(2026, 12, 1)
    plain = rv.first_card("w2", "q", right=True, on=day, safety=False)
    safety = rv.first_card("w4-get", "q-share", right=True, on=day, safety=True)
    assert (plain.due - day).days == 30
    assert (safety.due - day).days == 7
    assert (rv.answered(safety, True, safety.due).due - safety.due).days == 7


def test_a_check_is_two_or_three_questions_and_only_when_something_is_due() -> None:
    day = date(2026, 12, 10)
    cards = [
        rv.Card("l", f"q{i}", 0, date(2026, 12, 5 + i)) for i in range(8)
    ]  # due on 5..12 December
    assert [c.question_id for c in rv.pick_check(cards, day)] == ["q0", "q1", "q2"]
    one_due = [rv.Card("l", "a", 0, day), rv.Card("l", "b", 3, date(2026, 12, 20))]
    assert len(rv.pick_check(one_due, day)) == 2
    assert rv.pick_check([rv.Card("l", "b", 3, date(2026, 12, 20))], day) == []


def test_a_confident_wrong_answer_is_the_one_the_coach_sees() -> None:
    assert rv.confident_mistake(False, rv.Confidence.SURE)
    assert not rv.confident_mistake(False, rv.Confidence.UNSURE)
    assert not rv.confident_mistake(True, rv.Confidence.SURE)


def test_the_safety_questions_are_listed_in_the_course(course: Course) -> None:
    assert rv.is_safety(course, "w4-get", "q-share")
    assert not rv.is_safety(course, "w4-get", "q-code")
    for key in course.safety_questions:
        lesson_id, question_id = key.split("/")
        located = course.locate(lesson_id)
        assert located is not None and located[1].quiz is not None
        question = located[1].quiz.question(question_id)
        assert question is not None and rv.reviewable(question)
