"""The state machine that decides what comes next.

``handle(course, progress, event)`` returns the new progress and the actions
to carry out. It is pure: no Telegram, no SQL, no Babel, no clock. The same
function drives the Telegram bot, the web preview, the benchmark and the tests.

Two rules shape it. Every answer names the question and attempt it was meant
for, and anything that does not match where the participant stands is refused
with the progress unchanged, so a double, stale or forged press changes nothing.
And content can change under a participant: a removed lesson, step or question
moves them to the nearest valid place instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.course.events import (
    ANSWER_EVENTS,
    Action,
    AskQuestion,
    Begin,
    ChangeGoal,
    Choose,
    ClearPicks,
    Continue,
    CourseDone,
    Event,
    Feedback,
    GoalSaved,
    LessonDone,
    Moved,
    Next,
    OfferLesson,
    Pick,
    QuizResult,
    RecordAnswer,
    RecordGoal,
    RecordGoalKept,
    RecordProfile,
    RecordQuizResult,
    Refusal,
    Refused,
    Repeat,
    RetryQuiz,
    ShowStep,
    Skip,
    Start,
    Submit,
    TickCard,
    Toggle,
    Upload,
    WeekDone,
    WeekLocked,
    WriteGoal,
    WrongUpload,
)
from bot.course.grading import is_correct, score_percent, shown_order
from bot.course.limits import GOAL_CHARS
from bot.course.model import (
    Course,
    Lesson,
    Question,
    QuestionKind,
    Step,
    StepKind,
    UploadKind,
    Week,
)
from bot.course.progress import Progress, Stage

AnswerEvent = Choose | Toggle | Submit | Pick | ClearPicks | Skip


@dataclass(frozen=True, slots=True)
class Outcome:
    progress: Progress
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Access:
    """How far the participant may go: weeks numbered above ``weeks_open`` are locked.

    The group's pacing decides it (see schedule.py); None means self-paced.
    """

    weeks_open: int | None = None

    def allows(self, week: Week) -> bool:
        return self.weeks_open is None or week.number <= self.weeks_open


OPEN = Access()


def handle(
    course: Course, progress: Progress, event: Event, access: Access = OPEN, seed: str = ""
) -> Outcome:
    """Apply one event; see the module docstring for the rules.

    ``seed`` names the participant (the adapter passes their id) so each one
    sees the options of a question in an order of their own (grading.shown_order).
    """
    progress, moved = repair(course, progress)
    notice: tuple[Action, ...] = (Moved(),) if moved else ()
    outcome = _dispatch(course, progress, event, access)
    actions = _closed_weeks_said(outcome.actions, access)
    return Outcome(outcome.progress, notice + _shuffled(actions, seed))


def _shuffled(actions: tuple[Action, ...], seed: str) -> tuple[Action, ...]:
    """Every question is shown (and its answer named) in the participant's own order."""
    return tuple(
        replace(a, choices=shown_order(a.question, seed, a.attempt))
        if isinstance(a, AskQuestion | Feedback)
        else a
        for a in actions
    )


def _closed_weeks_said(actions: tuple[Action, ...], access: Access) -> tuple[Action, ...]:
    """A lesson in a week not open yet is not offered: the participant is told it is closed."""
    return tuple(
        WeekLocked(a.week) if isinstance(a, OfferLesson) and not access.allows(a.week) else a
        for a in actions
    )


def _dispatch(course: Course, progress: Progress, event: Event, access: Access) -> Outcome:
    match event:
        case Start():
            if progress.stage is Stage.NEW:
                return _begin(course, progress, course.lessons[0].id, access)
            return show_current(course, progress, access)
        case Continue():
            return show_current(course, progress, access)
        case Next():
            return _next_step(course, progress, event)
        case Begin():
            if progress.stage is not Stage.READY or progress.lesson_id != event.lesson_id:
                return _refuse(progress, Refusal.STALE)
            return _begin(course, progress, event.lesson_id, access)
        case Upload() if _on_step(course, progress, StepKind.GOAL, StepKind.GOAL_REVIEW):
            return _voice_goal(course, progress, event)
        case Upload():
            return _upload(course, progress, event)
        case TickCard():
            return _tick_card(course, progress, event)
        case WriteGoal():
            return _write_goal(course, progress, event.text)
        case ChangeGoal():
            return _change_goal(course, progress, event)
        case RetryQuiz():
            if progress.stage is not Stage.FAILED or progress.lesson_id != event.lesson_id:
                return _refuse(progress, Refusal.STALE)
            return _start_quiz(course, progress, event.lesson_id)
        case Repeat():
            return _repeat(course, progress, event.lesson_id, access)
        case _ if isinstance(event, ANSWER_EVENTS):
            return _answer(course, progress, event)
    return _refuse(progress, Refusal.UNKNOWN)


