"""What the storage hands out and takes in: small immutable records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.storage.database import Row, from_iso, from_iso_or_none


class AlreadyExists(Exception):
    """A row with the same unique key (a Telegram id, a group name) is stored already."""


class ParticipantNotFound(LookupError):
    """The participant is not stored (any more: they may have erased their data)."""


class InviteKind(StrEnum):
    COACH = "coach"
    PARTICIPANT = "participant"


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    id: int
    telegram_id: int
    first_name: str
    language: str | None
    group_id: int | None
    consent_at: datetime | None
    created_at: datetime
    last_active_at: datetime
    blocked_at: datetime | None

    COLUMNS = (
        "id, telegram_id, first_name, language, group_id,"
        " consent_at, created_at, last_active_at, blocked_at"
    )

    @classmethod
    def from_row(cls, row: Row) -> ParticipantRecord:
        return cls(
            id=row["id"],
            telegram_id=row["telegram_id"],
            first_name=row["first_name"],
            language=row["language"],
            group_id=row["group_id"],
            consent_at=from_iso_or_none(row["consent_at"]),
            created_at=from_iso(row["created_at"]),
            last_active_at=from_iso(row["last_active_at"]),
            blocked_at=from_iso_or_none(row["blocked_at"]),
        )


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    name: str
    start_date: date
    self_paced: bool
    created_at: datetime
    ended_at: datetime | None

    COLUMNS = "id, name, start_date, self_paced, created_at, ended_at"

    @classmethod
    def from_row(cls, row: Row) -> GroupRecord:
        return cls(
            id=row["id"],
            name=row["name"],
            start_date=date.fromisoformat(row["start_date"]),
            self_paced=bool(row["self_paced"]),
            created_at=from_iso(row["created_at"]),
            ended_at=from_iso_or_none(row["ended_at"]),
        )


@dataclass(frozen=True, slots=True)
class CoachRecord:
    id: int
    telegram_id: int
    first_name: str
    language: str | None
    created_at: datetime

    COLUMNS = "id, telegram_id, first_name, language, created_at"

    @classmethod
    def from_row(cls, row: Row) -> CoachRecord:
        return cls(
            id=row["id"],
            telegram_id=row["telegram_id"],
            first_name=row["first_name"],
            language=row["language"],
            created_at=from_iso(row["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class InviteRecord:
    code_hash: str
    kind: InviteKind
    group_id: int | None
    created_by: int | None
    uses_left: int | None
    """Uses left after this one; None: unlimited until the invite expires."""
    expires_at: datetime
    created_at: datetime

    COLUMNS = "code_hash, kind, group_id, created_by, uses_left, expires_at, created_at"

    @classmethod
    def from_row(cls, row: Row) -> InviteRecord:
        return cls(
            code_hash=row["code_hash"],
            kind=InviteKind(row["kind"]),
            group_id=row["group_id"],
            created_by=row["created_by"],
            uses_left=row["uses_left"],
            expires_at=from_iso(row["expires_at"]),
            created_at=from_iso(row["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One answer to log. ``answer``: the option ids joined by ",", or the upload kind."""

    week_id: str
    lesson_id: str
    question_id: str
    attempt: int
    correct: bool
    answer: str


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """The cards ticked for one topic of the vocational profile; () is "none of these"."""

    topic: str
    cards: tuple[str, ...]
    lesson_id: str
    step_id: str


@dataclass(frozen=True, slots=True)
class GoalRow:
    """The participant's own goal: a text, or only that a voice goal exists and its length.

    ``review`` when it replaces the goal at the goal review; ``kept`` (with neither text
    nor seconds) when the participant said at the review that it still holds.
    """

    week: int
    text: str | None = None
    voice_seconds: int | None = None
    review: bool = False
    kept: bool = False


@dataclass(frozen=True, slots=True)
class QuizResultRow:
    """One finished run of a lesson's quiz."""

    week_id: str
    lesson_id: str
    run: int
    score_percent: int
    passed: bool


# ---------------------------------------------------------------- facts the reports read


