"""Rendering and callback data: pure, checked against the real course."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.course import events as ev
from bot.course.engine import handle
from bot.course.grading import shown_order
from bot.course.loader import load_course
from bot.course.model import Course, Question, QuestionKind, Text, UploadKind
from bot.course.progress import LessonResult, Progress, Stage
from bot.course.summary import summarize
from bot.i18n.catalogs import compile_catalogs
from bot.i18n.text import FSI, LRI, PDI, RLM, isolate_latin
from bot.i18n.translator import reset_cache, translator
from bot.telegram import callbacks
from bot.telegram.participant.render import Renderer

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"


@pytest.fixture(scope="module")
def course() -> Course:
    compile_catalogs(LOCALES)
    reset_cache()
    return load_course(ROOT / "lessons")


def renderer(language: str) -> Renderer:
    return Renderer(translator(LOCALES, language), ROOT / "lessons")


def every_question_action(course: Course) -> list[ev.AskQuestion]:
    actions = []
    for week in course.weeks:
        for lesson in week.lessons:
            for n, question in enumerate(lesson.quiz.questions if lesson.quiz else (), start=1):
                for attempt in (0, 1):
                    ids = tuple(o.id for o in question.options)
                    for selection in ((), ids[:1]):
                        actions.append(
                            ev.AskQuestion(
                                week,
                                lesson,
                                question,
                                n,
                                9,
                                attempt,
                                selection,
                                shown_order(question),
                            )
                        )
    return actions


def test_every_button_of_the_real_course_fits_telegram_and_decodes_back(course: Course) -> None:
    buttons = 0
    for action in every_question_action(course):
        rendered = renderer("sv").question(action)
        for row in rendered.buttons:
            for button in row:
                buttons += 1
                assert len(button.data.encode()) <= 64
                assert 1 <= len(button.text) <= 64, button.text
                decoded = callbacks.decode(button.data, course)
                assert decoded is not None, button.data
    assert buttons > 500


def test_step_buttons_decode_to_next(course: Course) -> None:
    outcome = handle(course, Progress(), ev.Start())
    (step,) = renderer("sv").render(outcome.actions)
    (button,) = step.buttons[0]
    decoded = callbacks.decode(button.data, course)
    assert decoded == ev.Next(course.lessons[0].id, course.lessons[0].steps[0].id)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage",
        "\x00\xff",
        "2n|w1-welcome|hello",  # an unknown version
        "1n|no-such-lesson|s1",
        "1c|w1-welcome|no-such-question|0|0",
        "1c|w1-welcome|{q}|0|99",  # an option index past the end
        "1c|w1-welcome|{q}|-1|0",
        "1c|w1-welcome|{q}|0",
        "1t|w1-welcome|{q}|0|0|7",
        "1cX|w1-welcome|{q}|0|0",
        "1Z|anything",
    ],
)
def test_forged_data_decodes_to_nothing(course: Course, data: str) -> None:
    lesson = course.lessons[0]
    assert lesson.quiz is not None
    assert callbacks.decode(data.replace("{q}", lesson.quiz.questions[0].id), course) is None


def test_arabic_messages_read_right_to_left_with_swedish_terms_isolated(course: Course) -> None:
    step_with_terms = next(
        (week, lesson, step)
        for week in course.weeks
        for lesson in week.lessons
        for step in lesson.steps
        if step.terms
    )
    week, lesson, step = step_with_terms
    action = ev.ShowStep(week, lesson, step, 1, len(lesson.steps))
    arabic = renderer("ar").step(action)
    assert all(line.startswith(RLM) for line in arabic.text.split("\n") if line)
    term = step.terms[0].term
    assert f"{FSI}{term}{PDI}" in arabic.text
    swedish = renderer("sv").step(action)
    assert RLM not in swedish.text and FSI not in swedish.text
    assert f"🔑 {term} – " in swedish.text


def test_latin_runs_in_rtl_text_are_isolated_once() -> None:
    text = f"افتح BankID الآن و {FSI}Platsbanken{PDI} رقم 114 14"
    isolated = isolate_latin(text)
    assert f"{FSI}BankID{PDI}" in isolated
    assert isolated.count(f"{FSI}Platsbanken{PDI}") == 1
    assert f"{FSI}114 14{PDI}" in isolated
    assert f"{FSI}/mydata{PDI}" in isolate_latin("اكتب /mydata الآن")


def test_multiple_choice_shows_ticks_and_a_done_button(course: Course) -> None:
    action = next(
        a
        for a in every_question_action(course)
        if a.question.kind is QuestionKind.MULTIPLE and a.selection and a.attempt == 0
    )
    rendered = renderer("sv").question(action)
    labels = [row[0].text for row in rendered.buttons]
    assert labels[-1].startswith("Klar") or labels[-1].startswith("Done")
    assert sum(label.startswith("☑") for label in labels) == 1


def test_order_question_lists_the_picks_and_hides_picked_items(course: Course) -> None:
    action = next(
        a
        for a in every_question_action(course)
        if a.question.kind is QuestionKind.ORDER and a.selection and a.attempt == 0
    )
    rendered = renderer("sv").question(action)
    picked = action.question.option(action.selection[0])
    assert picked is not None
    assert f"1. {picked.text.sv}" in rendered.text
    data = [button.data for row in rendered.buttons for button in row]
    assert len(data) == len(action.question.options)  # the rest, and "start over"


def test_quiz_result_uses_plural_forms_and_offers_a_retry(course: Course) -> None:
    week = course.weeks[0]
    lesson = week.lessons[0]
    failed = renderer("sv").quiz_result(ev.QuizResult(week, lesson, 1, 4, 25, 60, False))
    assert "25 %" in failed.text
    datas = [row[0].data for row in failed.buttons]
    assert datas == [callbacks.retry_quiz(lesson.id), callbacks.repeat(lesson.id)]
    passed = renderer("en").quiz_result(ev.QuizResult(week, lesson, 1, 1, 100, 60, True))
    assert "1 of 1 question right" in passed.text and passed.buttons == ()


def test_progress_says_where_you_are(course: Course) -> None:
    first = course.lessons[0]
    progress = Progress(stage=Stage.READY, lesson_id=course.lessons[1].id).with_result(
        first.id, LessonResult(best_percent=80, passed=True, runs=1)
    )
    shown = renderer("en").progress(summarize(course, progress), course.weeks[0])
    count = len(course.weeks[0].lessons)
    title = course.weeks[0].title
    assert f"👉 Week 1: {renderer('en').tr.lesson(title)}, you are here (1 of {count}" in shown.text
    assert shown.buttons[0][0].data == callbacks.continue_here()


def test_feedback_is_not_joined_into_a_question_card_that_is_redrawn_later(
    course: Course,
) -> None:
    from bot.telegram.outgoing import Outgoing, coalesce

    multiple = next(
        a
        for a in every_question_action(course)
        if a.question.kind is QuestionKind.MULTIPLE and not a.selection and a.attempt == 0
    )
    single = next(
        a
        for a in every_question_action(course)
        if a.question.kind is QuestionKind.SINGLE and not a.selection and a.attempt == 0
    )
    feedback = Outgoing("✅")
    r = renderer("sv")
    assert len(coalesce([feedback, r.question(multiple)])) == 2  # redrawn on each tick
    assert len(coalesce([feedback, r.question(single)])) == 2  # shows the answer when answered


def test_go_on_arrows_point_the_way_the_reader_reads(course: Course) -> None:
    week, lesson = course.weeks[0], course.weeks[0].lessons[0]
    action = ev.ShowStep(week, lesson, lesson.steps[0], 1, len(lesson.steps))
    assert renderer("sv").step(action).buttons[0][0].text.endswith("▶")
    arabic = renderer("ar").step(action).buttons[0][0].text
    assert "◀" in arabic and "▶" not in arabic


def test_the_last_wrong_try_shows_the_right_answer_once(course: Course) -> None:
    order = next(
        q
        for lesson in course.lessons
        for q in (lesson.quiz.questions if lesson.quiz else ())
        if q.kind is QuestionKind.ORDER
    )
    r = renderer("sv")
    right = " → ".join(o.text.sv for o in order.options)
    last = r.feedback(ev.Feedback(order, False, (), (), None, try_again=False))
    assert last.text.startswith("❌") and right in last.text
    again = r.feedback(ev.Feedback(order, False, (), (), None, try_again=True))
    assert right not in again.text


def test_an_option_that_explains_itself_gets_a_mark_not_a_second_verdict(course: Course) -> None:
    single = next(
        q
        for lesson in course.lessons
        for q in (lesson.quiz.questions if lesson.quiz else ())
        if q.kind is QuestionKind.SINGLE and all(o.feedback for o in q.options)
    )
    wrong = next(o for o in single.options if not o.correct)
    assert wrong.feedback is not None
    shown = renderer("sv").feedback(
        ev.Feedback(single, False, (wrong.id,), (wrong.feedback,), None, try_again=True)
    )
    assert shown.text == f"❌ {wrong.feedback.sv}"


def test_the_core_limits_are_telegrams_own() -> None:
    """bot/course/limits.py may not import telegram; this pins it to PTB's constants."""
    from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

    from bot.course import limits

    assert limits.MESSAGE_LIMIT == MessageLimit.MAX_TEXT_LENGTH
    assert limits.CAPTION_LIMIT == MessageLimit.CAPTION_LENGTH
    assert limits.CALLBACK_DATA_BYTES == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    # Telegram sets no length for a button's text; 64 is what a phone shows on one line
    # of two buttons, and no more than the callback data it stands for.
    assert limits.BUTTON_LIMIT <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


