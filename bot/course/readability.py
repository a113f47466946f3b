"""How easy the course's Swedish is to read, measured as LIX.

LIX = words per sentence + 100 x share of words longer than six letters. Under 30
reads like an easy children's book, 40 like a newspaper. The course aims for at most
30 in every lesson, because many participants are weak readers of Swedish.
"""

import re
from collections.abc import Iterable, Iterator

from bot.course.model import Course, Lesson, Question, Step

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;]+|\n")
_LONG_WORD = 6


def lix(text: str) -> float:
    """The LIX of ``text``: a line break and . ! ? : ; end a sentence."""
    return lix_of_texts([text])


def lix_of_texts(texts: Iterable[str]) -> float:
    """LIX counted over several texts at once (each text ends its last sentence)."""
    words = 0
    long_words = 0
    sentences = 0
    for text in texts:
        for sentence in _SENTENCE_END.split(text):
            found = _WORD.findall(sentence)
            if not found:
                continue
            sentences += 1
            words += len(found)
            long_words += sum(1 for word in found if len(word) > _LONG_WORD)
    if words == 0:
        return 0.0
    return words / sentences + 100 * long_words / words


def lesson_texts(lesson: Lesson) -> Iterator[str]:
    """Every Swedish text a participant reads in a lesson: steps, terms, the quiz."""
    for step in lesson.steps:
        yield from _step_texts(step)
    if lesson.quiz is not None:
        for question in lesson.quiz.questions:
            yield from _question_texts(question)


def lesson_lix(lesson: Lesson) -> float:
    """The LIX of all the texts of one lesson together."""
    return lix_of_texts(lesson_texts(lesson))


def course_lix(course: Course) -> dict[str, float]:
    """LIX per lesson id, in course order."""
    return {lesson.id: lesson_lix(lesson) for week in course.weeks for lesson in week.lessons}


def _step_texts(step: Step) -> Iterator[str]:
    yield step.text.sv
    for term in step.terms:
        yield f"{term.term}: {term.explanation.sv}"
    for card in step.cards:
        yield card.text.sv


def _question_texts(question: Question) -> Iterator[str]:
    yield question.text.sv
    for option in question.options:
        yield option.text.sv
        if option.feedback is not None:
            yield option.feedback.sv
    for extra in (question.explanation, question.hint):
        if extra is not None:
            yield extra.sv
