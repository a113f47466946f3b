"""Memory checks as the participant meets them, and the welcome back after a gap.

The Leitner rules are the engine's (bot.course.review); the cards are stored
(bot.storage.reviews). A check is 2–3 one-tap questions, at most one a day,
always skippable: offered when the day's session starts (/start, /continue) or
by a reminder. After a safety question the participant taps how sure they were;
a wrong answer given with high confidence is stored for the coach.
"""

from __future__ import annotations

import zlib
from datetime import date

from telegram import Update

from bot.clock import utc_now
from bot.course import reminders as rules
from bot.course import review as engine
from bot.course.model import Course, Question, QuestionKind
from bot.course.progress import Progress, Stage
from bot.i18n.translator import Translator
from bot.storage import participants, reviews
from bot.storage.records import ParticipantRecord
from bot.storage.reviews import StoredCard
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Button, Outgoing
from bot.telegram.runtime import Runtime
from bot.telegram.sending import answer_query, send_all

CONFIDENCE_FACES = {"unsure": "😟", "fairly": "🙂", "sure": "😀"}


# ---------------------------------------------------------------- the cards


def _card(stored: StoredCard) -> engine.Card:
    return engine.Card(
        stored.lesson_id, stored.question_id, stored.box, stored.due_on, stored.safety
    )


def _stored(card: engine.Card) -> StoredCard:
    return StoredCard(card.lesson_id, card.question_id, card.box, card.due, card.safety)


def question_of(course: Course, key: str) -> tuple[str, Question] | None:
    lesson_id, _, question_id = key.partition("/")
    located = course.locate(lesson_id)
    quiz = located[1].quiz if located else None
    question = quiz.question(question_id) if quiz else None
    return None if question is None else (lesson_id, question)


async def sync_cards(rt: Runtime, participant_id: int) -> list[engine.Card]:
    """Give every first try at a one-tap question its card, then return all the cards."""
    for answer in await reviews.answers_without_card(rt.db, participant_id):
        found = question_of(rt.course, f"{answer.lesson_id}/{answer.question_id}")
        if found is None or not engine.reviewable(found[1]):
            continue
        day = rules.local(answer.answered_at, rt.settings.timezone).date()
        safety = engine.is_safety(rt.course, answer.lesson_id, answer.question_id)
        card = engine.first_card(answer.lesson_id, answer.question_id, answer.correct, day, safety)
        await reviews.save_card(rt.db, participant_id, _stored(card))
    cards = [_card(c) for c in await reviews.cards(rt.db, participant_id)]
    return [c for c in cards if question_of(rt.course, c.key) is not None]


async def has_check_due(rt: Runtime, participant_id: int, today: date) -> bool:
    if await reviews.todays_check(rt.db, participant_id, today) is not None:
        return False
    return bool(engine.pick_check(await sync_cards(rt, participant_id), today))


# ---------------------------------------------------------------- messages


def what_waits(tr: Translator, course: Course, lesson_id: str | None) -> str | None:
    """ "Lesson 2 of week 3: Attach a file – 4 minutes": what the button continues."""
    located = course.locate(lesson_id) if lesson_id else None
    if located is None:
        return None
    week, lesson = located
    minutes = rules.minutes_for(lesson)
    return tr.ngettext(
        "Lesson {lesson} of week {week}: {title} – {minutes} minute",
        "Lesson {lesson} of week {week}: {title} – {minutes} minutes",
        minutes,
    ).format(
        lesson=week.lessons.index(lesson) + 1,
        week=week.number,
        title=tr.lesson(lesson.title),
        minutes=minutes,
    )


def continue_button(tr: Translator, label: str | None = None) -> tuple[tuple[Button, ...], ...]:
    return ((Button(label or tr._("▶ Continue where I stopped"), callbacks.continue_here()),),)


