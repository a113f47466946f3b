"""The one place where the bot is wired: the Application and its handlers, in order."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.course.model import Course
from bot.i18n.languages import LANGUAGES
from bot.ops.metrics import ObservedApplication, count_calls
from bot.storage import Database
from bot.telegram import commands, duties, recording
from bot.telegram.coach import callbacks as coach_callbacks
from bot.telegram.coach import handlers as coach
from bot.telegram.context import BotApplication, BotContext
from bot.telegram.errors import on_error, who_is_speaking
from bot.telegram.pacing import Backoff, ChatPacingRateLimiter
from bot.telegram.participant import handlers as participant
from bot.telegram.participant import privacy, reminders, settings
from bot.telegram.processor import PerUserUpdateProcessor
from bot.telegram.request import AiohttpRequest
from bot.telegram.runtime import Runtime

# A bounded number of concurrent updates: 256 makes httpx scan a large connection
# pool on every request. Between 4 and 32 make bench showed no difference beyond
# its noise (120-175 updates/s), so this stays at the value DESIGN.md measured.
CONCURRENT_UPDATES = 16
# Handler groups, in the order they run: who is speaking, then the coaches' side.
WHO = -2
COACHES = -1
# The readers' recording mode shares the coaches' group: it takes only voice notes, which
# no coach handler takes, and like them ends the update when it answered.
READERS = COACHES


def build_application(
    settings: Settings,
    db: Database,
    course: Course,
    *,
    rate_limiter: bool = True,
) -> BotApplication:
    """The real PTB Application, pointed at Telegram or at the local emulator.

    ``rate_limiter=False`` turns Telegram's pace off (the bench); a 429 is still
    waited out and failed calls are still tried again.
    """
    timeout = settings.telegram_timeout
    pacing = ChatPacingRateLimiter(
        per_chat_per_second=settings.chat_messages_per_second,
        pacing=rate_limiter,
        backoff=Backoff(first_delay=settings.send_retry_delay),
        per_second=settings.bot_messages_per_second,
    )
    builder = (
        ApplicationBuilder()
        .application_class(ObservedApplication)
        .token(settings.bot_token or "")
        .base_url(settings.bot_api_url)
        .base_file_url(settings.base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerUserUpdateProcessor(CONCURRENT_UPDATES))
        .request(AiohttpRequest(CONCURRENT_UPDATES + 4, timeout, timeout, timeout, timeout))
        .get_updates_request(AiohttpRequest(1, timeout, timeout, timeout, timeout))
        .rate_limiter(pacing)
        .updater(None)  # bot/telegram/inbox.py fetches: stored before confirmed
        .post_init(_post_init)
    )
    application = builder.build()
    runtime = Runtime(settings=settings, db=db, course=course)
    application.bot_data["runtime"] = runtime
    count_calls(application.bot, runtime.metrics)
    register_handlers(application)
    return application


def register_handlers(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE

    # Who is speaking, looked up once per update: every handler below reads context.reader.
    application.add_handler(TypeHandler(Update, who_is_speaking), WHO)

    # Coaches: their commands, buttons and jobs. An earlier handler group, so a
    # coach's /start, /help, /language or text is answered as a coach's; each
    # coach handler ends the update with ApplicationHandlerStop when it answered,
    # and lets everyone else through to the participant's handlers below.
    application.add_handler(
        CommandHandler("start", coach.help_gate, filters=private, has_args=False), COACHES
    )
    application.add_handler(CommandHandler("help", coach.help_gate, filters=private), COACHES)
    application.add_handler(
        CommandHandler("language", coach.language_gate, filters=private), COACHES
    )
    application.add_handler(CommandHandler("group", coach.group_command, filters=private), COACHES)
    application.add_handler(
        CommandHandler("invite", coach.invite_command, filters=private), COACHES
    )
    application.add_handler(
        CallbackQueryHandler(coach.press, pattern=coach_callbacks.PATTERN), COACHES
    )
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, coach.text_gate), COACHES
    )

    # Readers: the recording mode. A voice note is a recording only in an open session;
    # everyone else's goes on to the participant's handlers, which never fetch it.
    application.add_handler(CommandHandler("record", recording.record_command, filters=private))
    application.add_handler(MessageHandler(private & filters.VOICE, recording.voice_gate), READERS)

    # Commands a participant uses.
    application.add_handler(CommandHandler("start", participant.start, filters=private))
    application.add_handler(CommandHandler("continue", participant.continue_, filters=private))
    application.add_handler(CommandHandler("progress", participant.show_progress, filters=private))
    application.add_handler(CommandHandler("language", participant.language, filters=private))
    application.add_handler(CommandHandler("help", participant.help_, filters=private))
    application.add_handler(CommandHandler("settings", settings.settings_command, filters=private))
    application.add_handler(CommandHandler("mydata", privacy.my_data, filters=private))
    application.add_handler(CommandHandler("delete", privacy.delete, filters=private))

    # Buttons: decoded strictly, then checked against where the presser stands.
    application.add_handler(CallbackQueryHandler(participant.press))

    # Practical tasks: the kind of upload is noted, the file itself never fetched.
    uploads = filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO
    application.add_handler(MessageHandler(private & uploads, participant.upload))

    # A participant who blocks the bot is paused at once, not at the next 403.
    application.add_handler(
        ChatMemberHandler(reminders.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )

    # Anything else typed: point the way.
    application.add_handler(MessageHandler(private & filters.TEXT, participant.text_message))

    duties.schedule(application)
    application.add_error_handler(on_error)


async def _post_init(application: BotApplication) -> None:
    runtime: Runtime = application.bot_data["runtime"]
    translators = {code: runtime.translator(code) for code in LANGUAGES}
    await commands.register_menus(application.bot, translators)


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