# ---------------------------------------------------------------- showing


def show_current(course: Course, progress: Progress, access: Access = OPEN) -> Outcome:
    """What the participant should see now (for /continue and after a restart)."""
    if progress.stage is Stage.NEW:
        return Outcome(progress, ())
    if progress.stage is Stage.DONE:
        return Outcome(progress, (CourseDone(),))
    week, lesson = _located(course, progress)
    if progress.stage is Stage.STEP:
        return Outcome(progress, (_show_step(week, lesson, progress),))
    if progress.stage is Stage.QUESTION:
        return Outcome(progress, (_ask(week, lesson, progress),))
    if progress.stage is Stage.FAILED:
        return Outcome(progress, (_quiz_result(week, lesson, progress),))
    if not access.allows(week):
        return Outcome(progress, (WeekLocked(week),))
    return Outcome(progress, (OfferLesson(week, lesson),))


def _located(course: Course, progress: Progress) -> tuple[Week, Lesson]:
    found = course.locate(progress.lesson_id or "")
    if found is None:  # repair() guarantees this never happens
        raise LookupError(progress.lesson_id)
    return found


def _show_step(week: Week, lesson: Lesson, progress: Progress, refresh: bool = False) -> ShowStep:
    """The step the participant stands on, with its ticked cards or its writing mode."""
    index = next(i for i, s in enumerate(lesson.steps) if s.id == progress.item_id)
    step = lesson.steps[index]
    return ShowStep(
        week,
        lesson,
        step,
        index + 1,
        len(lesson.steps),
        selection=progress.selection if step.kind is StepKind.CARDS else (),
        writing=step.kind is StepKind.GOAL_REVIEW and progress.attempt > 0,
        refresh=refresh,
    )


def _ask(week: Week, lesson: Lesson, progress: Progress, refresh: bool = False) -> AskQuestion:
    assert lesson.quiz is not None
    questions = lesson.quiz.questions
    index = next(i for i, q in enumerate(questions) if q.id == progress.item_id)
    question = questions[index]
    return AskQuestion(
        week=week,
        lesson=lesson,
        question=question,
        number=index + 1,
        total=len(questions),
        attempt=progress.attempt,
        selection=progress.selection,
        choices=shown_order(question),
        refresh=refresh,
    )


def _quiz_result(week: Week, lesson: Lesson, progress: Progress) -> QuizResult:
    assert lesson.quiz is not None
    total = len(lesson.quiz.questions)
    right = len(progress.first_try_right) + len(progress.retry_right)
    return QuizResult(
        week=week,
        lesson=lesson,
        right=right,
        after_retry=len(progress.retry_right),
        total=total,
        percent=score_percent(right, total),
        pass_percent=lesson.quiz.pass_percent,
        passed=score_percent(right, total) >= lesson.quiz.pass_percent,
    )


def _refuse(progress: Progress, reason: Refusal) -> Outcome:
    return Outcome(progress, (Refused(reason),))


# ---------------------------------------------------------------- moving on


def _begin(course: Course, progress: Progress, lesson_id: str, access: Access) -> Outcome:
    """Open a lesson at its first step, unless its week is still locked."""
    week, lesson = course.locate(lesson_id) or (None, None)
    if week is None or lesson is None:
        return _refuse(progress, Refusal.UNKNOWN)
    if not access.allows(week):
        waiting = _fresh(progress, Stage.READY, lesson_id, None)
        return Outcome(waiting, (WeekLocked(week),))
    if not lesson.steps:
        return _start_quiz(course, progress, lesson_id)
    opened = _fresh(progress, Stage.STEP, lesson_id, lesson.steps[0].id)
    return Outcome(opened, (_show_step(week, lesson, opened),))