async def offer(
    rt: Runtime,
    tr: Translator,
    participant_id: int,
    today: date,
    name: str,
    *,
    again: bool = False,
) -> list[Outgoing] | None:
    """Today's check, stored and offered; None when one was had today or none is due.

    ``again``: a resend of the same offer (its first send failed) may offer the
    check stored then, as long as it was not begun.
    """
    picked = engine.pick_check(await sync_cards(rt, participant_id), today)
    stored = await reviews.todays_check(rt.db, participant_id, today)
    if again and stored is not None and stored[1] == 0:
        count = len(stored[0])
    elif picked and await reviews.start_check(
        rt.db, participant_id, today, [c.key for c in picked]
    ):
        count = len(picked)
    else:
        return None
    text = tr.ngettext(
        "Memory check, {name}: {count} short question from earlier lessons."
        " Remembering again is how it sticks.",
        "Memory check, {name}: {count} short questions from earlier lessons."
        " Remembering again is how it sticks.",
        count,
    ).format(name=name, count=count)
    buttons = (
        (Button(tr._("Start the memory check"), callbacks.review_start()),),
        (Button(tr._("Not now"), callbacks.review_skip()),),
    )
    return [Outgoing(tr.message(text), buttons)]


def ask(rt: Runtime, tr: Translator, keys: list[str], position: int) -> Outgoing | None:
    found = question_of(rt.course, keys[position]) if position < len(keys) else None
    if found is None:
        return None
    lesson_id, question = found
    renderer = rt.renderer(tr.language)
    heading = tr._("🧠 Memory check {number} of {count}").format(
        number=position + 1, count=len(keys)
    )
    text = f"{heading}\n\n{renderer.lesson_text(question.text)}"
    if question.kind is QuestionKind.TRUE_FALSE:
        labels = {"true": tr._("True"), "false": tr._("False")}
        options = [(labels.get(o.id, o.id), o.id) for o in question.options]
    else:  # shuffled the same way for everyone, so the right one is not always first
        shuffled = sorted(
            question.options, key=lambda o: zlib.crc32(f"{keys[position]}/{o.id}".encode())
        )
        options = [(renderer.option_label(question, o.id), o.id) for o in shuffled]
    rows = [
        (Button(label, callbacks.review_answer(lesson_id, question, position, option_id)),)
        for label, option_id in options
    ]
    rows.append((Button(tr._("Skip the memory check"), callbacks.review_skip()),))
    return Outgoing(tr.message(text), tuple(rows))


def ask_confidence(
    tr: Translator, lesson_id: str, question: Question, position: int, option_id: str
) -> Outgoing:
    row = tuple(
        Button(face, callbacks.review_confidence(lesson_id, question, position, option_id, level))
        for level, face in CONFIDENCE_FACES.items()
    )
    return Outgoing(
        tr.message(tr._("How sure were you? 😟 not sure · 🙂 fairly sure · 😀 sure")), (row,)
    )


# ---------------------------------------------------------------- presses


async def press(
    update: Update, context: BotContext, person: ParticipantRecord, choice: callbacks.Choice
) -> bool:
    """A button of a memory check: start, skip, an answer or a confidence tap.

    True when the participant skipped it: the caller then shows the lesson again.
    """
    rt = context.runtime
    query = update.callback_query
    tr = context.tr
    today = rules.local(utc_now(), rt.settings.timezone).date()
    check = await reviews.todays_check(rt.db, person.id, today)
    if query is not None:
        await answer_query(query)
    match choice:
        case callbacks.ReviewStart() if check is not None:
            message = ask(rt, tr, check[0], check[1])
            await _send(context, person, [message] if message else _done(tr))
        case callbacks.ReviewSkip():
            await reviews.end_check(rt.db, person.id, today)
            return True
        case callbacks.ReviewAnswer() if _current(
            check, choice.lesson_id, choice.question_id, choice.position
        ):
            await _answered(context, person, choice, None, today)
        case callbacks.ReviewConfidence() if _current(
            check, choice.lesson_id, choice.question_id, choice.position
        ):
            await _answered(context, person, choice, engine.Confidence(choice.level), today)
        case _:
            await _send(
                context,
                person,
                [
                    Outgoing(
                        tr.message(tr._("That memory check is over. Write /continue to go on."))
                    )
                ],
            )
    return False


def _current(
    check: tuple[list[str], int] | None, lesson_id: str, question_id: str, position: int
) -> bool:
    return (
        check is not None
        and check[1] == position
        and position < len(check[0])
        and check[0][position] == f"{lesson_id}/{question_id}"
    )


