"""One error handler: log where it happened; the person gets a short apology.

The log line and the optional notice to ADMIN_CHAT_ID name the kind of error
and the place in the code, never the update's contents (texts, names, ids):
that is what an operator needs, and all a log may keep. Database errors are
counted too, so a failing disk shows on /metrics before anyone complains.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.i18n.languages import choose_language
from bot.storage.database import DATABASE_ERRORS
from bot.telegram.context import BotContext, resolve_reader

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parents[1]


def where(error: BaseException | None) -> str:
    """The innermost frame of the bot's own code: ``bot/telegram/x.py:42 in handler``."""
    if error is None or error.__traceback__ is None:
        return "unknown place"
    place = "outside the bot's code"
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(PACKAGE):
            place = f"{path.relative_to(PACKAGE.parent)}:{frame.lineno} in {frame.name}"
    return place


async def who_is_speaking(update: Update, context: BotContext) -> None:
    """The first handler group: resolve the reader; if that fails, one apology and stop.

    Without the stop, every later group would fail on the missing reader too, and the
    person would get an apology from each.
    """
    try:
        await resolve_reader(update, context)
    except Exception as error:
        context.error = error
        await on_error(update, context)
        raise ApplicationHandlerStop from error


async def on_error(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    kind = type(error).__name__
    place = where(error)
    if isinstance(error, DATABASE_ERRORS):
        context.runtime.metrics.database_errors.labels(kind).inc()
        log.error("database error %s (%s) at %s, update %s", kind, error, place, update_id)
    else:
        log.error("%s at %s while handling update %s", kind, place, update_id, exc_info=error)
    await _tell_admin(context, f"{kind} at {place}")
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


async def _tell_admin(context: BotContext, summary: str) -> None:
    """A short notice for the operator (English: it is the operator's, not a participant's)."""
    admin = context.runtime.settings.admin_chat_id
    if admin is None:
        return
    try:
        await context.bot.send_message(admin, f"Unexpected error: {summary}")
    except TelegramError as failure:
        log.warning("could not notify ADMIN_CHAT_ID: %s", type(failure).__name__)