def _fresh(progress: Progress, stage: Stage, lesson_id: str | None, item: str | None) -> Progress:
    return replace(
        progress,
        stage=stage,
        lesson_id=lesson_id,
        item_id=item,
        attempt=0,
        selection=(),
        first_try_right=() if stage is not Stage.QUESTION else progress.first_try_right,
        retry_right=() if stage is not Stage.QUESTION else progress.retry_right,
    )


def _standing_on(progress: Progress, lesson_id: str, step_id: str) -> bool:
    """Whether the participant stands on that step now: a press for any other is stale."""
    return (
        progress.stage is Stage.STEP
        and progress.lesson_id == lesson_id
        and progress.item_id == step_id
    )


def _next_step(course: Course, progress: Progress, event: Next) -> Outcome:
    """Next under a step; on a cards step it is Klar (the ticks are stored), on a goal step
    Skip, on a goal review "yes, it still holds" (or, while writing, "not now")."""
    if not _standing_on(progress, event.lesson_id, event.step_id):
        return _refuse(progress, Refusal.STALE)
    week, lesson = _located(course, progress)
    step = lesson.step(event.step_id)
    assert step is not None
    records: tuple[Action, ...] = ()
    if step.kind is StepKind.CARDS and step.profile is not None:
        ticked = tuple(c.id for c in step.cards if c.id in progress.selection)
        records = (RecordProfile(week.id, lesson.id, step.id, step.profile, ticked),)
    elif step.kind is StepKind.GOAL_REVIEW and progress.attempt == 0:
        records = (RecordGoalKept(week.number),)
    moved = _past_step(course, progress, week, lesson, step)
    return Outcome(moved.progress, records + moved.actions)


def _past_step(
    course: Course, progress: Progress, week: Week, lesson: Lesson, step: Step
) -> Outcome:
    """The step after ``step``, or the lesson's quiz after its last one."""
    ids = [s.id for s in lesson.steps]
    index = ids.index(step.id)
    if index + 1 < len(ids):
        moved = replace(progress, item_id=ids[index + 1], attempt=0, selection=())
        return Outcome(moved, (_show_step(week, lesson, moved),))
    return _start_quiz(course, progress, lesson.id)


def _on_step(course: Course, progress: Progress, *kinds: StepKind) -> bool:
    """Whether the participant stands on a step of one of ``kinds``."""
    return _current_step(course, progress, *kinds) is not None


def _current_step(course: Course, progress: Progress, *kinds: StepKind) -> Step | None:
    if progress.stage is not Stage.STEP:
        return None
    found = course.locate(progress.lesson_id or "")
    step = found[1].step(progress.item_id or "") if found else None
    return step if step is not None and step.kind in kinds else None


def expects_goal(course: Course, progress: Progress) -> bool:
    """Whether a typed message now is the participant's goal (the adapter asks before
    turning free text into WriteGoal): on a goal step, or a goal review being rewritten."""
    step = _current_step(course, progress, StepKind.GOAL, StepKind.GOAL_REVIEW)
    if step is None:
        return False
    return step.kind is StepKind.GOAL or progress.attempt > 0


# ---------------------------------------------------------------- profile and goal


def _tick_card(course: Course, progress: Progress, event: TickCard) -> Outcome:
    if not _standing_on(progress, event.lesson_id, event.step_id):
        return _refuse(progress, Refusal.STALE)
    week, lesson = _located(course, progress)
    step = lesson.step(event.step_id)
    if step is None or step.kind is not StepKind.CARDS:
        return _refuse(progress, Refusal.STALE)
    if step.card(event.card_id) is None:
        return _refuse(progress, Refusal.UNKNOWN)
    changed = _with_tick(progress, [c.id for c in step.cards], event.card_id, event.on)
    if changed is None:
        return _refuse(progress, Refusal.STALE)
    return Outcome(changed, (_show_step(week, lesson, changed, refresh=True),))


def _write_goal(course: Course, progress: Progress, text: str) -> Outcome:
    if not expects_goal(course, progress):
        return _refuse(progress, Refusal.NOT_EXPECTED)
    goal = " ".join(text.split())
    if not goal or len(goal) > GOAL_CHARS:
        return _refuse(progress, Refusal.GOAL_LENGTH)
    return _save_goal(course, progress, goal, None)


