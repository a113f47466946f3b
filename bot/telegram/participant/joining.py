"""/start with a code: a coach joins their group, a participant is put in theirs.

The code is looked at only after the rate limit: five wrong codes within an
hour and the next tries are answered "try again later" without checking them,
so guessing is pointless even before the codes' length makes it hopeless (the
update processor runs one person's updates in turn, so a burst of tries is
counted exactly). A participant link spends a use only when it changes
something: tapping it again later, or a coach testing it, costs nothing.

Nothing changes behind a person's back: someone not yet agreed is only a
newcomer (no name stored); a participant who opens another group's link, or a
coach's link, is asked first, on a prompt that can be answered once.
"""

from __future__ import annotations

from telegram import Update, User

from bot import invitations
from bot.clock import utc_now
from bot.i18n.text import isolate
from bot.i18n.translator import N_, Translator
from bot.storage import (
    AlreadyExists,
    CoachRecord,
    InviteKind,
    InviteRecord,
    ParticipantRecord,
    groups,
    invites,
    newcomers,
    participants,
    prompts,
)
from bot.storage.coaching import coaches_of_group, find_invite
from bot.storage.newcomers import NewcomerRecord
from bot.storage.prompts import PromptKind
from bot.telegram import callbacks
from bot.telegram.coach import handlers as coach
from bot.telegram.coach.render import as_messages
from bot.telegram.context import BotContext
from bot.telegram.outgoing import Button, Outgoing
from bot.telegram.sending import send_all

TOO_MANY_TRIES = N_("Too many links that did not work. Please try again in an hour.")
WRONG_CODE = N_(
    "This link does not work: it may have expired or been used up. Ask your coach for a new one."
)
COACH_LINK_USED = N_("This link does not work any more. Ask the administrator for a new one.")


MOVE_QUESTION = N_(
    "You are in the group {current}. This link is for the group {other}. "
    "Do you want to move? Your progress comes with you, and your coach in {current} is told."
)
COACH_QUESTION = N_(
    "This is a link for coaches of the group {group}. Do you want to become a coach? "
    "A coach sees how the participants of the group are doing."
)
MOVED = N_("Done: you are now in the group {group}. Tap /continue to go on.")
STAYED = N_("Good, you stay in the group {group}.")
NOT_A_COACH = N_("Good, nothing changed. Tap /continue to go on with the course.")
MOVED_AWAY = N_("{name} has moved to another group.")

Joined = ParticipantRecord | NewcomerRecord | None


async def join_with_code(update: Update, context: BotContext, code: str) -> Joined:
    """Act on an invite code; returns who to go on with, or None when answered already."""
    rt, user = context.runtime, update.effective_user
    if user is None:
        return None
    now = utc_now()
    if await invitations.too_many_wrong_tries(rt.db, user.id, now):
        await _say(context, user, context.tr, TOO_MANY_TRIES)
        return None
    invite = None
    if invitations.well_formed(code):
        invite = await find_invite(rt.db, invitations.code_hash(code), now)
    if invite is None:
        await invites.record_start_attempt(rt.db, user.id, now)
        await _say(context, user, context.tr, WRONG_CODE)
        return None
    if invite.kind is InviteKind.COACH:
        await _coach_link(context, user, invite)
        return None
    return await _join_as_participant(context, user, invite)


async def _say(context: BotContext, user: User, tr: Translator, message: str) -> None:
    await send_all(context, user.id, as_messages(tr, [tr._(message)]))


async def _ask(
    context: BotContext, kind: PromptKind, subject: str, text: str, yes: str, no: str
) -> None:
    """A question with two buttons bound to a fresh prompt (answered once, within minutes)."""
    reader, tr = context.reader, context.tr
    token = await prompts.open_prompt(context.runtime.db, reader.telegram_id, kind, subject)
    buttons = (
        (Button(yes, callbacks.prompt_answer(kind, token, True)),),
        (Button(no, callbacks.prompt_answer(kind, token, False)),),
    )
    await send_all(context, reader.telegram_id, [Outgoing(tr.message(text), buttons)])


async def _coach_link(context: BotContext, user: User, invite: InviteRecord) -> None:
    """A coach's link: a coach (or a stranger) joins; a participant is asked first."""
    if context.reader.participant is None or context.reader.coach is not None:
        await _join_as_coach(context, user, invite)
        return
    group = await groups.get_group(context.runtime.db, invite.group_id or 0)
    tr = context.tr
    text = tr._(COACH_QUESTION).format(group=group.name if group else "")
    await _ask(
        context,
        PromptKind.BECOME_COACH,
        invite.code_hash,
        text,
        tr._("Yes, I am a coach"),
        tr._("No, I take the course"),
    )


