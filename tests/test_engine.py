"""The course engine, driven with plain calls: every question kind and the edges."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.course import events as ev
from bot.course.engine import OPEN, Access, Outcome, handle, repair, show_current
from bot.course.grading import score_percent, shown_order
from bot.course.model import (
    Course,
    Lesson,
    Option,
    Question,
    QuestionKind,
    Quiz,
    RetryRule,
    Step,
    Text,
    UploadKind,
    Week,
)
from bot.course.progress import Progress, Stage
from bot.course.summary import current_week, summarize


def t(s: str) -> Text:
    return Text(key=s, sv=s)


def opt(i: str, correct: bool = False) -> Option:
    return Option(id=i, text=t(i), correct=correct, feedback=t(f"fb-{i}"))


def q(
    i: str, kind: QuestionKind, *options: Option, accepts: tuple[UploadKind, ...] = ()
) -> Question:
    return Question(id=i, kind=kind, text=t(i), options=options, accepts=accepts, hint=t("hint"))


def lesson(i: str, *questions: Question, steps: int = 2, **quiz: object) -> Lesson:
    return Lesson(
        id=i,
        title=t(i),
        steps=tuple(Step(id=f"s{n}", text=t(f"{i}-s{n}")) for n in range(1, steps + 1)),
        quiz=Quiz(questions=questions, **quiz) if questions else None,  # type: ignore[arg-type]
    )


SINGLE = q("q-single", QuestionKind.SINGLE, opt("a", True), opt("b"), opt("c"))
MULTI = q("q-multi", QuestionKind.MULTIPLE, opt("a", True), opt("b", True), opt("c"))
TF = q("q-tf", QuestionKind.TRUE_FALSE, opt("true"), opt("false", True))
ORDER = q("q-order", QuestionKind.ORDER, opt("x", True), opt("y", True), opt("z", True))
TASK = q("q-task", QuestionKind.TASK, accepts=(UploadKind.PHOTO, UploadKind.DOCUMENT))


def course() -> Course:
    return Course(
        id="c",
        title=t("c"),
        weeks=(
            Week(
                id="w1",
                number=1,
                title=t("w1"),
                theme=t("th"),
                lessons=(lesson("l1", SINGLE, TF), lesson("l2", MULTI, ORDER)),
            ),
            Week(
                id="w2",
                number=2,
                title=t("w2"),
                theme=t("th"),
                lessons=(lesson("l3", TASK, steps=1), lesson("l4", steps=1)),
            ),
        ),
    )


COURSE = course()


def run(progress: Progress, *events: ev.Event, access: Access = OPEN) -> Outcome:
    outcome = Outcome(progress, ())
    for event in events:
        outcome = handle(COURSE, outcome.progress, event, access)
    return outcome


def kinds(outcome: Outcome) -> list[str]:
    return [type(a).__name__ for a in outcome.actions]


def through_steps(lesson_id: str, count: int = 2) -> list[ev.Event]:
    return [ev.Next(lesson_id, f"s{n}") for n in range(1, count + 1)]


def at_question(question_id: str) -> Progress:
    """Progress standing on a question, reached by real events."""
    paths: dict[str, list[ev.Event]] = {
        "q-single": [ev.Start(), *through_steps("l1")],
        "q-tf": [ev.Start(), *through_steps("l1"), ev.Choose("l1", "q-single", 0, "a")],
    }
    l1_passed = [*paths["q-tf"], ev.Choose("l1", "q-tf", 0, "false")]
    paths["q-multi"] = [*l1_passed, ev.Begin("l2"), *through_steps("l2")]
    paths["q-order"] = [
        *paths["q-multi"],
        ev.Toggle("l2", "q-multi", 0, "a", True),
        ev.Toggle("l2", "q-multi", 0, "b", True),
        ev.Submit("l2", "q-multi", 0),
    ]
    l2_passed = [
        *paths["q-order"],
        *(ev.Pick("l2", "q-order", 0, item, slot) for slot, item in enumerate("xyz")),
    ]
    paths["q-task"] = [*l2_passed, ev.Begin("l3"), ev.Next("l3", "s1")]
    outcome = run(Progress(), *paths[question_id])
    assert outcome.progress.item_id == question_id, kinds(outcome)
    return outcome.progress


# ---------------------------------------------------------------- starting and steps


def test_start_shows_the_first_step_of_the_first_lesson() -> None:
    outcome = run(Progress(), ev.Start())
    (action,) = outcome.actions
    assert isinstance(action, ev.ShowStep)
    assert (action.lesson.id, action.step.id, action.number, action.total) == ("l1", "s1", 1, 2)
    assert outcome.progress.stage is Stage.STEP


def test_start_again_resumes_instead_of_restarting() -> None:
    started = run(Progress(), ev.Start(), ev.Next("l1", "s1"))
    again = run(started.progress, ev.Start())
    assert again.progress == started.progress
    assert isinstance(again.actions[0], ev.ShowStep) and again.actions[0].step.id == "s2"


def test_next_on_the_last_step_opens_the_quiz() -> None:
    outcome = run(Progress(), ev.Start(), *through_steps("l1"))
    (ask,) = outcome.actions
    assert isinstance(ask, ev.AskQuestion)
    assert (ask.question.id, ask.number, ask.total, ask.attempt) == ("q-single", 1, 2, 0)


def test_a_stale_next_press_changes_nothing() -> None:
    at_step_two = run(Progress(), ev.Start(), ev.Next("l1", "s1")).progress
    outcome = run(at_step_two, ev.Next("l1", "s1"))
    assert outcome.progress == at_step_two
    assert outcome.actions == (ev.Refused(ev.Refusal.STALE),)


def test_continue_shows_the_same_thing_again() -> None:
    progress = at_question("q-tf")
    outcome = run(progress, ev.Continue())
    assert outcome.progress == progress
    assert isinstance(outcome.actions[0], ev.AskQuestion)
    assert outcome.actions[0].question.id == "q-tf"


def test_continue_before_starting_shows_nothing() -> None:
    assert run(Progress(), ev.Continue()).actions == ()


# ---------------------------------------------------------------- question kinds


def test_single_choice_right_answer_records_and_moves_on() -> None:
    outcome = run(at_question("q-single"), ev.Choose("l1", "q-single", 0, "a"))
    record, feedback, ask = outcome.actions
    assert record == ev.RecordAnswer("w1", "l1", "q-single", 1, True, "a")
    assert isinstance(feedback, ev.Feedback) and feedback.correct and not feedback.try_again
    assert [f.sv for f in feedback.feedback] == ["fb-a"]
    assert isinstance(ask, ev.AskQuestion) and ask.question.id == "q-tf"
    assert outcome.progress.first_try_right == ("q-single",)


def test_a_wrong_answer_may_be_tried_again_but_scores_nothing() -> None:
    wrong = run(at_question("q-single"), ev.Choose("l1", "q-single", 0, "b"))
    record, feedback, ask = wrong.actions
    assert isinstance(record, ev.RecordAnswer) and not record.correct
    assert isinstance(feedback, ev.Feedback) and feedback.try_again
    assert isinstance(ask, ev.AskQuestion) and ask.attempt == 1
    right = run(wrong.progress, ev.Choose("l1", "q-single", 1, "a"))
    assert right.actions[0] == ev.RecordAnswer("w1", "l1", "q-single", 2, True, "a")
    assert right.progress.first_try_right == ()


def test_right_at_the_second_try_counts_for_passing_not_for_mastery() -> None:
    """The one scoring rule (docs/lesson-format.md, "Scoring")."""
    outcome = run(
        at_question("q-single"),
        ev.Choose("l1", "q-single", 0, "b"),
        ev.Choose("l1", "q-single", 1, "a"),
        ev.Choose("l1", "q-tf", 0, "true"),
        ev.Choose("l1", "q-tf", 1, "true"),
    )
    result = next(a for a in outcome.actions if isinstance(a, ev.QuizResult))
    assert (result.right, result.after_retry, result.total, result.percent) == (1, 1, 2, 50)
    assert not result.passed  # 50 % is under the pass mark of 60 %
    records = [a for a in outcome.actions if isinstance(a, ev.RecordQuizResult)]
    assert records[0].percent == 50


def test_a_retry_keeps_the_ticks_that_were_right() -> None:
    outcome = run(
        at_question("q-multi"),
        ev.Toggle("l2", "q-multi", 0, "a", True),
        ev.Toggle("l2", "q-multi", 0, "c", True),
        ev.Submit("l2", "q-multi", 0),
    )
    ask = outcome.actions[-1]
    assert isinstance(ask, ev.AskQuestion) and ask.refresh and ask.attempt == 1
    assert outcome.progress.selection == ("a",) and ask.selection == ("a",)


def test_options_are_shuffled_per_participant_and_attempt_but_stable() -> None:
    many = q("q-many", QuestionKind.SINGLE, *(opt(str(n), n == 0) for n in range(6)))
    orders = {shown_order(many, str(seed)) for seed in range(20)}
    assert len(orders) > 10  # different between participants
    assert shown_order(many, "7") == shown_order(many, "7")  # stable for one
    assert sorted(shown_order(many, "7")) == sorted(o.id for o in many.options)
    assert shown_order(TF, "7") == ("true", "false")  # true/false keep their order
    firsts = [shown_order(many, str(seed))[0] for seed in range(60)]
    assert firsts.count("0") < 30  # the right option is not always first


def test_the_engine_shows_the_seed_s_order() -> None:
    start = [ev.Start(), *through_steps("l1")]
    mine = handle(COURSE, run(Progress(), *start[:-1]).progress, start[-1], seed="501")
    ask = mine.actions[-1]
    assert isinstance(ask, ev.AskQuestion)
    assert ask.choices == shown_order(SINGLE, "501", 0)


def test_after_the_last_attempt_the_quiz_moves_on() -> None:
    progress = at_question("q-single")
    outcome = run(
        progress, ev.Choose("l1", "q-single", 0, "b"), ev.Choose("l1", "q-single", 1, "c")
    )
    feedback = outcome.actions[1]
    assert isinstance(feedback, ev.Feedback) and not feedback.try_again
    assert outcome.progress.item_id == "q-tf"


def test_retry_rule_next_moves_on_after_one_wrong_answer() -> None:
    strict = replace(COURSE.weeks[0].lessons[0].quiz, retry=RetryRule.NEXT)  # type: ignore[type-var]
    lesson1 = replace(COURSE.weeks[0].lessons[0], quiz=strict)
    week1 = replace(COURSE.weeks[0], lessons=(lesson1, COURSE.weeks[0].lessons[1]))
    other = Course(id="c", title=t("c"), weeks=(week1, COURSE.weeks[1]))
    outcome = handle(other, at_question("q-single"), ev.Choose("l1", "q-single", 0, "b"))
    assert outcome.progress.item_id == "q-tf"


def test_true_false() -> None:
    outcome = run(at_question("q-tf"), ev.Choose("l1", "q-tf", 0, "false"))
    assert outcome.actions[0] == ev.RecordAnswer("w1", "l1", "q-tf", 1, True, "false")


def test_multiple_choice_ticks_then_submits() -> None:
    progress = at_question("q-multi")
    ticked = run(progress, ev.Toggle("l2", "q-multi", 0, "b", True))
    (redraw,) = ticked.actions
    assert isinstance(redraw, ev.AskQuestion) and redraw.refresh and redraw.selection == ("b",)
    outcome = run(
        ticked.progress,
        ev.Toggle("l2", "q-multi", 0, "c", True),
        ev.Toggle("l2", "q-multi", 0, "c", False),
        ev.Toggle("l2", "q-multi", 0, "a", True),
        ev.Submit("l2", "q-multi", 0),
    )
    assert outcome.actions[0] == ev.RecordAnswer("w1", "l2", "q-multi", 1, True, "a,b")


def test_multiple_choice_double_tick_counts_once() -> None:
    once = run(at_question("q-multi"), ev.Toggle("l2", "q-multi", 0, "a", True))
    twice = run(once.progress, ev.Toggle("l2", "q-multi", 0, "a", True))
    assert twice.progress == once.progress
    assert twice.actions == (ev.Refused(ev.Refusal.STALE),)


def test_multiple_choice_submit_with_nothing_ticked_is_refused() -> None:
    progress = at_question("q-multi")
    outcome = run(progress, ev.Submit("l2", "q-multi", 0))
    assert outcome.progress == progress
    assert outcome.actions == (ev.Refused(ev.Refusal.EMPTY_SELECTION),)


def test_multiple_choice_wrong_set() -> None:
    outcome = run(
        at_question("q-multi"),
        ev.Toggle("l2", "q-multi", 0, "a", True),
        ev.Submit("l2", "q-multi", 0),
    )
    assert outcome.actions[0] == ev.RecordAnswer("w1", "l2", "q-multi", 1, False, "a")


def test_order_question_picks_in_turn_and_grades_the_order() -> None:
    progress = at_question("q-order")
    first = run(progress, ev.Pick("l2", "q-order", 0, "y", 0))
    assert first.progress.selection == ("y",)
    assert run(first.progress, ev.Pick("l2", "q-order", 0, "y", 1)).progress == first.progress
    wrong = run(
        first.progress, ev.Pick("l2", "q-order", 0, "x", 1), ev.Pick("l2", "q-order", 0, "z", 2)
    )
    assert wrong.actions[0] == ev.RecordAnswer("w1", "l2", "q-order", 1, False, "y,x,z")
    assert wrong.progress.attempt == 1 and wrong.progress.selection == ()


def test_order_picks_can_be_cleared() -> None:
    first = run(at_question("q-order"), ev.Pick("l2", "q-order", 0, "z", 0))
    cleared = run(first.progress, ev.ClearPicks("l2", "q-order", 0))
    assert cleared.progress.selection == ()


def test_order_items_are_never_shown_in_the_right_order() -> None:
    for n in range(2, 8):
        items = tuple(opt(f"i{k}", True) for k in range(n))
        for name in ("a", "b", "c", "order-1", "q-x"):
            question = q(name, QuestionKind.ORDER, *items)
            shown = shown_order(question)
            assert sorted(shown) == sorted(o.id for o in items)
            assert shown != tuple(o.id for o in items)
            assert shown == shown_order(question)


def test_practical_task_takes_an_accepted_upload() -> None:
    outcome = run(at_question("q-task"), ev.Upload(UploadKind.DOCUMENT))
    assert outcome.actions[0] == ev.RecordAnswer("w2", "l3", "q-task", 1, True, "document")


def test_practical_task_hints_at_the_wrong_kind_and_waits() -> None:
    progress = at_question("q-task")
    outcome = run(progress, ev.Upload(UploadKind.VOICE))
    assert outcome.progress == progress
    (hint,) = outcome.actions
    assert isinstance(hint, ev.WrongUpload) and hint.got is UploadKind.VOICE


def test_practical_task_can_be_skipped_and_counts_as_not_done() -> None:
    outcome = run(at_question("q-task"), ev.Skip("l3", "q-task", 0))
    assert outcome.actions[0] == ev.RecordAnswer("w2", "l3", "q-task", 1, False, "skipped")


def test_an_upload_when_no_task_is_asked_is_refused() -> None:
    progress = at_question("q-single")
    outcome = run(progress, ev.Upload(UploadKind.PHOTO))
    assert outcome.progress == progress
    assert outcome.actions == (ev.Refused(ev.Refusal.NOT_EXPECTED),)


# ---------------------------------------------------------------- forged and stale answers


@pytest.mark.parametrize(
    "event",
    [
        ev.Choose("l1", "q-single", 0, "a"),  # a question already answered
        ev.Choose("l1", "q-tf", 1, "false"),  # the wrong attempt
        ev.Choose("l2", "q-multi", 0, "a"),  # a later lesson's question
        ev.Choose("nope", "q-tf", 0, "false"),  # a lesson that does not exist
        ev.Toggle("l1", "q-tf", 0, "false", True),  # the wrong kind of answer
        ev.Skip("l1", "q-tf", 0),
        ev.Next("l1", "s2"),
        ev.Begin("l2"),
        ev.RetryQuiz("l1"),
    ],
)
def test_answers_that_do_not_match_the_current_question_change_nothing(event: ev.Event) -> None:
    progress = at_question("q-tf")
    outcome = run(progress, event)
    assert outcome.progress == progress
    assert len(outcome.actions) == 1 and isinstance(outcome.actions[0], ev.Refused)


def test_an_unknown_option_is_refused() -> None:
    progress = at_question("q-tf")
    outcome = run(progress, ev.Choose("l1", "q-tf", 0, "maybe"))
    assert outcome.progress == progress
    assert outcome.actions == (ev.Refused(ev.Refusal.UNKNOWN),)


def test_a_double_answer_counts_once() -> None:
    progress = at_question("q-single")
    once = run(progress, ev.Choose("l1", "q-single", 0, "a"))
    twice = run(once.progress, ev.Choose("l1", "q-single", 0, "a"))
    assert twice.progress == once.progress
    assert not any(isinstance(a, ev.RecordAnswer) for a in twice.actions)


# ---------------------------------------------------------------- finishing


def test_passing_a_quiz_finishes_the_lesson_and_offers_the_next() -> None:
    outcome = run(at_question("q-tf"), ev.Choose("l1", "q-tf", 0, "false"))
    names = kinds(outcome)
    assert names == [
        "RecordAnswer",
        "Feedback",
        "RecordQuizResult",
        "QuizResult",
        "LessonDone",
        "OfferLesson",
    ]
    result = outcome.actions[3]
    assert isinstance(result, ev.QuizResult) and (result.right, result.total, result.percent) == (
        2,
        2,
        100,
    )
    assert outcome.progress.stage is Stage.READY and outcome.progress.lesson_id == "l2"
    assert outcome.progress.result("l1").passed


def test_failing_a_quiz_offers_a_retry_and_keeps_the_lesson_open() -> None:
    progress = at_question("q-single")
    failed = run(
        progress,
        ev.Choose("l1", "q-single", 0, "b"),
        ev.Choose("l1", "q-single", 1, "b"),
        ev.Choose("l1", "q-tf", 0, "true"),
        ev.Choose("l1", "q-tf", 1, "true"),
    )
    assert failed.progress.stage is Stage.FAILED
    record = failed.actions[-2]
    assert record == ev.RecordQuizResult("w1", "l1", 1, 0, False)
    assert failed.progress.result("l1").failed_runs == 1
    assert run(failed.progress, ev.Begin("l2")).actions == (ev.Refused(ev.Refusal.STALE),)
    retried = run(failed.progress, ev.RetryQuiz("l1"))
    assert retried.progress.item_id == "q-single" and retried.progress.first_try_right == ()
    assert isinstance(run(failed.progress, ev.Continue()).actions[0], ev.QuizResult)


def test_finishing_the_week_and_the_course() -> None:
    progress = at_question("q-order")
    week_done = run(progress, *(ev.Pick("l2", "q-order", 0, i, s) for s, i in enumerate("xyz")))
    assert "WeekDone" in kinds(week_done)
    done = run(
        week_done.progress,
        ev.Begin("l3"),
        ev.Next("l3", "s1"),
        ev.Upload(UploadKind.PHOTO),
        ev.Begin("l4"),
        ev.Next("l4", "s1"),
    )
    assert kinds(done)[-3:] == ["LessonDone", "WeekDone", "CourseDone"]
    assert done.progress.stage is Stage.DONE
    assert run(done.progress, ev.Continue()).actions == (ev.CourseDone(),)


def test_a_locked_week_waits_and_opens_later() -> None:
    l2_done = run(
        at_question("q-order"), *(ev.Pick("l2", "q-order", 0, i, s) for s, i in enumerate("xyz"))
    )
    locked = run(l2_done.progress, ev.Begin("l3"), access=Access(weeks_open=1))
    assert kinds(locked) == ["WeekLocked"]
    assert locked.progress.stage is Stage.READY
    assert kinds(run(locked.progress, ev.Continue(), access=Access(weeks_open=1))) == ["WeekLocked"]
    opened = run(locked.progress, ev.Begin("l3"), access=Access(weeks_open=2))
    assert kinds(opened) == ["ShowStep"]


def test_the_first_lesson_waits_for_the_group_start() -> None:
    outcome = run(Progress(), ev.Start(), access=Access(weeks_open=0))
    assert kinds(outcome) == ["WeekLocked"]


# ---------------------------------------------------------------- repeating


def test_repeating_a_passed_lesson_keeps_the_best_score_and_returns() -> None:
    ready = run(at_question("q-tf"), ev.Choose("l1", "q-tf", 0, "false")).progress
    again = run(
        ready,
        ev.Repeat("l1"),
        *through_steps("l1"),
        ev.Choose("l1", "q-single", 0, "a"),
        ev.Choose("l1", "q-tf", 0, "false"),
    )
    assert "WeekDone" not in kinds(again)
    assert "LessonDone" in kinds(again)
    assert again.progress.result("l1").best_percent == 100
    assert again.progress.result("l1").runs == 2
    assert again.progress.stage is Stage.READY and again.progress.lesson_id == "l2"


def test_a_repeat_below_the_pass_mark_keeps_the_earlier_pass() -> None:
    ready = run(at_question("q-tf"), ev.Choose("l1", "q-tf", 0, "false")).progress
    again = run(
        ready,
        ev.Repeat("l1"),
        *through_steps("l1"),
        ev.Choose("l1", "q-single", 0, "b"),
        ev.Choose("l1", "q-single", 1, "b"),
        ev.Choose("l1", "q-tf", 0, "true"),
        ev.Choose("l1", "q-tf", 1, "true"),
    )
    assert kinds(again)[-1] == "OfferLesson"
    assert again.progress.result("l1").passed and again.progress.result("l1").failed_runs == 0


def test_a_lesson_ahead_cannot_be_repeated() -> None:
    progress = at_question("q-single")
    outcome = run(progress, ev.Repeat("l3"))
    assert outcome.progress == progress
    assert outcome.actions == (ev.Refused(ev.Refusal.LOCKED),)


# ---------------------------------------------------------------- content changed underneath


def without_lesson(lesson_id: str) -> Course:
    weeks = tuple(
        replace(w, lessons=tuple(x for x in w.lessons if x.id != lesson_id)) for w in COURSE.weeks
    )
    return Course(id="c", title=t("c"), weeks=weeks)


def test_a_removed_lesson_moves_the_participant_to_the_nearest_valid_place() -> None:
    progress = at_question("q-multi")
    outcome = handle(without_lesson("l2"), progress, ev.Continue())
    assert kinds(outcome) == ["Moved", "OfferLesson"]
    assert outcome.progress.lesson_id == "l3" and outcome.progress.stage is Stage.READY


def test_a_removed_step_restarts_its_lesson() -> None:
    progress = run(Progress(), ev.Start(), ev.Next("l1", "s1")).progress
    lesson1 = replace(COURSE.weeks[0].lessons[0], steps=COURSE.weeks[0].lessons[0].steps[:1])
    week1 = replace(COURSE.weeks[0], lessons=(lesson1, COURSE.weeks[0].lessons[1]))
    changed = Course(id="c", title=t("c"), weeks=(week1, COURSE.weeks[1]))
    outcome = handle(changed, progress, ev.Next("l1", "s2"))
    assert outcome.actions == (ev.Moved(), ev.Refused(ev.Refusal.STALE))
    assert outcome.progress.item_id == "s1"


def test_a_removed_question_restarts_the_quiz() -> None:
    progress = at_question("q-tf")
    quiz = replace(COURSE.weeks[0].lessons[0].quiz, questions=(SINGLE,))  # type: ignore[type-var]
    lesson1 = replace(COURSE.weeks[0].lessons[0], quiz=quiz)
    week1 = replace(COURSE.weeks[0], lessons=(lesson1, COURSE.weeks[0].lessons[1]))
    changed = Course(id="c", title=t("c"), weeks=(week1, COURSE.weeks[1]))
    fixed, moved = repair(changed, progress)
    assert moved and fixed.item_id == "q-single" and fixed.first_try_right == ()


def test_everything_removed_finishes_the_course() -> None:
    progress = at_question("q-task")
    empty = Course(id="c", title=t("c"), weeks=(replace(COURSE.weeks[0], lessons=()),))
    fixed, moved = repair(empty, progress)
    assert moved and fixed.stage is Stage.DONE


def test_a_valid_place_is_left_alone() -> None:
    progress = at_question("q-tf")
    assert repair(COURSE, progress) == (progress, False)


# ---------------------------------------------------------------- values


def test_progress_survives_json() -> None:
    progress = at_question("q-order")
    progress = run(progress, ev.Pick("l2", "q-order", 0, "z", 0)).progress
    assert Progress.from_json(progress.to_json()) == progress
    assert Progress.from_json(None) == Progress()
    assert Progress.from_json('{"stage": "bogus"}').stage is Stage.NEW


def test_summary_per_week() -> None:
    progress = run(
        at_question("q-tf"), ev.Choose("l1", "q-tf", 0, "true"), ev.Choose("l1", "q-tf", 1, "false")
    ).progress
    week1, week2 = summarize(COURSE, progress)  # both right, q-tf after a new try: passed
    assert (week1.done, week1.total, week1.average_percent) == (1, 2, 100)
    assert (week2.done, week2.total, week2.average_percent) == (0, 2, None)
    current = current_week(COURSE, progress)
    assert current is not None and current.id == "w1"


@pytest.mark.parametrize(
    ("right", "total", "percent"), [(2, 3, 67), (1, 3, 33), (0, 4, 0), (3, 3, 100), (0, 0, 100)]
)
def test_score_percent(right: int, total: int, percent: int) -> None:
    assert score_percent(right, total) == percent


def test_show_current_of_a_finished_course() -> None:
    assert show_current(COURSE, Progress(stage=Stage.DONE)).actions == (ev.CourseDone(),)


def test_finishing_an_open_week_says_the_next_is_closed_instead_of_offering_it() -> None:
    closed = Access(weeks_open=1)
    outcome = run(
        at_question("q-order"),
        *(ev.Pick("l2", "q-order", 0, i, s) for s, i in enumerate("xyz")),
        access=closed,
    )
    assert kinds(outcome)[-2:] == ["WeekDone", "WeekLocked"]
    assert outcome.progress.stage is Stage.READY and outcome.progress.lesson_id == "l3"
    opened = run(outcome.progress, ev.Continue(), access=Access(weeks_open=2))
    assert kinds(opened) == ["OfferLesson"]
