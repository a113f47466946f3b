"""What a participant can do, and what the engine answers with.

Events and actions are plain values: the Telegram adapter turns updates into
events and actions into messages; the preview, the benchmark and the tests do
the same without Telegram. Every answer event names the lesson, the question and
the attempt it was meant for, so a stale, repeated or forged press can be told
apart from a real answer and refused without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.course.model import Lesson, ProfileTopic, Question, Step, Text, UploadKind, Week

# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Start:
    """Begin the course, or pick up where the participant stands."""


@dataclass(frozen=True, slots=True)
class Continue:
    """Show again whatever the participant stands on."""


@dataclass(frozen=True, slots=True)
class Next:
    """The Next button under a step card."""

    lesson_id: str
    step_id: str


@dataclass(frozen=True, slots=True)
class Begin:
    """Begin the lesson offered between lessons."""

    lesson_id: str


@dataclass(frozen=True, slots=True)
class Choose:
    """One answer to a single-choice or true/false question."""

    lesson_id: str
    question_id: str
    attempt: int
    option_id: str


@dataclass(frozen=True, slots=True)
class Toggle:
    """Tick (on=True) or untick an option of a multiple-choice question.

    Carrying the wanted state rather than "flip" makes a double press harmless.
    """

    lesson_id: str
    question_id: str
    attempt: int
    option_id: str
    on: bool


@dataclass(frozen=True, slots=True)
class Submit:
    """Done ticking a multiple-choice question."""

    lesson_id: str
    question_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class Pick:
    """Put an item of an order question in place number ``slot`` (0-based)."""

    lesson_id: str
    question_id: str
    attempt: int
    option_id: str
    slot: int


@dataclass(frozen=True, slots=True)
class ClearPicks:
    """Start the order question over."""

    lesson_id: str
    question_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class Skip:
    """Leave a practical task for now; it counts as not done."""

    lesson_id: str
    question_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class TickCard:
    """Tick (on=True) or untick a card of a vocational-profile step.

    Like Toggle it carries the wanted state, and it names the step it was meant for.
    """

    lesson_id: str
    step_id: str
    card_id: str
    on: bool


@dataclass(frozen=True, slots=True)
class WriteGoal:
    """A typed message while the participant stands on a goal step: their own goal."""

    text: str


@dataclass(frozen=True, slots=True)
class ChangeGoal:
    """On the goal review: "I want to change it", so a new goal is written next."""

    lesson_id: str
    step_id: str


@dataclass(frozen=True, slots=True)
class Upload:
    """The participant sent a photo, a document or a voice message.

    ``seconds`` is a voice message's length, as Telegram states it: on a goal step
    that fact is the goal (the recording itself is never fetched).
    """

    kind: UploadKind
    seconds: int = 0


@dataclass(frozen=True, slots=True)
class RetryQuiz:
    lesson_id: str


@dataclass(frozen=True, slots=True)
class Repeat:
    """Take an earlier (or the current) lesson again from its first step."""

    lesson_id: str


Event = (
    Start
    | Continue
    | Next
    | Begin
    | Choose
    | Toggle
    | Submit
    | Pick
    | ClearPicks
    | Skip
    | TickCard
    | WriteGoal
    | ChangeGoal
    | Upload
    | RetryQuiz
    | Repeat
)

ANSWER_EVENTS = (Choose, Toggle, Submit, Pick, ClearPicks, Skip)

# ---------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class ShowStep:
    """Show a step card; ``refresh`` redraws it in place after a card tick.

    ``selection`` holds the ticked cards of a cards step; ``writing`` is set on a
    goal review once the participant chose to write a new goal.
    """

    week: Week
    lesson: Lesson
    step: Step
    number: int  # 1-based
    total: int
    selection: tuple[str, ...] = ()
    writing: bool = False
    refresh: bool = False


@dataclass(frozen=True, slots=True)
class AskQuestion:
    """Ask (or, with ``refresh``, redraw after a tick or pick) a question.

    ``choices`` is the order the options are shown in: order questions are
    shuffled the same way every time, so a redrawn keyboard does not jump about.
    """

    week: Week
    lesson: Lesson
    question: Question
    number: int
    total: int
    attempt: int
    selection: tuple[str, ...]
    choices: tuple[str, ...]
    refresh: bool = False


@dataclass(frozen=True, slots=True)
class Feedback:
    question: Question
    correct: bool
    chosen: tuple[str, ...]
    feedback: tuple[Text, ...]  # the chosen options' own explanations
    explanation: Text | None
    try_again: bool
    number: int = 1  # the question's place in its quiz, to redraw the answered card
    total: int = 1
    attempt: int = 0  # 0 for the first try
    choices: tuple[str, ...] = ()  # the options in the order shown, for a picture's letter


@dataclass(frozen=True, slots=True)
class QuizResult:
    week: Week
    lesson: Lesson
    right: int  # at the first or the second try: what passing counts
    total: int
    percent: int
    pass_percent: int
    passed: bool
    after_retry: int = 0  # of those, right only after a new try (not counted for mastery)


@dataclass(frozen=True, slots=True)
class LessonDone:
    week: Week
    lesson: Lesson


@dataclass(frozen=True, slots=True)
class WeekDone:
    week: Week


@dataclass(frozen=True, slots=True)
class CourseDone:
    pass


@dataclass(frozen=True, slots=True)
class OfferLesson:
    """Between lessons: the next lesson, with a button to begin it."""

    week: Week
    lesson: Lesson


@dataclass(frozen=True, slots=True)
class WeekLocked:
    """The next lesson belongs to a week the group has not reached yet."""

    week: Week


class Refusal(StrEnum):
    STALE = "stale"  # a press that no longer matches where the participant stands
    LOCKED = "locked"  # a lesson not reached yet
    UNKNOWN = "unknown"  # names content that does not exist
    EMPTY_SELECTION = "empty_selection"  # "done" with nothing ticked
    NOT_EXPECTED = "not_expected"  # an upload when no task is asked
    GOAL_LENGTH = "goal_length"  # a goal that is empty or longer than limits.GOAL_CHARS


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal


@dataclass(frozen=True, slots=True)
class WrongUpload:
    """A file of a kind the task does not take."""

    question: Question
    got: UploadKind


@dataclass(frozen=True, slots=True)
class Moved:
    """The lesson the participant stood on changed; they were moved to a valid place."""


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    week_id: str
    lesson_id: str
    question_id: str
    attempt: int
    correct: bool
    answer: str


@dataclass(frozen=True, slots=True)
class GoalSaved:
    """Tell the participant their goal is kept: the text, or that a voice message came."""

    text: str | None
    voice_seconds: int | None


@dataclass(frozen=True, slots=True)
class RecordProfile:
    """Store the cards ticked for one part of the vocational profile (none is an answer too)."""

    week_id: str
    lesson_id: str
    step_id: str
    topic: ProfileTopic
    cards: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordGoal:
    """Store the participant's own goal: a text, or only that a voice goal exists and its
    length. ``review`` when it replaces the goal at the goal review."""

    week_number: int
    lesson_id: str
    text: str | None
    voice_seconds: int | None
    review: bool = False


@dataclass(frozen=True, slots=True)
class RecordGoalKept:
    """At the goal review the participant said their goal still holds."""

    week_number: int


@dataclass(frozen=True, slots=True)
class RecordQuizResult:
    week_id: str
    lesson_id: str
    run: int
    percent: int
    passed: bool


Action = (
    ShowStep
    | AskQuestion
    | Feedback
    | QuizResult
    | LessonDone
    | WeekDone
    | CourseDone
    | OfferLesson
    | WeekLocked
    | Refused
    | WrongUpload
    | Moved
    | GoalSaved
    | RecordAnswer
    | RecordQuizResult
    | RecordProfile
    | RecordGoal
    | RecordGoalKept
)

RECORDS = (RecordAnswer, RecordQuizResult, RecordProfile, RecordGoal, RecordGoalKept)
"""Actions for storage alone: nothing is shown for them."""