async def become_coach(update: Update, context: BotContext, code_hash: str, yes: bool) -> None:
    """The answer to "become a coach?": the link is checked again, it may have expired."""
    user = update.effective_user
    if user is None:
        return
    if not yes:
        await _say(context, user, context.tr, NOT_A_COACH)
        return
    invite = await find_invite(context.runtime.db, code_hash, utc_now())
    if invite is None or invite.kind is not InviteKind.COACH:
        await _say(context, user, context.tr, COACH_LINK_USED)
        return
    await _join_as_coach(context, user, invite)


async def _join_as_coach(context: BotContext, user: User, invite: InviteRecord) -> None:
    rt = context.runtime
    used = await invites.redeem_invite(rt.db, invite.code_hash)
    if used is None or used.group_id is None:  # the last use went to someone else just now
        await _say(context, user, context.tr, COACH_LINK_USED)
        return
    found = context.reader.coach or await _new_coach(context, user)
    await groups.add_coach_to_group(rt.db, used.group_id, found.id)
    await newcomers.forget(rt.db, user.id)  # a coach is no newcomer to the course
    group = await groups.get_group(rt.db, used.group_id)
    tr = rt.translator(found.language)
    greeting = tr._("Welcome, {name}! You are now a coach of {group}.").format(
        name=found.first_name, group=group.name if group else ""
    )
    await coach.set_coach_menu(context, found, tr)
    await coach.send_help(context, found, greeting)


async def _new_coach(context: BotContext, user: User) -> CoachRecord:
    """Coaches read Swedish until they choose otherwise (language None)."""
    rt = context.runtime
    try:
        return await groups.add_coach(rt.db, user.id, user.first_name or "", None)
    except AlreadyExists:
        found = await groups.get_coach_by_telegram_id(rt.db, user.id)
        assert found is not None
        return found


async def _join_as_participant(context: BotContext, user: User, invite: InviteRecord) -> Joined:
    rt, reader = context.runtime, context.reader
    if reader.coach is not None:
        tr = context.tr
        text = tr._("You are a coach: this link is for your participants. Show it to them.")
        await send_all(context, user.id, as_messages(tr, [text]))
        return None
    person = reader.participant
    if person is not None and person.group_id == invite.group_id:
        return person  # tapped again: nothing to spend
    if person is not None and person.group_id is not None:
        await _ask_to_move(context, person, invite)
        return None
    if await invites.redeem_invite(rt.db, invite.code_hash) is None:
        await _say(context, user, context.tr, WRONG_CODE)
        return None
    if person is None:
        return await newcomers.welcome(rt.db, user.id, reader.tr.language, invite.group_id)
    await participants.set_group(rt.db, person.id, invite.group_id)
    return await participants.get(rt.db, person.id)


async def _ask_to_move(
    context: BotContext, person: ParticipantRecord, invite: InviteRecord
) -> None:
    db, tr = context.runtime.db, context.tr
    current = await groups.get_group(db, person.group_id or 0)
    other = await groups.get_group(db, invite.group_id or 0)
    text = tr._(MOVE_QUESTION).format(
        current=current.name if current else "", other=other.name if other else ""
    )
    await _ask(
        context,
        PromptKind.MOVE_GROUP,
        invite.code_hash,
        text,
        tr._("Yes, move me"),
        tr._("No, I stay"),
    )


async def move(update: Update, context: BotContext, code_hash: str, yes: bool) -> None:
    """The answer to "move to the other group?": the old group's coaches are told."""
    rt, person = context.runtime, context.reader.participant
    if person is None:
        return
    current = await groups.get_group(rt.db, person.group_id or 0)
    tr = context.tr
    if not yes:
        text = tr._(STAYED).format(group=current.name if current else "")
        await send_all(context, person.telegram_id, [Outgoing(tr.message(text))])
        return
    invite = await find_invite(rt.db, code_hash, utc_now())
    if invite is None or await invites.redeem_invite(rt.db, code_hash) is None:
        await _say(context, update.effective_user or _nobody(person), tr, WRONG_CODE)
        return
    await participants.set_group(rt.db, person.id, invite.group_id)
    other = await groups.get_group(rt.db, invite.group_id or 0)
    text = tr._(MOVED).format(group=other.name if other else "")
    await send_all(context, person.telegram_id, [Outgoing(tr.message(text))])
    if current is not None:
        await _tell_coaches(context, current.id, person)


async def _tell_coaches(context: BotContext, group_id: int, person: ParticipantRecord) -> None:
    rt = context.runtime
    for followed in await coaches_of_group(rt.db, group_id):
        tr = rt.translator(followed.language)
        text = tr._(MOVED_AWAY).format(name=isolate(person.first_name, tr.rtl))
        await send_all(context, followed.telegram_id, [Outgoing(tr.message(text))])


def _nobody(person: ParticipantRecord) -> User:
    return User(person.telegram_id, person.first_name, is_bot=False)
