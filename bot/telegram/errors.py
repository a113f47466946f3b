"""One error handler: log with the update it came from; the person gets a short apology."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.i18n.languages import choose_language
from bot.storage import participants
from bot.telegram.runtime import Context, runtime

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    rt = runtime(context)
    try:  # the language they chose; their phone's if the database cannot tell
        person = await participants.get_by_telegram_id(rt.db, user.id)
        language = person.language if person else None
    except Exception:
        language = None
    tr = rt.translator(language or choose_language(user.language_code))
    try:
        await context.bot.send_message(
            user.id,
            tr.message(tr._("Sorry, something went wrong on my side. Please try /continue.")),
        )
    except TelegramError:
        log.warning("could not send the apology for update %s", update_id)
