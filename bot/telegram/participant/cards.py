"""Only the current card in a participant's chat has live buttons.

Every course card (a step, a question, an offer, a result, the way on) is sent
through ``send_cards``, which remembers the newest message with buttons and takes
the buttons off the one before it, however it was reached: a press, /continue,
/progress or a language change. The memory is the process's own; after a restart
an older card may keep its buttons, and a press on it is answered as an old button.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Message, Update
from telegram.error import BadRequest, Forbidden

from bot.telegram.context import BotContext
from bot.telegram.outgoing import Outgoing
from bot.telegram.sending import edit_raw, send_all

log = logging.getLogger(__name__)


async def send_cards(
    context: BotContext, chat_id: int, messages: Sequence[Outgoing], pressed: Message | None = None
) -> None:
    live = (await send_all(context, chat_id, messages, pressed)).shown
    if not live:
        return
    cards = context.runtime.live_cards
    before, cards[chat_id] = cards.get(chat_id), live[-1]
    done_with = {before, *live[:-1]} - {None, live[-1]}
    if pressed is not None:
        done_with.discard(pressed.message_id)  # already edited or closed by the reply itself
    for message_id in done_with:
        assert message_id is not None
        await _close(context, chat_id, message_id)


async def _close(context: BotContext, chat_id: int, message_id: int) -> None:
    try:
        await edit_raw(context.bot, chat_id, message_id, None)
    except (BadRequest, Forbidden) as error:  # gone, too old, or already without buttons
        log.debug("could not close card %s in chat %s: %s", message_id, chat_id, error)


def pressed_message(update: Update) -> Message | None:
    query = update.callback_query
    message = query.message if query is not None else None
    return message if isinstance(message, Message) else None
