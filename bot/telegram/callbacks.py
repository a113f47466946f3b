"""Compact, versioned callback data for every button, and its strict decoding.

Telegram gives a button at most 64 bytes of data, and any client can send any
data at all. So the data is short (``1c|lesson|question|attempt|position``, with
an option named by the position it is shown at, in the participant's own shuffled
order, see grading.shown_order) and starts with a version, and decoding checks
every field against the course: anything that does not parse, names content
that does not exist, or comes from an older format decodes to None and is
answered politely without touching the participant's progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.course import events as ev
from bot.course.grading import shown_order
from bot.course.model import Course, Question, Step, StepKind
from bot.i18n.languages import LANGUAGES
from bot.media.speech import find_card

VERSION = "1"
TOKEN = re.compile(r"[A-Za-z0-9_-]{8}")
SEP = "|"
MAX_BYTES = 64


@dataclass(frozen=True, slots=True)
class PickLanguage:
    """The reader picked the language they want to read in."""

    code: str


@dataclass(frozen=True, slots=True)
class AnswerConsent:
    """Yes or no on the consent screen."""

    agreed: bool


@dataclass(frozen=True, slots=True)
class AnswerPrompt:
    """Yes or no on a prompt that must be answered once (bot/storage/prompts.py).

    ``kind`` and ``token`` name the prompt; the storage decides whether it is still open.
    """

    kind: str
    token: str
    yes: bool


Setting = PickLanguage | AnswerConsent | AnswerPrompt
"""Presses that are not course events: they change who the participant is, not where."""

WINDOWS = ("morning", "lunch", "afternoon", "evening", "none")
PAUSE_REASONS = ("appointment", "illness", "holiday", "other")
PAUSE_DAYS = (3, 7, 14)
CONFIDENCE = ("unsure", "fairly", "sure")


@dataclass(frozen=True, slots=True)
class ContinueHere:
    """The button under a reminder or a week opening: the day's session starts here."""


@dataclass(frozen=True, slots=True)
class OpenSettings:
    """A page of /settings: ``menu``, ``window`` or ``pause``."""

    page: str


@dataclass(frozen=True, slots=True)
class ChooseWindow:
    """When reminders may come (one of WINDOWS)."""

    window: str


@dataclass(frozen=True, slots=True)
class ChoosePause:
    """A planned pause: its reason, then (days > 0) how long."""

    reason: str
    days: int


@dataclass(frozen=True, slots=True)
class EndPause:
    """Come back before the pause ends."""


@dataclass(frozen=True, slots=True)
class ReviewStart:
    """Begin today's memory check."""


@dataclass(frozen=True, slots=True)
class ReviewSkip:
    """Not now: skip today's memory check and go on with the lesson."""


@dataclass(frozen=True, slots=True)
class ReviewAnswer:
    """An answer in a memory check, to question ``position`` of today's check."""

    lesson_id: str
    question_id: str
    position: int
    option_id: str


@dataclass(frozen=True, slots=True)
class ReviewConfidence:
    """How sure the participant was of their answer to a safety question."""

    lesson_id: str
    question_id: str
    position: int
    option_id: str
    level: str


Choice = (
    ContinueHere
    | OpenSettings
    | ChooseWindow
    | ChoosePause
    | EndPause
    | ReviewStart
    | ReviewSkip
    | ReviewAnswer
    | ReviewConfidence
)
"""Presses for reminders, pauses and memory checks: handled beside the course, not in it."""


@dataclass(frozen=True, slots=True)
class Listen:
    """Play a card (a step or a question) as a voice note: in Swedish, or in the reader's own."""

    lesson_id: str
    item_id: str
    swedish: bool


RECORDING_ACTIONS = ("skip", "stop", "again")


@dataclass(frozen=True, slots=True)
class Recording:
    """A reader's press in the recording mode: skip the card shown, stop, or record one again.

    ``again`` names the card just recorded; skip and stop act on the reader's session.
    """

    action: str
    lesson_id: str = ""
    item_id: str = ""


Decoded = ev.Event | Setting | Choice | Listen | Recording


def _pack(op: str, *fields: object) -> str:
    data = VERSION + op + "".join(SEP + str(f) for f in fields)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def language(code: str) -> str:
    return _pack("S", "lang", code)


def consent(agreed: bool) -> str:
    return _pack("S", "consent", "yes" if agreed else "no")


def prompt_answer(kind: str, token: str, yes: bool) -> str:
    return _pack("A", kind, token, int(yes))


def _setting(name: str, value: str) -> Setting | None:
    if name == "lang" and value in LANGUAGES:
        return PickLanguage(value)
    if value not in ("yes", "no"):
        return None
    if name == "consent":
        return AnswerConsent(value == "yes")
    return None