def _voice_goal(course: Course, progress: Progress, event: Upload) -> Outcome:
    """A voice message on a goal step is the goal: only that it exists and its length."""
    if event.kind is not UploadKind.VOICE or not expects_goal(course, progress):
        return _refuse(progress, Refusal.NOT_EXPECTED)
    return _save_goal(course, progress, None, max(event.seconds, 0))


def _save_goal(
    course: Course, progress: Progress, text: str | None, seconds: int | None
) -> Outcome:
    week, lesson = _located(course, progress)
    step = lesson.step(progress.item_id or "")
    assert step is not None
    review = step.kind is StepKind.GOAL_REVIEW
    record = RecordGoal(week.number, lesson.id, text, seconds, review=review)
    moved = _past_step(course, progress, week, lesson, step)
    return Outcome(moved.progress, (record, GoalSaved(text, seconds), *moved.actions))


def _change_goal(course: Course, progress: Progress, event: ChangeGoal) -> Outcome:
    """The goal review turns into "write your new goal": the same card, redrawn."""
    step = _current_step(course, progress, StepKind.GOAL_REVIEW)
    if (
        step is None
        or progress.lesson_id != event.lesson_id
        or step.id != event.step_id
        or progress.attempt > 0
    ):
        return _refuse(progress, Refusal.STALE)
    week, lesson = _located(course, progress)
    writing = replace(progress, attempt=1)
    return Outcome(writing, (_show_step(week, lesson, writing, refresh=True),))


def _start_quiz(course: Course, progress: Progress, lesson_id: str) -> Outcome:
    week, lesson = course.locate(lesson_id) or (None, None)
    assert week is not None and lesson is not None
    if lesson.quiz is None or not lesson.quiz.questions:
        return _finish_lesson(course, progress, week, lesson, None)
    first = lesson.quiz.questions[0].id
    quizzing = replace(
        _fresh(progress, Stage.QUESTION, lesson_id, first), first_try_right=(), retry_right=()
    )
    return Outcome(quizzing, (_ask(week, lesson, quizzing),))


def _finish_lesson(
    course: Course, progress: Progress, week: Week, lesson: Lesson, percent: int | None
) -> Outcome:
    before = progress.result(lesson.id)
    best = percent if before.best_percent is None else max(before.best_percent, percent or 0)
    runs = before.runs + (percent is not None)
    done = progress.with_result(
        lesson.id, replace(before, best_percent=best, passed=True, runs=runs)
    )
    actions: list[Action] = [LessonDone(week, lesson)]
    if not before.passed and all(done.passed(x.id) for x in week.lessons):
        actions.append(WeekDone(week))
    following = _first_unpassed(course, done)
    if following is None:
        finished = _fresh(done, Stage.DONE, None, None)
        if not before.passed:
            actions.append(CourseDone())
        return Outcome(finished, tuple(actions))
    next_week, next_lesson = following
    ready = _fresh(done, Stage.READY, next_lesson.id, None)
    actions.append(OfferLesson(next_week, next_lesson))
    return Outcome(ready, tuple(actions))


def _after_review(course: Course, progress: Progress) -> Outcome:
    following = _first_unpassed(course, progress)
    if following is None:
        return Outcome(_fresh(progress, Stage.DONE, None, None), ())
    ready = _fresh(progress, Stage.READY, following[1].id, None)
    return Outcome(ready, (OfferLesson(*following),))


def _first_unpassed(course: Course, progress: Progress) -> tuple[Week, Lesson] | None:
    for week in course.weeks:
        for lesson in week.lessons:
            if not progress.passed(lesson.id):
                return week, lesson
    return None


def _repeat(course: Course, progress: Progress, lesson_id: str, access: Access) -> Outcome:
    """Repeating is allowed for passed lessons and the current one, never ahead."""
    found = course.locate(lesson_id)
    if found is None:
        return _refuse(progress, Refusal.UNKNOWN)
    current = progress.lesson_id == lesson_id and progress.stage is not Stage.NEW
    if not (progress.passed(lesson_id) or current):
        return _refuse(progress, Refusal.LOCKED)
    return _begin(course, progress, lesson_id, access)


# ---------------------------------------------------------------- answering


