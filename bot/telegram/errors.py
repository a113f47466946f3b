"""One error handler: log with the update it came from; the person gets a short apology."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.i18n.languages import choose_language
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    reader = context.resolved  # their chosen language; their phone's if it was not looked up
    tr = reader.tr if reader else context.runtime.translator(choose_language(user.language_code))
    try:
        await context.bot.send_message(
            user.id,
            tr.message(tr._("Sorry, something went wrong on my side. Please try /continue.")),
        )
    except TelegramError:
        log.warning("could not send the apology for update %s", update_id)