@dataclass(frozen=True, slots=True)
class Member:
    """A participant of the group as stored: only the first name names them."""

    id: int
    first_name: str
    last_active_at: datetime
    progress: str | None
    """The engine's progress JSON, None before they started."""
    consented: bool = True
    """Until they agree to the storing of their data, a coach sees only that they exist."""
    joined_at: datetime | None = None
    """When they agreed (and so joined the group's records); None: counts as long ago."""
    last_initial: str | None = None
    """One letter of the last name, kept after consent, to tell equal first names apart."""
    reminders_unanswered: int = 0
    """Reminders sent since their last own action, counted from the scheduler's items."""
    extra_weeks: int = 0
    """Weeks a coach opened early for them, on top of the group's pacing."""
    paused_until: date | None = None
    """The last day of a planned pause (the coach's or their own), from their settings."""
    standing: Standing | None = None
    """Their progress summed up (migration 012), read in place of ``progress`` by
    :func:`bot.storage.reports.report_facts`; None before they started."""


@dataclass(frozen=True, slots=True)
class SureMistake:
    """A safety question answered wrong in a memory check by someone who said they were sure."""

    participant_id: int
    lesson_id: str
    question_id: str
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerFact:
    """One logged answer; facts come in the order they were given."""

    participant_id: int
    lesson_id: str
    question_id: str
    attempt: int
    correct: bool
    answer: str = ""
    """The chosen option ids joined by ",", or the kind of upload."""


@dataclass(frozen=True, slots=True)
class QuizFact:
    """One finished run of a lesson's quiz."""

    participant_id: int
    lesson_id: str
    passed: bool
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """How many people of a group gave this first answer to a question (migration 010)."""

    lesson_id: str
    question_id: str
    answer: str
    correct: bool
    people: int


@dataclass(frozen=True, slots=True)
class QuizTally:
    """One participant's runs of one lesson's quiz, counted as they came (migration 010)."""

    participant_id: int
    lesson_id: str
    failed_since_reset: int
    last_passed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a participant stands, summed up from their progress (migration 012).

    What a coach's overview, the chart and the exports need of a participant's
    progress, kept in a row of its own so a view of ten thousand reads rows
    instead of parsing ten thousand progress documents. Computed by
    :func:`bot.reports.standing.standing_of` against the course named by ``course``.
    """

    course: str
    """The key of the course it was summed up against (bot.course.summary.course_key)."""
    finished: bool
    week: int | None
    """The number of the week they are in; None before they started."""
    lessons_done: int
    quiz_average: int | None
    started: bool
    """Any lesson passed, or any quiz taken: "not started" in the to-do list is the opposite."""
    passed: tuple[str, ...]
    """The lessons passed, in course order."""
    recovered: tuple[str, ...]
    """The lessons passed after a failed run of their quiz, in course order."""
    grid: tuple[int | None, ...]
    """Per lesson in course order: the best quiz score in %, 100 for a passed lesson
    without a quiz, None when not done (the export's lessons sheet)."""
    week_cells: tuple[int | None, ...]
    """Per week in course order: lessons done, then the average score (None without one)."""


@dataclass(frozen=True, slots=True)
class Tallies:
    """The figures kept up to date with every answer, in place of the raw rows."""

    answer_counts: tuple[AnswerCount, ...]
    quiz_tallies: tuple[QuizTally, ...]
    """Only the lessons that matter to a report: failed twice."""
    recent_passes: tuple[tuple[int, int], ...] = ()
    """(participant, lessons passed lately): counted by the database, one row a person."""


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """Everything the reports read about one group, read in one snapshot."""

    group_id: int
    name: str
    start_date: date
    self_paced: bool
    members: tuple[Member, ...]
    answers: tuple[AnswerFact, ...]
    quiz_results: tuple[QuizFact, ...]
    departures: tuple[datetime, ...]
    newcomers: int = 0
    """People who opened the group's link but have not agreed yet: counted, never named."""
    resets: tuple[tuple[int, str, datetime], ...] = ()
    """(participant, lesson, when) a coach reset a quiz: earlier failures no longer count."""
    sure_mistakes: tuple[SureMistake, ...] = ()
    """Safety questions answered wrong with high confidence, newest first."""
    tallies: Tallies | None = None
    """When read with :func:`bot.storage.reports.report_facts`: the kept figures, and
    ``answers``, ``quiz_results`` and ``resets`` are left empty."""
