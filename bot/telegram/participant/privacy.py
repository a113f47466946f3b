"""A participant's right to see everything stored about them, and to erase it."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.storage import participants
from bot.storage.records import ParticipantRecord
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Button, Outgoing
from bot.telegram.sending import send_all


async def my_data(update: Update, context: BotContext) -> None:
    """/mydata: every stored field and answer, in plain lines."""
    rt, user = context.runtime, update.effective_user
    if user is None:
        return
    stored = await participants.export(rt.db, user.id)
    person = await participants.get_by_telegram_id(rt.db, user.id)
    tr = rt.translator(person.language if person else None)
    if stored is None:
        await send_all(context, user.id, [Outgoing(tr.message(tr._("I store nothing about you.")))])
        return
    lines = [tr._("This is everything I store about you:"), ""]
    lines += [f"{key}: {value}" for key, value in (stored.get("profile") or {}).items()]
    lines += [f"{key}: {value}" for key, value in (stored.get("reminders") or {}).items()]
    lines += [
        f"{c['lesson_id']}/{c['question_id']}: {c['box']} → {c['due_on']}"
        for c in stored.get("memory_checks", [])
    ]
    lines += [
        f"{c['lesson_id']}/{c['question_id']}: {c['confidence']} {'✓' if c['correct'] else '✗'}"
        for c in stored.get("confidence", [])
    ]
    lines += ["", tr._("Answers:")]
    lines += [_answer_line(answer) for answer in stored["answers"]] or ["–"]
    lines += ["", tr._("Quiz results:")]
    lines += [
        f"{r['lesson_id']} #{r['run']}: {r['score_percent']} % {'✓' if r['passed'] else '✗'}"
        for r in stored["quiz_results"]
    ] or ["–"]
    lines += ["", tr._("Erase it all with /delete.")]
    await send_all(context, user.id, [Outgoing(tr.message("\n".join(lines)))])


def _answer_line(answer: dict[str, Any]) -> str:
    mark = "✓" if answer["correct"] else "✗"
    where = f"{answer['lesson_id']}/{answer['question_id']} #{answer['attempt']}"
    return f"{where}: {answer['answer']} {mark}"


async def delete(update: Update, context: BotContext) -> None:
    """/delete: ask first, since erasure cannot be undone."""
    rt, user = context.runtime, update.effective_user
    if user is None:
        return
    person = await participants.get_by_telegram_id(rt.db, user.id)
    tr = rt.translator(person.language if person else None)
    if person is None:
        await send_all(context, user.id, [Outgoing(tr.message(tr._("I store nothing about you.")))])
        return
    text = tr._(
        "Do you want me to erase everything I store about you? Your progress and answers "
        "will be gone for good. Your coach will only see that a participant left."
    )
    buttons = (
        (Button(tr._("Yes, erase everything"), callbacks.erase(True)),),
        (Button(tr._("No, keep it"), callbacks.erase(False)),),
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
