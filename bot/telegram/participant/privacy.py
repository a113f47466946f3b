"""A participant's right to see everything stored about them, and to erase it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from telegram import Update

from bot.course.model import Course
from bot.course.progress import Progress
from bot.i18n.languages import native_name
from bot.i18n.translator import N_, Translator
from bot.reports.profile import goal_lines, profile_lines
from bot.storage import participants, prompts
from bot.storage.profile import Goal, Picks
from bot.storage.prompts import PromptKind
from bot.storage.records import ParticipantRecord
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Attachment, Button, Outgoing
from bot.telegram.participant.settings import WINDOW_LABELS
from bot.telegram.sending import send_all


async def my_data(update: Update, context: BotContext) -> None:
    """/mydata: what is stored, in plain words grouped as the participant thinks of it,
    and all of it, every field and answer, as a JSON file."""
    rt, user = context.runtime, update.effective_user
    if user is None:
        return
    stored = await participants.export(rt.db, user.id, handling=update.update_id)
    person = await participants.get_by_telegram_id(rt.db, user.id)
    tr = rt.translator(person.language if person else None)
    if stored is None:
        await send_all(context, user.id, [Outgoing(tr.message(tr._("I store nothing about you.")))])
        return
    text = tr.message("\n".join(plain_lines(tr, rt.course, stored)))
    export = json.dumps(stored, ensure_ascii=False, indent=2, default=str).encode()
    file = Attachment(EXPORT_NAME, export)
    await send_all(context, user.id, [Outgoing(text, document=file)])


EXPORT_NAME = "mydata.json"


def plain_lines(tr: Translator, course: Course, stored: dict[str, Any]) -> list[str]:
    """Who you are, your group, your progress, your answers, what your coach did, and what
    waits: every table with a row about them, in plain words, local dates, no field names."""
    profile = stored.get("profile")
    lines = [tr._("This is everything I store about you:"), ""]
    if profile is None:
        return lines + _before_consent(tr, stored) + _waiting_lines(tr, stored)
    lines += ["👤 " + tr._("Who you are")]
    lines += [tr._("Your first name: {name}").format(name=tr.term(profile["first_name"] or "–"))]
    if profile.get("last_name_initial"):
        lines.append(
            tr._("The first letter of your last name, which your coach sees: {letter}").format(
                letter=tr.term(profile["last_name_initial"])
            )
        )
    if profile.get("language"):
        lines.append(
            tr._("Your language: {language}").format(language=native_name(profile["language"]))
        )
    if (first := _when(tr, profile.get("created_at"))) is not None:
        lines.append(tr._("You first wrote to me on {date}.").format(date=first))
    if (agreed := _when(tr, profile.get("consent_at"))) is not None:
        lines.append(tr._("You agreed to the storing on {date}.").format(date=agreed))
    if (seen := _when(tr, profile.get("last_active_at"))) is not None:
        lines.append(tr._("You were last here on {date}.").format(date=seen))
    if (blocked := _when(tr, profile.get("blocked_at"))) is not None:
        lines.append(tr._("You blocked me on {date}.").format(date=blocked))
    if stored.get("coach"):
        lines.append(tr._("You are also a coach here."))
    lines += _attempt_lines(tr, stored)
    lines += ["", "👥 " + tr._("Your group")]
    group = profile.get("group")
    lines.append(
        tr._("Your group: {name}").format(name=tr.term(group))
        if group
        else tr._("You are not in a group.")
    )
    lines += _coach_lines(tr, stored)
    lines += ["", "📈 " + tr._("Your progress"), *_progress_lines(tr, course, stored)]
    if profile.get("weeks_opened_early"):
        n = int(profile["weeks_opened_early"])
        lines.append(
            tr.ngettext(
                "Your coach opened {n} week early for you.",
                "Your coach opened {n} weeks early for you.",
                n,
            ).format(n=n)
        )
    lines += _reminder_lines(tr, stored)
    lines += ["", "✏️ " + tr._("Your answers"), *_answer_lines(tr, course, stored)]
    lines += _own_words(tr, course, stored)
    lines += _roles(tr, stored)
    lines += _waiting_lines(tr, stored)
    lines += ["", tr._("The file below holds all of it, every answer with its time.")]
    lines.append(tr._("Erase it all with /delete."))
    return lines


def _own_words(tr: Translator, course: Course, stored: dict[str, Any]) -> list[str]:
    """Your own goal and your vocational profile, as your coach sees them."""
    lines: list[str] = []
    goal = stored.get("goal")
    if goal is not None:
        lines += ["", "🎯 " + tr._("Your goal"), *goal_lines(tr, Goal.from_row(goal))]
        if goal.get("voice_seconds") is not None:
            lines.append(tr._("Of a voice message I only keep that it came and how long it is."))
    picks = [
        Picks(row["topic"], row["lesson_id"], row["step_id"], tuple(row["cards"]))
        for row in stored.get("vocational_profile") or ()
    ]
    if picks:
        lines += ["", "🧭 " + tr._("Your vocational profile"), *profile_lines(tr, course, picks)]
    return lines


def _before_consent(tr: Translator, stored: dict[str, Any]) -> list[str]:
    """Someone who has not agreed: the little kept to show the consent screen, and tries."""
    lines = _attempt_lines(tr, stored)
    newcomer = stored.get("newcomer")
    if newcomer and (opened := _when(tr, newcomer.get("created_at"))) is not None:
        lines.append(
            tr._(
                "You opened me on {date}. Until you agree I keep only your language"
                " and the link you came with, for one day."
            ).format(date=opened)
        )
    return lines + _roles(tr, stored)


def _roles(tr: Translator, stored: dict[str, Any]) -> list[str]:
    """Being a coach or a reader is stored about a person too."""
    lines = [tr._("You are a coach here.")] if stored.get("coach") else []
    languages = [native_name(row["language"]) for row in stored.get("reader_of") or ()]
    if languages:
        lines.append(
            tr._("You read the course aloud in: {languages}.").format(
                languages=", ".join(languages)
            )
        )
    return lines


def _attempt_lines(tr: Translator, stored: dict[str, Any]) -> list[str]:
    count = len(stored.get("start_attempts") or ())
    if not count:
        return []
    return [
        tr.ngettext(
            "You typed a wrong invite code {count} time. I keep that for one day.",
            "You typed a wrong invite code {count} times. I keep that for one day.",
            count,
        ).format(count=count)
    ]


def _coach_lines(tr: Translator, stored: dict[str, Any]) -> list[str]:
    """What a coach did and wrote about them: told, the file holds the details."""
    lines = []
    done = len(stored.get("coach_actions") or ())
    lines += _when_any(
        done,
        tr.ngettext(
            "Your coach did {n} thing for you (a message, a pause, a week opened"
            " early). The file lists it with the date.",
            "Your coach did {n} things for you (messages, pauses, weeks opened"
            " early). The file lists them with the dates.",
            done,
        ).format(n=done),
    )
    notes = len(stored.get("coach_notes") or ())
    lines += _when_any(
        notes,
        tr.ngettext(
            "Your coach wrote {n} note about you. The file holds it.",
            "Your coach wrote {n} notes about you. The file holds them.",
            notes,
        ).format(n=notes),
    )
    return lines


def _waiting_lines(tr: Translator, stored: dict[str, Any]) -> list[str]:
    """Messages and questions still on their way: counted, since they go on their own."""
    lines = []
    unsent = (stored.get("messages_waiting_to_be_sent") or {}).get("count", 0)
    lines += _when_any(
        unsent,
        tr.ngettext(
            "{n} message from me could not reach you yet. It comes with your next tap.",
            "{n} messages from me could not reach you yet. They come with your next tap.",
            unsent,
        ).format(n=unsent),
    )
    unread = (stored.get("updates_not_handled_yet") or {}).get("count", 0)
    lines += _when_any(
        unread,
        tr.ngettext(
            "{n} message from you is still waiting for my answer.",
            "{n} messages from you are still waiting for my answer.",
            unread,
        ).format(n=unread),
    )
    asked = len(stored.get("open_questions") or ())
    lines += _when_any(
        asked,
        tr.ngettext(
            "{n} question of mine waits for your yes or no, for a few minutes.",
            "{n} questions of mine wait for your yes or no, for a few minutes.",
            asked,
        ).format(n=asked),
    )
    return ["", "📨 " + tr._("On the way"), *lines] if lines else []


def _when(tr: Translator, stamp: object) -> str | None:
    """A stored time as the reader writes dates, or None when there is none."""
    if not stamp:
        return None
    try:
        moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return tr.full_date(moment.date())


def _progress_lines(tr: Translator, course: Course, stored: dict[str, Any]) -> list[str]:
    passed = {r["lesson_id"] for r in stored["quiz_results"] if r["passed"]}
    state = Progress.from_json((stored.get("progress") or {}).get("state"))
    passed |= {lesson_id for lesson_id, result in state.results.items() if result.passed}
    total = len(course.lessons)
    lines = [
        tr._("Lessons passed: {done} of {total}").format(
            done=len(passed & {x.id for x in course.lessons}), total=total
        )
    ]
    located = course.locate(state.lesson_id or "")
    if located is not None:
        week, lesson = located
        lines.append(
            tr._("You are at week {number}: {title}").format(
                number=week.number, title=tr.lesson_shown(lesson.title)
            )
        )
    if state.stage.value in STAGE_WORDS:
        lines.append(tr._(STAGE_WORDS[state.stage.value]))
    if (saved := _when(tr, (stored.get("progress") or {}).get("updated_at"))) is not None:
        lines.append(tr._("Where you are was last saved on {date}.").format(date=saved))
    return lines


STAGE_WORDS = {
    "new": N_("You have not begun the first lesson yet."),
    "step": N_("You are reading a lesson."),
    "question": N_("You are in the middle of a quiz."),
    "ready": N_("The next lesson is ready for you."),
    "failed": N_("The quiz of this lesson waits for another try."),
    "done": N_("You have finished the course."),
}


def _answer_lines(tr: Translator, course: Course, stored: dict[str, Any]) -> list[str]:
    """One line per lesson: how many answers, how many right, the best quiz result."""
    answers: dict[str, list[bool]] = {}
    for answer in stored["answers"]:
        answers.setdefault(answer["lesson_id"], []).append(bool(answer["correct"]))
    best: dict[str, int] = {}
    for r in stored["quiz_results"]:
        best[r["lesson_id"]] = max(best.get(r["lesson_id"], 0), int(r["score_percent"]))
    lines = []
    for lesson in course.lessons:
        given = answers.pop(lesson.id, None)
        if given is None:
            continue
        line = tr.ngettext(
            "{title}: {count} answer, {right} right",
            "{title}: {count} answers, {right} right",
            len(given),
        ).format(title=tr.lesson_shown(lesson.title), count=len(given), right=sum(given))
        if lesson.id in best:
            line += " · " + tr._("best quiz {percent} %").format(percent=best[lesson.id])
        lines.append(line)
    gone = sum(len(given) for given in answers.values())
    lines += _when_any(
        gone,
        tr.ngettext(
            "{count} answer to a lesson that is no longer in the course",
            "{count} answers to lessons that are no longer in the course",
            gone,
        ).format(count=gone),
    )
    return lines or ["–"]


async def delete(update: Update, context: BotContext) -> None:
    """/delete: ask first, since erasure cannot be undone."""
    rt, user = context.runtime, update.effective_user
    if user is None:
        return
    person, tr = context.reader.participant, context.tr
    if person is None:  # a newcomer's language and link go too: nothing is left
        await participants.erase(rt.db, user.id)
        await send_all(context, user.id, [Outgoing(tr.message(tr._("I store nothing about you.")))])
        return
    text = tr._(
        "Do you want me to erase everything I store about you? Your progress and answers "
        "will be gone for good. Your coach will only see that a participant left."
    )
    token = await prompts.open_prompt(rt.db, user.id, PromptKind.ERASE)
    buttons = (
        (
            Button(
                tr._("Yes, erase everything"),
                callbacks.prompt_answer(PromptKind.ERASE, token, True),
            ),
        ),
        (Button(tr._("No, keep it"), callbacks.prompt_answer(PromptKind.ERASE, token, False)),),
    )
    await send_all(context, user.id, [Outgoing(tr.message(text), buttons)])


async def confirm_delete(
    update: Update, context: BotContext, person: ParticipantRecord, confirmed: bool
) -> None:
    rt = context.runtime
    tr = rt.translator(person.language)
    if not confirmed:
        text = tr._("Good, I keep everything as it was.")
    else:
        await participants.erase(rt.db, person.telegram_id)
        text = tr._(
            "Everything about you is erased. Good luck! Write /start if you want to begin again."
        )
    await send_all(context, person.telegram_id, [Outgoing(tr.message(text))])


def _reminder_lines(tr: Translator, stored: dict[str, Any]) -> list[str]:
    """When reminders may come, a pause, and the questions waiting to come back."""
    choices = stored.get("reminders") or {}
    lines = ["", "⏰ " + tr._("Reminders")]
    window = choices.get("reminder_window")
    label = WINDOW_LABELS.get(window) if window else None
    lines.append(tr._("Reminders may come: {when}").format(when=tr._(label)) if label else "–")
    if (until := _when(tr, choices.get("paused_until"))) is not None:
        paused = (
            tr._("Your coach paused the reminders until {date}.")
            if choices.get("paused_by") == "coach"
            else tr._("Paused until {date}.")
        )
        lines.append(paused.format(date=until))
    elif choices.get("paused_at"):
        lines.append(tr._("Reminders are paused until you write to me again."))
    sent = sum(1 for m in stored.get("scheduled_messages") or () if m.get("status") == "sent")
    lines += _when_any(
        sent,
        tr.ngettext(
            "I wrote to you {n} time without being asked (a reminder, a new week).",
            "I wrote to you {n} times without being asked (reminders, new weeks).",
            sent,
        ).format(n=sent),
    )
    planned = sum(1 for m in stored.get("scheduled_messages") or () if m.get("status") == "due")
    lines += _when_any(
        planned,
        tr.ngettext(
            "{n} such message is planned.", "{n} such messages are planned.", planned
        ).format(n=planned),
    )
    waiting = len(stored.get("memory_checks") or [])
    lines += _when_any(
        waiting,
        tr.ngettext(
            "{n} question comes back in a memory check.",
            "{n} questions come back in memory checks.",
            waiting,
        ).format(n=waiting),
    )
    days = len(stored.get("memory_check_days") or [])
    lines += _when_any(
        days,
        tr.ngettext(
            "You did a memory check on {n} day.", "You did memory checks on {n} days.", days
        ).format(n=days),
    )
    sure = len(stored.get("confidence") or [])
    lines += _when_any(
        sure,
        tr.ngettext(
            "You told me {n} time how sure you were of an answer.",
            "You told me {n} times how sure you were of an answer.",
            sure,
        ).format(n=sure),
    )
    return lines


def _when_any(count: int, line: str) -> list[str]:
    """The line when there is something to count: /mydata leaves out what is not there."""
    return [line] if count else []
