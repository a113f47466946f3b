"""/start with a code: a coach joins their group, a participant is put in theirs.

The code is looked at only after the rate limit: five wrong codes within an
hour and the next tries are answered "try again later" without checking them,
so guessing is pointless even before the codes' length makes it hopeless. A
participant link spends a use only when it changes something: tapping it again
later, or a coach testing it, costs nothing.
"""

from __future__ import annotations

from telegram import Update, User

from bot import invitations
from bot.clock import utc_now
from bot.i18n.languages import choose_language
from bot.i18n.translator import N_, Translator
from bot.storage import (
    AlreadyExists,
    CoachRecord,
    InviteKind,
    InviteRecord,
    ParticipantRecord,
    groups,
    invites,
    participants,
)
from bot.storage.coaching import find_invite
from bot.telegram.coach import handlers as coach
from bot.telegram.coach.render import as_messages
from bot.telegram.context import BotContext
from bot.telegram.sending import send_all

TOO_MANY_TRIES = N_("Too many links that did not work. Please try again in an hour.")
WRONG_CODE = N_(
    "This link does not work: it may have expired or been used up. Ask your coach for a new one."
)
COACH_LINK_USED = N_("This link does not work any more. Ask the administrator for a new one.")


async def join_with_code(
    update: Update, context: BotContext, code: str
) -> ParticipantRecord | None:
    """Act on an invite code; returns the participant to go on with, or None when answered."""
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
        await _join_as_coach(context, user, invite)
        return None
    return await _join_as_participant(context, user, invite)


async def _say(context: BotContext, user: User, tr: Translator, message: str) -> None:
    await send_all(context, user.id, as_messages(tr, [tr._(message)]))


async def _join_as_coach(context: BotContext, user: User, invite: InviteRecord) -> None:
    rt = context.runtime
    used = await invites.redeem_invite(rt.db, invite.code_hash)
    if used is None or used.group_id is None:  # the last use went to someone else just now
        await _say(context, user, context.tr, COACH_LINK_USED)
        return
    found = await groups.get_coach_by_telegram_id(rt.db, user.id)
    if found is None:
        found = await _new_coach(context, user)
    await groups.add_coach_to_group(rt.db, used.group_id, found.id)
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


async def _join_as_participant(
    context: BotContext, user: User, invite: InviteRecord
) -> ParticipantRecord | None:
    rt = context.runtime
    if await groups.get_coach_by_telegram_id(rt.db, user.id) is not None:
        tr = context.tr
        text = tr._("You are a coach: this link is for your participants. Show it to them.")
        await send_all(context, user.id, as_messages(tr, [text]))
        return None
    person = await participants.get_by_telegram_id(rt.db, user.id)
    if person is not None and person.group_id == invite.group_id:
        return person  # tapped again: nothing to spend
    if await invites.redeem_invite(rt.db, invite.code_hash) is None:
        await _say(context, user, context.tr, WRONG_CODE)
        return None
    if person is None:
        return await _new_participant(context, user, invite.group_id)
    await participants.set_group(rt.db, person.id, invite.group_id)
    return await participants.get(rt.db, person.id)


async def _new_participant(
    context: BotContext, user: User, group_id: int | None
) -> ParticipantRecord | None:
    rt = context.runtime
    language = choose_language(user.language_code)
    try:
        return await participants.create(
            rt.db, user.id, user.first_name or "", language, group_id=group_id
        )
    except AlreadyExists:  # a double tap raced us: put the one stored in the group
        person = await participants.get_by_telegram_id(rt.db, user.id)
        if person is not None:
            await participants.set_group(rt.db, person.id, group_id)
        return await participants.get_by_telegram_id(rt.db, user.id)