async def _answered(
    context: BotContext,
    person: ParticipantRecord,
    choice: callbacks.ReviewAnswer | callbacks.ReviewConfidence,
    confidence: engine.Confidence | None,
    today: date,
) -> None:
    rt, tr = context.runtime, context.tr
    found = question_of(rt.course, f"{choice.lesson_id}/{choice.question_id}")
    assert found is not None
    lesson_id, question = found
    option = question.option(choice.option_id)
    right = option is not None and option.correct
    safety = engine.is_safety(rt.course, lesson_id, question.id)
    if safety and confidence is None:
        await _send(
            context,
            person,
            [ask_confidence(tr, lesson_id, question, choice.position, choice.option_id)],
        )
        return
    if not await reviews.advance_check(rt.db, person.id, today, choice.position):
        return  # pressed twice: the first press was counted
    if confidence is not None:
        await reviews.record_confidence(
            rt.db, person.id, lesson_id, question.id, right, confidence.value
        )
    cards = {c.key: c for c in await sync_cards(rt, person.id)}
    key = f"{lesson_id}/{question.id}"
    card = cards.get(key) or engine.first_card(lesson_id, question.id, right, today, safety)
    await reviews.save_card(rt.db, person.id, _stored(engine.answered(card, right, today)))
    renderer = rt.renderer(tr.language)
    verdict = tr._("✅ Right!") if right else tr._("❌ Not quite.")
    parts = [verdict]
    if not right:
        parts.append(tr._("The right answer: {answer}").format(answer=renderer.answer(question)))
    messages = [Outgoing(tr.message("\n\n".join(parts)))]
    check = await reviews.todays_check(rt.db, person.id, today)
    following = ask(rt, tr, check[0], check[1]) if check else None
    messages += [following] if following else _done(tr)
    await _send(context, person, messages)


def _done(tr: Translator) -> list[Outgoing]:
    text = tr._("Done: that was today's memory check. Well remembered!")
    return [Outgoing(tr.message(text), continue_button(tr))]


async def _send(context: BotContext, person: ParticipantRecord, messages: list[Outgoing]) -> None:
    await send_all(context, person.telegram_id, messages)


# ---------------------------------------------------------------- the start of a session


async def before_session(update: Update, context: BotContext, person: ParticipantRecord) -> bool:
    """Before the lesson goes on: a welcome back after a gap, or today's check.

    True when something was sent that the participant answers first (a
    question); the lesson then waits behind its buttons.
    """
    rt, tr = context.runtime, context.tr
    now = utc_now()
    today = rules.local(now, rt.settings.timezone).date()
    progress = Progress.from_json(context.reader.progress)
    if progress.stage is Stage.NEW:
        return False
    if rules.needs_welcome_back(person.last_active_at, now):
        await participants.touch(rt.db, person.id, now)
        return await _welcome_back(context, person, progress, today)
    messages = await offer(rt, tr, person.id, today, person.first_name)
    if messages is None:
        return False
    await _send(context, person, messages)
    return True


async def _welcome_back(
    context: BotContext, person: ParticipantRecord, progress: Progress, today: date
) -> bool:
    """Two lines of where they were, then one memory-check question before new content."""
    rt, tr = context.runtime, context.tr
    lines = [tr._("Welcome back, {name}! Good to see you again.").format(name=person.first_name)]
    waits = what_waits(tr, rt.course, progress.lesson_id)
    if waits is not None:
        lines.append(tr._("You were here: {where}").format(where=waits))
    cards = engine.pick_check(await sync_cards(rt, person.id), today)
    if not cards:
        cards = sorted(await sync_cards(rt, person.id), key=lambda c: c.due)[:1]
    one = cards[:1]
    if not one or not await reviews.start_check(rt.db, person.id, today, [one[0].key]):
        await _send(context, person, [Outgoing(tr.message("\n".join(lines)))])
        return False
    lines.append(tr._("First, one question from before:"))
    question = ask(rt, tr, [one[0].key], 0)
    await _send(
        context, person, [Outgoing(tr.message("\n".join(lines))), *([question] if question else [])]
    )
    return question is not None
