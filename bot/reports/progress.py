"""The one aggregation layer under every coach report (Kolibri's way).

The /group overview, a participant's detail, the XLSX and CSV exports, the
chart and the weekly digest all read a :class:`GroupReport` built here, so a
figure means the same wherever a coach meets it. Everything is a pure function
of plain rows (as :mod:`bot.storage.reports` reads them) and the course: no
SQL, no Telegram, no catalogs, so it is tested with plain values and measured
on ten thousand synthetic participants.

Statuses are few and in the coach's words: on track, stuck, gone quiet,
finished, and for someone who erased their data only that they left.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.course.model import Course, Lesson, Option, Question, QuestionKind
from bot.course.progress import Progress
from bot.course.schedule import weeks_open
from bot.course.summary import WeekSummary, summarize
from bot.reports.names import distinct_names
from bot.reports.standing import standing_of
from bot.storage.records import (
    AnswerCount,
    AnswerFact,
    GroupFacts,
    Member,
    QuizFact,
    QuizTally,
    Standing,
    SureMistake,
)

# ---------------------------------------------------------------- the flag rules, in one place
#
# "stuck": failed the same quiz FAILED_RUNS_STUCK times (since a coach last
#   reset it) and not passed it since; or WEEKS_BEHIND_STUCK weeks behind a
#   paced group, for a participant who has been in it at least
#   MIN_DAYS_IN_GROUP_BEHIND days (a late joiner is not stuck on day one).
# "gone quiet": no own action for quiet_days (reminders do not count as
#   activity; how many went unanswered is shown beside it); never while a
#   planned pause runs (the coach's or their own), never once finished.
# "passed after failing": a lesson passed after a failed run; shown beside
#   the status, so "on track" never hides four failures.
# "hard question": at least MIN_ANSWERS_HARD first answers, and fewer than
#   HARD_SHARE of them right.
# "sure but wrong": a safety question (fraud, BankID, passwords) answered wrong
#   in a memory check in the last SURE_WRONG_DAYS days by someone who said they
#   were sure: the riskiest kind of mistake, whatever the status says.

FAILED_RUNS_STUCK = 2
"""Failing the same quiz this many times (and not passing it since) means stuck."""
WEEKS_BEHIND_STUCK = 2
"""This many weeks behind a paced group means stuck."""
MIN_DAYS_IN_GROUP_BEHIND = 14
"""Only someone in the group this long can be "behind" it."""
MIN_ANSWERS_HARD = 3
"""A question answered by fewer people says nothing about its difficulty."""
HARD_SHARE = 0.6
"""A question fewer than this share got right at the first try is worth talking about."""
RECENT_DAYS = 7
""""Moved on" in the digest: lessons passed in the last week."""
SURE_WRONG_DAYS = 14
"""A sure mistake on a safety question is worth talking about at the next two meetings."""


class Flag(StrEnum):
    """What a coach should look at; the values are the msgids the coach reads."""

    STUCK = "stuck"
    QUIET = "gone quiet"
    SURE_WRONG = "sure but wrong"


class Status(StrEnum):
    """One word per participant, for a column or a colour: the worst thing first."""

    FINISHED = "finished"
    STUCK = "stuck"
    QUIET = "gone quiet"
    ON_TRACK = "on track"


# ---------------------------------------------------------------- what comes out


@dataclass(frozen=True, slots=True)
class ParticipantLine:
    """One participant as the coach sees them in the overview."""

    participant_id: int
    first_name: str
    """As the participant gave it; ``name`` is what a coach reads."""
    week: int | None
    """The week they are in; None before they started."""
    lessons_done: int
    lessons_total: int
    quiz_average: int | None
    last_active_at: datetime
    days_inactive: int
    finished: bool
    flags: frozenset[Flag]
    stuck_lessons: tuple[str, ...]
    """Lessons whose quiz they failed twice and have not passed since."""
    weeks_behind: int
    recent_lessons: int
    """Lessons passed in the last week."""
    weeks: tuple[WeekSummary, ...]
    """Per week and lesson, for a participant's detail and their one-page summary: filled
    where their progress was read (the raw rows; ``only`` in a view), empty in a view of
    the whole group, whose exports read ``grid`` and ``week_cells``."""
    name: str = ""
    """The first name with a mark when another has the same (see names.py)."""
    recovered_lessons: tuple[str, ...] = ()
    """Lessons passed after a failed run of their quiz."""
    reminders_unanswered: int = 0
    paused_until: date | None = None
    extra_weeks: int = 0
    days_in_group: int | None = None
    """Days since they joined; None when not known."""
    sure_mistakes: tuple[tuple[str, str], ...] = ()
    """(lesson, question) of safety questions they were sure of and got wrong, lately."""
    paused: bool = False
    """A planned pause (the coach's or their own) runs today: not quiet, not "not started"."""
    started: bool = False
    """Any lesson passed or any quiz taken."""
    grid: tuple[int | None, ...] = ()
    """Per lesson in course order: the best score in %, 100 for a passed lesson without a
    quiz, None when not done. Empty in a coach's view of the whole group: only the files
    (bot.coach_files) read it."""
    week_cells: tuple[int | None, ...] = ()
    """Per week in course order: lessons done, then the average score (None without one);
    like ``grid``, for the files."""

    @property
    def status(self) -> Status:
        if self.finished:
            return Status.FINISHED
        if Flag.STUCK in self.flags:
            return Status.STUCK
        if Flag.QUIET in self.flags:
            return Status.QUIET
        return Status.ON_TRACK


@dataclass(frozen=True, slots=True)
class QuestionStat:
    """How many got a question right at their first try."""

    week_number: int
    lesson_id: str
    question: Question
    asked: int
    right_first: int

    @property
    def share(self) -> float:
        return self.right_first / self.asked if self.asked else 1.0

    @property
    def percent(self) -> int:
        return round(100 * self.share)

    @property
    def hard(self) -> bool:
        return self.asked >= MIN_ANSWERS_HARD and self.share < HARD_SHARE


@dataclass(frozen=True, slots=True)
class OptionStat:
    """How often an option was chosen at a first answer: wrong favourites show here."""

    week_number: int
    lesson_id: str
    question: Question
    option: Option
    chosen: int
    answered: int


@dataclass(frozen=True, slots=True)
class GroupReport:
    group_id: int
    name: str
    start_date: date
    self_paced: bool
    as_of: datetime
    pace_week: int | None
    """The newest week open to a paced group; None when self-paced."""
    lessons_total: int
    lines: tuple[ParticipantLine, ...]
    departures: int
    departures_recent: int
    questions: tuple[QuestionStat, ...]
    """Worst first."""
    waiting: int = 0
    """Opened the link but have not agreed to the storing of their data yet: a count only."""
    choices: tuple[OptionStat, ...] = ()
    """Per question and option, in course order."""

    def line(self, participant_id: int) -> ParticipantLine | None:
        return next((x for x in self.lines if x.participant_id == participant_id), None)

    def with_flag(self, flag: Flag) -> tuple[ParticipantLine, ...]:
        return tuple(x for x in self.lines if flag in x.flags)

    @property
    def hard_questions(self) -> tuple[QuestionStat, ...]:
        """Questions worth talking about, hardest first (the rule at the top of the module)."""
        return tuple(s for s in self.questions if s.hard)


# ---------------------------------------------------------------- building it


def build_report(
    course: Course,
    facts: GroupFacts,
    now: datetime,
    *,
    quiet_days: int = 7,
    timezone: str = "Europe/Stockholm",
    only: Collection[int] | None = None,
) -> GroupReport:
    """The whole group at ``now``: a line per participant, departures, hard questions.

    ``only``: lines for these participants alone (a detail needs one, the hard
    questions none); the rest of the report, names told apart included, is whole.
    From the raw rows every line is read from the participant's progress; from the
    kept figures (:func:`bot.storage.reports.report_facts`) only the lines of ``only``
    are, the others come from their stored standing (migration 012), without ``weeks``:
    reading ten thousand progress documents took seconds.
    """
    today = now.astimezone(ZoneInfo(timezone)).date()
    pace = None if facts.self_paced else min(weeks_open(facts.start_date, today), len(course.weeks))
    since = now - timedelta(days=RECENT_DAYS)
    sure = _sure_mistakes(facts.sure_mistakes, now - timedelta(days=SURE_WRONG_DAYS))
    kept = facts.tallies
    if kept is None:  # the raw rows: every answer and quiz run of the group
        failed = _failed_twice(facts.quiz_results, facts.resets)
        recent = _recent_passes(facts.quiz_results, since)
        questions = question_difficulty(course, facts.answers)
        choices = option_choices(course, facts.answers)
    else:  # the figures kept with every answer (migration 010): the same, counted already
        failed = _failed_twice_kept(kept.quiz_tallies)
        recent = dict(kept.recent_passes)
        questions = _difficulty(course, *_first_counts(kept.answer_counts))
        choices = _choices(course, *_option_counts(kept.answer_counts))
    members = [m for m in facts.members if m.consented]
    joining = sorted(
        members, key=lambda m: (m.joined_at or datetime.min.replace(tzinfo=now.tzinfo), m.id)
    )
    group = _Group(
        lessons=course.lessons,
        now=now,
        today=today,
        quiet_days=quiet_days,
        pace=pace,
        failed=failed,
        recent=recent,
        names=distinct_names((m.id, m.first_name, m.last_initial) for m in joining),
        sure=sure,
    )
    blank = standing_of(course, Progress())
    whole = kept is None or only is not None
    lines = tuple(
        _line(group, member, _reading(course, member, blank, whole=whole))
        for member in members
        if only is None or member.id in only
    )
    week_ago = now - timedelta(days=RECENT_DAYS)
    return GroupReport(
        group_id=facts.group_id,
        name=facts.name,
        start_date=facts.start_date,
        self_paced=facts.self_paced,
        as_of=now,
        pace_week=pace,
        lessons_total=len(course.lessons),
        lines=lines,
        departures=len(facts.departures),
        departures_recent=sum(1 for left in facts.departures if left > week_ago),
        questions=questions,
        waiting=facts.newcomers + sum(1 for member in facts.members if not member.consented),
        choices=choices,
    )


def _reading(
    course: Course, member: Member, blank: Standing, *, whole: bool
) -> tuple[Standing, tuple[WeekSummary, ...]]:
    """The member's standing, and with ``whole`` their weeks, both from their progress;
    without, the stored standing (``blank`` before they started) and no weeks."""
    if not whole:
        return member.standing or blank, ()
    progress = Progress.from_json(member.progress)
    return standing_of(course, progress), summarize(course, progress)


@dataclass(frozen=True, slots=True)
class _Group:
    """What every line of one report is built against: worked out once, not per line."""

    lessons: tuple[Lesson, ...]
    now: datetime
    today: date
    quiet_days: int
    pace: int | None
    failed: dict[int, list[str]]
    recent: dict[int, int]
    names: Mapping[int, str]
    """The first names told apart (see names.py)."""
    sure: dict[int, tuple[tuple[str, str], ...]]


def _line(
    group: _Group, member: Member, reading: tuple[Standing, tuple[WeekSummary, ...]]
) -> ParticipantLine:
    standing, weeks = reading
    finished = standing.finished
    twice = group.failed.get(member.id)
    stuck: tuple[str, ...] = ()
    if twice:
        passed = set(standing.passed)
        stuck = tuple(x.id for x in group.lessons if x.id in twice and x.id not in passed)
    pace = group.pace
    behind = 0 if pace is None or finished else max(0, pace - (standing.week or 1))
    now = group.now
    days = max(0, (now - member.last_active_at).days)
    in_group = None if member.joined_at is None else max(0, (now - member.joined_at).days)
    long_enough = in_group is None or in_group >= MIN_DAYS_IN_GROUP_BEHIND
    paused = member.paused_until is not None and group.today <= member.paused_until
    sure = group.sure.get(member.id, ())
    flags: set[Flag] = {Flag.SURE_WRONG} if sure else set()
    if stuck or (behind >= WEEKS_BEHIND_STUCK and long_enough):
        flags.add(Flag.STUCK)
    if days >= group.quiet_days and not finished and not paused:
        flags.add(Flag.QUIET)
    return ParticipantLine(
        participant_id=member.id,
        first_name=member.first_name,
        week=standing.week,
        lessons_done=standing.lessons_done,
        lessons_total=len(group.lessons),
        quiz_average=standing.quiz_average,
        last_active_at=member.last_active_at,
        days_inactive=days,
        finished=finished,
        flags=frozenset(flags),
        stuck_lessons=stuck,
        weeks_behind=behind,
        recent_lessons=group.recent.get(member.id, 0),
        weeks=weeks,
        name=group.names[member.id],
        recovered_lessons=standing.recovered,
        reminders_unanswered=member.reminders_unanswered,
        paused_until=member.paused_until,
        paused=paused,
        extra_weeks=member.extra_weeks,
        days_in_group=in_group,
        started=standing.started,
        grid=standing.grid,
        week_cells=standing.week_cells,
        sure_mistakes=sure,
    )


def _sure_mistakes(
    mistakes: Iterable[SureMistake], since: datetime
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Per participant, the safety questions they were sure of and got wrong since ``since``,
    each once, newest first."""
    found: dict[int, dict[tuple[str, str], None]] = defaultdict(dict)
    for m in sorted(mistakes, key=lambda m: m.answered_at, reverse=True):
        if m.answered_at > since:
            found[m.participant_id].setdefault((m.lesson_id, m.question_id), None)
    return {pid: tuple(questions) for pid, questions in found.items()}


def _failed_twice(
    results: Iterable[QuizFact], resets: Iterable[tuple[int, str, datetime]] = ()
) -> dict[int, list[str]]:
    """Per participant, the lessons whose quiz they failed at least twice since any reset."""
    reset_at: dict[tuple[int, str], datetime] = {}
    for pid, lesson_id, at in resets:
        reset_at[(pid, lesson_id)] = max(at, reset_at.get((pid, lesson_id), at))
    failures = Counter(
        (r.participant_id, r.lesson_id)
        for r in results
        if not r.passed
        and (
            (r.participant_id, r.lesson_id) not in reset_at
            or r.finished_at > reset_at[(r.participant_id, r.lesson_id)]
        )
    )
    found: dict[int, list[str]] = defaultdict(list)
    for (pid, lesson_id), count in failures.items():
        if count >= FAILED_RUNS_STUCK:
            found[pid].append(lesson_id)
    return found


def _recent_passes(results: Iterable[QuizFact], since: datetime) -> dict[int, int]:
    """Per participant, how many lessons' quizzes they passed since ``since``."""
    passed: dict[int, set[str]] = defaultdict(set)
    for r in results:
        if r.passed and r.finished_at > since:
            passed[r.participant_id].add(r.lesson_id)
    return {pid: len(lessons) for pid, lessons in passed.items()}


def question_difficulty(course: Course, answers: Sequence[AnswerFact]) -> tuple[QuestionStat, ...]:
    """Per question, the share right at the first try, worst first.

    Each participant counts once per question, by the first answer they ever
    gave it: a quiz run again after a failure would otherwise count its
    strugglers twice, and their second first-try is coloured by the feedback
    they already read.
    """
    first: dict[tuple[int, str, str], bool] = {}
    for a in answers:
        if a.attempt == 1:
            first.setdefault((a.participant_id, a.lesson_id, a.question_id), a.correct)
    asked: Counter[tuple[str, str]] = Counter()
    right: Counter[tuple[str, str]] = Counter()
    for (_, lesson_id, question_id), correct in first.items():
        asked[(lesson_id, question_id)] += 1
        right[(lesson_id, question_id)] += correct
    return _difficulty(course, asked, right)


def _difficulty(
    course: Course, asked: Counter[tuple[str, str]], right: Counter[tuple[str, str]]
) -> tuple[QuestionStat, ...]:
    stats = []
    for order, (week, lesson, question) in enumerate(_questions(course)):
        count = asked.get((lesson, question.id), 0)
        if count:
            stat = QuestionStat(week, lesson, question, count, right.get((lesson, question.id), 0))
            stats.append((stat.share, -count, order, stat))
    return tuple(entry[-1] for entry in sorted(stats, key=lambda e: e[:3]))


def option_choices(course: Course, answers: Sequence[AnswerFact]) -> tuple[OptionStat, ...]:
    """Per question and option: how many chose it at their first answer (as above)."""
    first: dict[tuple[int, str, str], str] = {}
    for a in answers:
        if a.attempt == 1:
            first.setdefault((a.participant_id, a.lesson_id, a.question_id), a.answer)
    answered: Counter[tuple[str, str]] = Counter()
    chosen: Counter[tuple[str, str, str]] = Counter()
    for (_, lesson_id, question_id), answer in first.items():
        answered[(lesson_id, question_id)] += 1
        for option_id in {x for x in answer.split(",") if x}:
            chosen[(lesson_id, question_id, option_id)] += 1
    return _choices(course, answered, chosen)


def _choices(
    course: Course,
    answered: Counter[tuple[str, str]],
    chosen: Counter[tuple[str, str, str]],
) -> tuple[OptionStat, ...]:
    return tuple(
        OptionStat(
            week,
            lesson,
            question,
            option,
            chosen.get((lesson, question.id, option.id), 0),
            answered.get((lesson, question.id), 0),
        )
        for week, lesson, question in _questions(course)
        if question.options and question.kind is not QuestionKind.ORDER
        for option in question.options
    )


# ---------------------------------------------------------------- from the kept figures


def _failed_twice_kept(tallies: Iterable[QuizTally]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for t in tallies:
        if t.failed_since_reset >= FAILED_RUNS_STUCK:
            found[t.participant_id].append(t.lesson_id)
    return found


def _first_counts(
    counts: Iterable[AnswerCount],
) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    asked: Counter[tuple[str, str]] = Counter()
    right: Counter[tuple[str, str]] = Counter()
    for c in counts:
        asked[(c.lesson_id, c.question_id)] += c.people
        right[(c.lesson_id, c.question_id)] += c.people if c.correct else 0
    return asked, right


def _option_counts(
    counts: Iterable[AnswerCount],
) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str, str]]]:
    answered: Counter[tuple[str, str]] = Counter()
    chosen: Counter[tuple[str, str, str]] = Counter()
    for c in counts:
        answered[(c.lesson_id, c.question_id)] += c.people
        for option_id in {x for x in c.answer.split(",") if x}:
            chosen[(c.lesson_id, c.question_id, option_id)] += c.people
    return answered, chosen


def _questions(course: Course) -> list[tuple[int, str, Question]]:
    return [
        (week.number, lesson.id, question)
        for week in course.weeks
        for lesson in week.lessons
        if lesson.quiz
        for question in lesson.quiz.questions
    ]


def wrong_at_first(
    course: Course, answers: Iterable[AnswerFact], participant_id: int
) -> dict[str, tuple[Question, ...]]:
    """Per lesson, the questions a participant got wrong at a first try, in course order.

    The coach's detail view shows them, so the next meeting can start there.
    """
    wrong = {
        (a.lesson_id, a.question_id)
        for a in answers
        if a.participant_id == participant_id and a.attempt == 1 and not a.correct
    }
    found: dict[str, tuple[Question, ...]] = {}
    for lesson in course.lessons:
        if lesson.quiz is None:
            continue
        missed = tuple(q for q in lesson.quiz.questions if (lesson.id, q.id) in wrong)
        if missed:
            found[lesson.id] = missed
    return found