def _answer(course: Course, progress: Progress, event: AnswerEvent) -> Outcome:
    if (
        progress.stage is not Stage.QUESTION
        or progress.lesson_id != event.lesson_id
        or progress.item_id != event.question_id
        or progress.attempt != event.attempt
    ):
        return _refuse(progress, Refusal.STALE)
    week, lesson = _located(course, progress)
    assert lesson.quiz is not None
    question = lesson.quiz.question(event.question_id)
    assert question is not None
    kind = question.kind
    match event:
        case Choose() if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
            if question.option(event.option_id) is None:
                return _refuse(progress, Refusal.UNKNOWN)
            return _grade(course, progress, week, lesson, question, (event.option_id,))
        case Toggle() if kind is QuestionKind.MULTIPLE:
            return _toggle(progress, week, lesson, question, event)
        case Submit() if kind is QuestionKind.MULTIPLE:
            if not progress.selection:
                return _refuse(progress, Refusal.EMPTY_SELECTION)
            ticked = tuple(o.id for o in question.options if o.id in progress.selection)
            return _grade(course, progress, week, lesson, question, ticked)
        case Pick() if kind is QuestionKind.ORDER:
            return _pick(course, progress, week, lesson, question, event)
        case ClearPicks() if kind is QuestionKind.ORDER:
            cleared = replace(progress, selection=())
            return Outcome(cleared, (_ask(week, lesson, cleared, refresh=True),))
        case Skip() if kind is QuestionKind.TASK:
            return _grade(course, progress, week, lesson, question, (), answer="skipped")
    return _refuse(progress, Refusal.STALE)


def _toggle(
    progress: Progress, week: Week, lesson: Lesson, question: Question, event: Toggle
) -> Outcome:
    if question.option(event.option_id) is None:
        return _refuse(progress, Refusal.UNKNOWN)
    changed = _with_tick(progress, [o.id for o in question.options], event.option_id, event.on)
    if changed is None:
        return _refuse(progress, Refusal.STALE)
    return Outcome(changed, (_ask(week, lesson, changed, refresh=True),))


def _with_tick(progress: Progress, in_order: list[str], item: str, on: bool) -> Progress | None:
    """The selection with one item ticked (or not), kept in the items' order; None when the
    press changes nothing (a double tap, or a forged "tick" of what is ticked already)."""
    ticked = set(progress.selection)
    ticked.add(item) if on else ticked.discard(item)
    selection = tuple(i for i in in_order if i in ticked)
    return None if selection == progress.selection else replace(progress, selection=selection)


def _pick(
    course: Course,
    progress: Progress,
    week: Week,
    lesson: Lesson,
    question: Question,
    event: Pick,
) -> Outcome:
    if question.option(event.option_id) is None:
        return _refuse(progress, Refusal.UNKNOWN)
    if event.option_id in progress.selection or event.slot != len(progress.selection):
        return _refuse(progress, Refusal.STALE)
    picked = (*progress.selection, event.option_id)
    if len(picked) < len(question.options):
        changed = replace(progress, selection=picked)
        return Outcome(changed, (_ask(week, lesson, changed, refresh=True),))
    return _grade(course, progress, week, lesson, question, picked)


def _upload(course: Course, progress: Progress, event: Upload) -> Outcome:
    if progress.stage is not Stage.QUESTION:
        return _refuse(progress, Refusal.NOT_EXPECTED)
    week, lesson = _located(course, progress)
    assert lesson.quiz is not None
    question = lesson.quiz.question(progress.item_id or "")
    if question is None or question.kind is not QuestionKind.TASK:
        return _refuse(progress, Refusal.NOT_EXPECTED)
    if event.kind not in question.accepts:
        return Outcome(progress, (WrongUpload(question, event.kind),))
    return _grade(course, progress, week, lesson, question, (), answer=event.kind.value)