def _prompt(kind: str, token: str, yes: str) -> AnswerPrompt | None:
    if not (kind.isalpha() and kind.islower() and len(kind) <= 8):
        return None
    if not (TOKEN.fullmatch(token) and yes in ("0", "1")):
        return None
    return AnswerPrompt(kind, token, yes == "1")


def continue_here() -> str:
    """Show again what the participant stands on: the button under reminders."""
    return _pack("g")


def settings_page(page: str) -> str:
    return _pack("o", page)


def window(name: str) -> str:
    return _pack("w", name)


def pause(reason: str, days: int = 0) -> str:
    return _pack("h", reason, days)


def end_pause() -> str:
    return _pack("h", "end", 0)


def review_start() -> str:
    return _pack("m", "start")


def review_skip() -> str:
    return _pack("m", "skip")


def review_answer(lesson_id: str, question: Question, position: int, option_id: str) -> str:
    return _pack("a", lesson_id, question.id, position, _index(question, option_id))


def review_confidence(
    lesson_id: str, question: Question, position: int, option_id: str, level: str
) -> str:
    return _pack(
        "f", lesson_id, question.id, position, _index(question, option_id), CONFIDENCE.index(level)
    )


def listen(lesson_id: str, item_id: str, swedish: bool) -> str:
    return _pack("l", lesson_id, item_id, int(swedish))


def recording(action: str, lesson_id: str = "", item_id: str = "") -> str:
    fields = (lesson_id, item_id) if action == "again" else ()
    return _pack("d", action, *fields)


def next_step(lesson_id: str, step_id: str) -> str:
    return _pack("n", lesson_id, step_id)


def tick_card(lesson_id: str, step: Step, card_id: str, on: bool) -> str:
    """A card of a vocational-profile step, named by its place in the lesson file."""
    return _pack("v", lesson_id, step.id, [c.id for c in step.cards].index(card_id), int(on))


def change_goal(lesson_id: str, step_id: str) -> str:
    """On the goal review: "I want to change it"."""
    return _pack("u", lesson_id, step_id)


def begin(lesson_id: str) -> str:
    return _pack("b", lesson_id)


def retry_quiz(lesson_id: str) -> str:
    return _pack("r", lesson_id)


def repeat(lesson_id: str) -> str:
    return _pack("e", lesson_id)


Shown = tuple[str, ...]
"""The option ids in the order the participant sees them (AskQuestion.choices)."""


def choose(lesson_id: str, question: Question, attempt: int, shown: Shown, option_id: str) -> str:
    return _pack("c", lesson_id, question.id, attempt, shown.index(option_id))


def toggle(
    lesson_id: str, question: Question, attempt: int, shown: Shown, option_id: str, on: bool
) -> str:
    return _pack("t", lesson_id, question.id, attempt, shown.index(option_id), int(on))


def pick(
    lesson_id: str, question: Question, attempt: int, shown: Shown, option_id: str, slot: int
) -> str:
    return _pack("p", lesson_id, question.id, attempt, shown.index(option_id), slot)


def submit(lesson_id: str, question: Question, attempt: int) -> str:
    return _pack("s", lesson_id, question.id, attempt)


def clear_picks(lesson_id: str, question: Question, attempt: int) -> str:
    return _pack("x", lesson_id, question.id, attempt)


def skip(lesson_id: str, question: Question, attempt: int) -> str:
    return _pack("k", lesson_id, question.id, attempt)


def decode(data: str | None, course: Course, seed: str = "") -> Decoded | None:
    """The event a button stands for, or None for anything malformed or unknown.

    ``seed`` is the one the engine shuffled this participant's options with, so
    a position is read back as the option that was shown there.
    """
    if not data or not data.startswith(VERSION) or len(data) < 2:
        return None
    if len(data) > 2 and data[2] != SEP:
        return None
    op, fields = data[1], data[3:].split(SEP) if len(data) > 2 else []
    try:
        return _decode(op, fields, course, seed)
    except (ValueError, IndexError):
        return None


def _decode(op: str, fields: list[str], course: Course, seed: str) -> Decoded | None:
    if op == "S":
        return _setting(*fields) if len(fields) == 2 else None
    if op == "A":
        return _prompt(*fields) if len(fields) == 3 else None
    if op in "gowhmaf":  # the coaches' buttons use capitals
        return _choice(op, fields, course)
    if op in "ld":  # listen to a card, the recording mode
        return _voice(op, fields, course)
    if op in "nbrevu" and fields and course.locate(fields[0]) is None:
        return None
    if op in "vu":
        return _decode_step(op, fields, course)
    match op, fields:
        case "n", [lesson_id, step_id]:
            return ev.Next(lesson_id, step_id)
        case "b", [lesson_id]:
            return ev.Begin(lesson_id)
        case "r", [lesson_id]:
            return ev.RetryQuiz(lesson_id)
        case "e", [lesson_id]:
            return ev.Repeat(lesson_id)
    return _decode_answer(op, fields, course, seed)


