"""The course as trainers write it: weeks, lessons, steps and quiz questions.

Everything here is immutable and plain, so the engine, the loader, the renderer
and the translation tools share one picture of the course without knowing of
each other. Texts are the Swedish source; translations are looked up by each
text's `key`, a stable path of ids (for example ``w03/attach/paperclip/text``),
so a trainer can reword a text without losing anyone's progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    ORDER = "order"
    TASK = "task"


class UploadKind(StrEnum):
    """What a participant can send for a practical task."""

    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"


class StepKind(StrEnum):
    """What a step asks of the participant.

    ``read``: a card to read, then Next. ``cards``: tick the picture cards that fit
    (the vocational profile, see ``ProfileTopic``), then Klar; none is fine.
    ``goal``: write one's own goal as a message or send it as a voice message, or skip.
    ``goal_review``: see the goal again and say whether it still holds, or write a new one.
    """

    READ = "read"
    CARDS = "cards"
    GOAL = "goal"
    GOAL_REVIEW = "goal_review"


class ProfileTopic(StrEnum):
    """The parts of the vocational profile (Supported Employment, step 2)."""

    WORK = "work"  # kinds of work I like
    SKILLS = "skills"  # what I can already do
    SUPPORT = "support"  # what support I need


class RetryRule(StrEnum):
    """What happens after a wrong answer.

    ``again``: the participant may try the same question again until the quiz's
    ``attempts`` are used up; a right answer after a new try counts for passing the
    quiz but not for mastery (the coach's first-try figures), see docs/lesson-format.md,
    "Scoring". ``next``: the feedback is shown and the quiz moves on.
    """

    AGAIN = "again"
    NEXT = "next"


@dataclass(frozen=True, slots=True)
class Text:
    """A Swedish source text and the key its translations are stored under."""

    key: str
    sv: str
    place: Place | None = field(default=None, compare=False, repr=False)
    """Where the text stands in its lesson file, for warnings about its translations."""


@dataclass(frozen=True, slots=True)
class Place:
    """A line and column in a lesson file, as an editor jumps to it."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Term:
    """A Swedish key term shown beside its explanation in the reader's language."""

    term: str
    explanation: Text


@dataclass(frozen=True, slots=True)
class Card:
    """One card of a vocational-profile step: a short text and, if the trainer has one,
    a picture with its description."""

    id: str
    text: Text
    image: str | None = None
    alt: Text | None = None


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    text: Text
    image: str | None = None
    audio: str | None = None
    terms: tuple[Term, ...] = ()
    alt: Text | None = None
    """What the picture shows, in one sentence: for whoever cannot see it."""
    kind: StepKind = StepKind.READ
    profile: ProfileTopic | None = None
    """For a ``cards`` step: the part of the vocational profile its cards belong to."""
    cards: tuple[Card, ...] = ()

    def card(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == card_id), None)


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: Text
    correct: bool
    feedback: Text | None = None
    image: str | None = None
    """A picture of this answer: the question is then a picture answer (single choice only),
    sent as one album of the options' pictures, each under its letter."""
    alt: Text | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """One quiz question.

    For single, multiple and true/false questions ``options`` hold the choices
    (true/false ones are built by the loader with ids ``true`` and ``false``).
    For order questions ``options`` are the items in the right order, all
    ``correct``. A task question has no options and is answered by an upload of
    one of the ``accepts`` kinds.
    """

    id: str
    kind: QuestionKind
    text: Text
    options: tuple[Option, ...] = ()
    accepts: tuple[UploadKind, ...] = ()
    explanation: Text | None = None
    hint: Text | None = None
    image: str | None = None
    alt: Text | None = None

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def pictured(self) -> bool:
        """A picture answer: each option is a picture, answered by its letter."""
        return any(o.image is not None for o in self.options)


@dataclass(frozen=True, slots=True)
class Quiz:
    questions: tuple[Question, ...]
    pass_percent: int = 60
    retry: RetryRule = RetryRule.AGAIN
    attempts: int = 2

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True, slots=True)
class Lesson:
    id: str
    title: Text
    steps: tuple[Step, ...]
    quiz: Quiz | None = None

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


@dataclass(frozen=True, slots=True)
class Week:
    id: str
    number: int
    title: Text
    theme: Text
    lessons: tuple[Lesson, ...]
    digcomp: tuple[str, ...] = ()
    source: str = ""

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    title: Text
    weeks: tuple[Week, ...]
    safety_questions: frozenset[str] = frozenset()
    """``lesson/question`` ids of the safety rules, which memory checks keep asking."""
    _lesson_index: dict[str, tuple[int, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for w, week in enumerate(self.weeks):
            for li, lesson in enumerate(week.lessons):
                self._lesson_index[lesson.id] = (w, li)

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        """Every lesson of the course in the order it is taken."""
        return tuple(lesson for week in self.weeks for lesson in week.lessons)

    def week(self, week_id: str) -> Week | None:
        return next((w for w in self.weeks if w.id == week_id), None)

    def locate(self, lesson_id: str) -> tuple[Week, Lesson] | None:
        """The week and lesson for a lesson id, or None when it no longer exists."""
        where = self._lesson_index.get(lesson_id)
        if where is None:
            return None
        week = self.weeks[where[0]]
        return week, week.lessons[where[1]]

    def lesson_order(self, lesson_id: str) -> int:
        """The lesson's place in the whole course; -1 when it is not in it."""
        for i, lesson in enumerate(self.lessons):
            if lesson.id == lesson_id:
                return i
        return -1

    def texts(self) -> list[Text]:
        """Every translatable text in reading order, for extraction and linting."""
        out: list[Text] = [self.title]
        for week in self.weeks:
            out += [week.title, week.theme]
            for lesson in week.lessons:
                out.append(lesson.title)
                for step in lesson.steps:
                    out.append(step.text)
                    out += [step.alt] if step.alt else []
                    out += [term.explanation for term in step.terms]
                    for card in step.cards:
                        out += [card.text, *([card.alt] if card.alt else [])]
                if lesson.quiz:
                    for q in lesson.quiz.questions:
                        out.append(q.text)
                        out += [t for t in (q.alt, q.explanation, q.hint) if t]
                        for o in q.options:
                            out.append(o.text)
                            out += [t for t in (o.alt, o.feedback) if t]
        return out