# ---------------------------------------------------------------- direction follows the text


def test_a_swedish_fallback_in_an_arabic_chat_reads_left_to_right(course: Course) -> None:
    week, lesson = course.weeks[0], course.weeks[0].lessons[0]
    edited = replace(lesson.steps[0], text=Text(lesson.steps[0].text.key, "Kursen börjar! Hej."))
    arabic = renderer("ar")
    assert arabic.tr.lesson_found(edited.text) == ("Kursen börjar! Hej.", "sv")
    shown = arabic.step(ev.ShowStep(week, lesson, edited, 1, len(lesson.steps))).text
    line = next(x for x in shown.split("\n") if "Kursen" in x)
    assert line == f"{LRI}Kursen börjar! Hej.{PDI}"  # isolated left to right, no RLM
    header = shown.split("\n")[0]
    assert header.startswith(RLM)  # the Arabic around it still reads right to left
    assert RLM not in renderer("sv").step(ev.ShowStep(week, lesson, edited, 1, 3)).text


def test_an_english_ui_fallback_in_an_arabic_chat_is_isolated_and_commands_too() -> None:
    tr = translator(LOCALES, "ar")
    assert tr.ui_language("A string no catalog has") == "en"
    assert tr._("A string no catalog has. Go on!") == f"{LRI}A string no catalog has. Go on!{PDI}"
    assert tr.message(tr._("Fallback line")) == f"{LRI}Fallback line{PDI}"
    consent = tr._("Please write /start first.")
    assert f"{FSI}/start{PDI}" in consent and LRI not in consent
    assert tr._("Week {number} opens on {date}. See you then!").count("{number}") == 1
    assert translator(LOCALES, "sv")._("Please write /start first.") == "Skriv /start först."


