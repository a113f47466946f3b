"""The real course reads easily and its quizzes test understanding.

Many participants are weak readers of Swedish, so every lesson keeps a LIX of at most
30 and every step at most 400 characters. Quizzes must make people think: no
true/false statement hangs on a negation (hard in a second language), the right
answer of single-choice questions does not sit in one place, and "tick all" questions
are not all built as "everything but the last".
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.course.model import (
    Course,
    Lesson,
    Option,
    Question,
    QuestionKind,
    Quiz,
    Step,
    Term,
    Text,
)
from bot.course.readability import course_lix, lesson_lix, lesson_texts, lix

MAX_LIX = 30.0
MAX_STEP_CHARS = 400
NEGATIONS = re.compile(r"\b(inte|aldrig|ingen|inget|inga)\b", re.IGNORECASE)


def _questions(course: Course) -> list[Question]:
    return [
        question
        for week in course.weeks
        for lesson in week.lessons
        if lesson.quiz is not None
        for question in lesson.quiz.questions
    ]


def test_lix_counts_words_per_sentence_and_long_words() -> None:
    assert lix("Jag är här. Du är där.") == pytest.approx(3.0)
    # 3 words in one sentence, two of them longer than six letters
    assert lix("Försörjningsstöd är viktigt.") == pytest.approx(3 + 200 / 3)


def test_lix_ends_a_sentence_at_a_line_break_and_ignores_numbers() -> None:
    assert lix("Ring 112\nRing 114 14") == pytest.approx(1.0)
    assert lix("") == 0.0
    assert lix("123 456") == 0.0


def test_lesson_lix_counts_steps_terms_and_every_option_feedback() -> None:
    lesson = Lesson(
        id="l",
        title=Text("t", "Titel"),
        steps=(Step("s", Text("s", "Kort text."), terms=(Term("ord", Text("e", "Förklaring.")),)),),
        quiz=Quiz(
            questions=(
                Question(
                    "q",
                    QuestionKind.SINGLE,
                    Text("q", "Fråga?"),
                    options=(Option("o", Text("o", "Svar"), True, Text("f", "Återkoppling.")),),
                ),
            )
        ),
    )
    texts = list(lesson_texts(lesson))
    assert "Kort text." in texts
    assert "Återkoppling." in texts
    assert any("Förklaring." in text for text in texts)
    assert lesson_lix(lesson) > 0


def test_every_lesson_reads_easily(course: Course) -> None:
    too_hard = {lesson: value for lesson, value in course_lix(course).items() if value > MAX_LIX}
    assert too_hard == {}


def test_every_step_is_short(course: Course) -> None:
    too_long = [
        f"{lesson.id}/{step.id}: {len(step.text.sv)}"
        for week in course.weeks
        for lesson in week.lessons
        for step in lesson.steps
        if len(step.text.sv) > MAX_STEP_CHARS
    ]
    assert too_long == []


def test_no_true_false_statement_hangs_on_a_negation(course: Course) -> None:
    negated = [
        question.id
        for question in _questions(course)
        if question.kind is QuestionKind.TRUE_FALSE and NEGATIONS.search(question.text.sv)
    ]
    assert negated == []


def test_single_choice_answers_are_not_in_one_place(course: Course) -> None:
    for week in course.weeks:
        positions = Counter(
            next(index for index, option in enumerate(question.options) if option.correct)
            for lesson in week.lessons
            if lesson.quiz is not None
            for question in lesson.quiz.questions
            if question.kind is QuestionKind.SINGLE
        )
        total = sum(positions.values())
        assert max(positions.values()) * 2 <= total, (week.id, dict(positions))


def test_tick_all_questions_vary_how_many_are_right(course: Course) -> None:
    multiple = [q for q in _questions(course) if q.kind is QuestionKind.MULTIPLE]
    all_but_last = [
        question.id
        for question in multiple
        if all(option.correct for option in question.options[:-1])
        and not question.options[-1].correct
    ]
    assert len(all_but_last) * 3 <= len(multiple), all_but_last
    assert len({len(question.correct_ids) for question in multiple}) >= 2