def _grade(
    course: Course,
    progress: Progress,
    week: Week,
    lesson: Lesson,
    question: Question,
    chosen: tuple[str, ...],
    answer: str | None = None,
) -> Outcome:
    """Record the answer, give feedback, then ask again or move to the next question."""
    assert lesson.quiz is not None
    quiz = lesson.quiz
    if question.kind is QuestionKind.TASK:
        correct = answer is not None and answer != "skipped"
    else:
        correct = is_correct(question, chosen)
    record = RecordAnswer(
        week.id, lesson.id, question.id, progress.attempt + 1, correct, answer or ",".join(chosen)
    )
    try_again = not correct and quiz.retry == "again" and progress.attempt + 1 < quiz.attempts
    try_again = try_again and answer != "skipped"
    asked = _ask(week, lesson, replace(progress, selection=chosen))
    feedback = Feedback(
        question=question,
        correct=correct,
        chosen=chosen,
        number=asked.number,
        total=asked.total,
        attempt=progress.attempt,
        feedback=tuple(
            fb for o in question.options if o.id in chosen and (fb := o.feedback) is not None
        ),
        explanation=None if try_again else question.explanation,
        try_again=try_again,
    )
    first, second = progress.first_try_right, progress.retry_right
    if correct and progress.attempt == 0:
        first = (*first, question.id)
    elif correct:
        second = (*second, question.id)
    if try_again:
        kept = _kept_ticks(question, chosen)
        again = replace(progress, attempt=progress.attempt + 1, selection=kept)
        return Outcome(again, (record, feedback, _ask(week, lesson, again, refresh=True)))
    graded = replace(progress, first_try_right=first, retry_right=second)
    rest = _after_question(course, graded, week, lesson, question)
    return Outcome(rest.progress, (record, feedback, *rest.actions))


def _kept_ticks(question: Question, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """A retry of a multiple-choice question keeps the ticks that were right."""
    if question.kind is not QuestionKind.MULTIPLE:
        return ()
    return tuple(i for i in chosen if i in question.correct_ids)


def _after_question(
    course: Course, progress: Progress, week: Week, lesson: Lesson, question: Question
) -> Outcome:
    assert lesson.quiz is not None
    ids = [q.id for q in lesson.quiz.questions]
    index = ids.index(question.id)
    if index + 1 < len(ids):
        moved = _fresh(progress, Stage.QUESTION, lesson.id, ids[index + 1])
        return Outcome(moved, (_ask(week, lesson, moved),))
    result = _quiz_result(week, lesson, progress)
    before = progress.result(lesson.id)
    run = before.runs + 1
    record = RecordQuizResult(week.id, lesson.id, run, result.percent, result.passed)
    if result.passed:
        finished = _finish_lesson(course, progress, week, lesson, result.percent)
        return Outcome(finished.progress, (record, result, *finished.actions))
    if before.passed:  # a repeat below the mark keeps the earlier pass
        kept = progress.with_result(lesson.id, replace(before, runs=run))
        following = _after_review(course, kept)
        return Outcome(following.progress, (record, result, *following.actions))
    failed_result = replace(
        before,
        runs=run,
        failed_runs=before.failed_runs + 1,
        best_percent=max(before.best_percent or 0, result.percent),
    )
    failed = replace(progress.with_result(lesson.id, failed_result), stage=Stage.FAILED)
    failed = replace(failed, item_id=None, attempt=0, selection=())
    return Outcome(failed, (record, result))


# ---------------------------------------------------------------- repairing


def repair(course: Course, progress: Progress) -> tuple[Progress, bool]:
    """Move a participant whose place no longer exists to the nearest valid place.

    A removed lesson sends them to the first lesson they have not passed; a
    removed step to the start of its lesson; a removed question to the start of
    the quiz. Returns the progress and whether it had to move.
    """
    if progress.stage in (Stage.NEW, Stage.DONE):
        return progress, False
    found = course.locate(progress.lesson_id or "")
    if found is None:
        following = _first_unpassed(course, progress)
        if following is None:
            return _fresh(progress, Stage.DONE, None, None), True
        return _fresh(progress, Stage.READY, following[1].id, None), True
    lesson = found[1]
    if progress.stage is Stage.STEP and lesson.step(progress.item_id or "") is None:
        if lesson.steps:
            return _fresh(progress, Stage.STEP, lesson.id, lesson.steps[0].id), True
        return _fresh(progress, Stage.READY, lesson.id, None), True
    quiz_gone = lesson.quiz is None or lesson.quiz.question(progress.item_id or "") is None
    if progress.stage is Stage.QUESTION and quiz_gone:
        if lesson.quiz and lesson.quiz.questions:
            first = lesson.quiz.questions[0].id
            restarted = replace(
                _fresh(progress, Stage.QUESTION, lesson.id, first),
                first_try_right=(),
                retry_right=(),
            )
            return restarted, True
        return _fresh(progress, Stage.READY, lesson.id, None), True
    if progress.stage is Stage.FAILED and (lesson.quiz is None or not lesson.quiz.questions):
        return _fresh(progress, Stage.READY, lesson.id, None), True
    return progress, False