# ---------------------------------------------------------------- the answer and the rule


def first_question(course: Course, kind: QuestionKind) -> tuple[ev.AskQuestion, Question]:
    action = next(
        a
        for a in every_question_action(course)
        if a.question.kind is kind and not a.selection and a.attempt == 0
    )
    return action, action.question


def test_the_answered_card_shows_the_answer_without_buttons(course: Course) -> None:
    action, q = first_question(course, QuestionKind.SINGLE)
    right = next(o for o in q.options if o.correct)
    feedback = ev.Feedback(q, True, (right.id,), (), None, False, action.number, action.total)
    card, verdict = renderer("sv").answered(feedback)
    assert card.edit and not card.buttons
    assert card.text.endswith(f"✔ Ditt svar: {right.text.sv}")
    assert not verdict.edit and verdict.text.startswith("✅")


def test_multiple_choice_feedback_names_right_wrong_and_missed(course: Course) -> None:
    _, q = first_question(course, QuestionKind.MULTIPLE)
    right = [o for o in q.options if o.correct]
    wrong = [o for o in q.options if not o.correct]
    chosen = (right[0].id, wrong[0].id)
    r = renderer("en")
    retry = r.retry_prompt(ev.Feedback(q, False, chosen, (), None, True))
    assert f"✔ Right: {r.tr.lesson(right[0].text)}" in retry
    assert f"✘ Not right: {r.tr.lesson(wrong[0].text)}" in retry
    assert "right answer" in retry.lower() and "missing" in retry  # how many, not which
    assert "it still counts for passing" in retry  # the scoring rule, said out loud
    final = "\n".join(r.verdict(ev.Feedback(q, False, chosen, (), None, False)))
    assert "Missed: " + r.tr.listing([r.tr.lesson(o.text) for o in right[1:]]) in final
    assert "✅" not in final.split("\n")[0]


def test_a_wrong_try_is_said_on_the_redrawn_question(course: Course) -> None:
    ask, q = first_question(course, QuestionKind.SINGLE)
    wrong = next(o for o in q.options if not o.correct)
    again = replace(ask, attempt=1, refresh=True)
    feedback = ev.Feedback(q, False, (wrong.id,), (), None, True)
    rendered = renderer("sv").render([feedback, again])
    assert len(rendered) == 1 and rendered[0].edit and rendered[0].buttons
    assert rendered[0].text.startswith("❌")
    assert "räknas det ändå för att klara frågorna" in rendered[0].text


def test_the_result_names_the_answers_right_after_a_new_try(course: Course) -> None:
    week, lesson = course.weeks[0], course.weeks[0].lessons[0]
    result = ev.QuizResult(week, lesson, 3, 4, 75, 60, True, after_retry=1)
    text = renderer("sv").quiz_result(result).text
    assert "Du hade 3 av 4 rätt, 1 efter ett nytt försök (75 %)." in text


def test_the_bot_does_not_repeat_an_instruction_the_question_gives(course: Course) -> None:
    for action in every_question_action(course):
        q = action.question
        if q.kind is QuestionKind.MULTIPLE and "alla" in q.text.sv:
            text = renderer("sv").question(action).text
            assert text.count("alla") == q.text.sv.count("alla")  # said once, by the lesson


def test_a_task_is_praised_once_and_asks_for_a_photo_or_a_file(course: Course) -> None:
    task = next(
        q
        for lesson in course.lessons
        for q in (lesson.quiz.questions if lesson.quiz else ())
        if q.kind is QuestionKind.TASK and q.explanation is not None and len(q.accepts) == 2
    )
    r = renderer("sv")
    praised = r.verdict(ev.Feedback(task, True, (), (), task.explanation, False))
    assert praised == [f"✅ {task.explanation.sv}"] if task.explanation else False
    wrong = r.wrong_upload(ev.WrongUpload(task, UploadKind.VOICE))
    assert " eller " in wrong.split("\n")[0]