def _decode_answer(op: str, fields: list[str], course: Course, seed: str) -> ev.Event | None:
    if len(fields) < 3:
        return None
    lesson_id, question_id, attempt_text, *rest = fields
    located = course.locate(lesson_id)
    quiz = located[1].quiz if located else None
    question = quiz.question(question_id) if quiz else None
    if question is None:
        return None
    attempt = _small_int(attempt_text)
    shown = shown_order(question, seed, attempt)

    def option(index: str) -> str:
        position = _small_int(index)
        if position >= len(shown):
            raise IndexError(index)
        return shown[position]

    match op, rest:
        case "c", [index]:
            return ev.Choose(lesson_id, question_id, attempt, option(index))
        case "t", [index, on] if on in ("0", "1"):
            return ev.Toggle(lesson_id, question_id, attempt, option(index), on == "1")
        case "p", [index, slot]:
            return ev.Pick(lesson_id, question_id, attempt, option(index), _small_int(slot))
        case "s", []:
            return ev.Submit(lesson_id, question_id, attempt)
        case "x", []:
            return ev.ClearPicks(lesson_id, question_id, attempt)
        case "k", []:
            return ev.Skip(lesson_id, question_id, attempt)
    return None


def _decode_step(op: str, fields: list[str], course: Course) -> ev.Event | None:
    """A card tick or a goal change, checked against a step of the right kind."""
    if len(fields) < 2:
        return None
    located = course.locate(fields[0])
    step = located[1].step(fields[1]) if located else None
    if step is None:
        return None
    match op, fields[2:]:
        case "v", [index, on] if step.kind is StepKind.CARDS and on in ("0", "1"):
            position = _small_int(index)
            if position >= len(step.cards):
                return None
            return ev.TickCard(fields[0], step.id, step.cards[position].id, on == "1")
        case "u", [] if step.kind is StepKind.GOAL_REVIEW:
            return ev.ChangeGoal(fields[0], step.id)
    return None


def _choice(op: str, fields: list[str], course: Course) -> Decoded | None:
    match op, fields:
        case "g", []:
            return ContinueHere()
        case "o", [page] if page in ("menu", "window", "pause"):
            return OpenSettings(page)
        case "w", [name] if name in WINDOWS:
            return ChooseWindow(name)
        case "h", ["end", "0"]:
            return EndPause()
        case "h", [reason, days] if reason in PAUSE_REASONS:
            count = _small_int(days)
            return ChoosePause(reason, count) if count in (0, *PAUSE_DAYS) else None
        case "m", ["start"]:
            return ReviewStart()
        case "m", ["skip"]:
            return ReviewSkip()
        case "a", [lesson_id, question_id, position, index]:
            question = _quiz_question(course, lesson_id, question_id)
            option = _option_at(question, index)
            return ReviewAnswer(lesson_id, question_id, _small_int(position), option)
        case "f", [lesson_id, question_id, position, index, level]:
            question = _quiz_question(course, lesson_id, question_id)
            option = _option_at(question, index)
            return ReviewConfidence(
                lesson_id, question_id, _small_int(position), option, CONFIDENCE[_small_int(level)]
            )
    return None


def _voice(op: str, fields: list[str], course: Course) -> Listen | Recording | None:
    """A listen or recording press, naming a card the course has now."""
    match op, fields:
        case "l", [lesson_id, item_id, swedish] if swedish in ("0", "1"):
            if find_card(course, lesson_id, item_id) is not None:
                return Listen(lesson_id, item_id, swedish == "1")
        case "d", [("skip" | "stop") as action]:
            return Recording(action)
        case "d", ["again", lesson_id, item_id] if (
            find_card(course, lesson_id, item_id) is not None
        ):
            return Recording("again", lesson_id, item_id)
    return None


def _quiz_question(course: Course, lesson_id: str, question_id: str) -> Question:
    located = course.locate(lesson_id)
    quiz = located[1].quiz if located else None
    question = quiz.question(question_id) if quiz else None
    if question is None:
        raise ValueError(question_id)
    return question


def _index(question: Question, option_id: str) -> int:
    """An option's place in the lesson file: memory checks name options so."""
    return [o.id for o in question.options].index(option_id)


def _option_at(question: Question, index: str) -> str:
    position = _small_int(index)
    if position >= len(question.options):
        raise IndexError(index)
    return question.options[position].id


def _small_int(text: str) -> int:
    """A non-negative number of at most two digits; anything else is forged."""
    if not (text.isascii() and text.isdigit() and len(text) <= 2):
        raise ValueError(text)
    return int(text)
