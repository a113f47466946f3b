"""The context every handler receives: the shared runtime and who is speaking.

PTB builds one context per update (``ContextTypes(context=BotContext)``, as in
its contexttypesbot example). The first handler group (``resolve_reader``) looks
the sender up once: a stranger, a participant or a coach, with the translator
for the language they read. Every later handler reads ``context.reader`` instead
of asking the database again, and handlers that change the person (a /start, a
language, a consent) call :meth:`BotContext.refresh_reader`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n.languages import choose_language
from bot.i18n.translator import Translator
from bot.storage.newcomers import NewcomerRecord
from bot.storage.records import CoachRecord, ParticipantRecord
from bot.storage.speakers import Pace, speaker
from bot.telegram.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Reader:
    """The person an update comes from, as stored, and the language they read."""

    telegram_id: int
    tr: Translator
    participant: ParticipantRecord | None = None
    progress: str | None = None
    """The participant's saved progress JSON, read with the record in one query."""
    coach: CoachRecord | None = None
    newcomer: NewcomerRecord | None = None
    """Someone who opened the bot but has not agreed yet: no name is stored for them."""
    pace: Pace | None = None
    """The participant's group start, pace and extra weeks, read with the record."""

    def pace_of(self, person: ParticipantRecord) -> Pace | None:
        """The pace read with ``person``, if this reader is them (else the runtime reads it)."""
        p = self.participant
        return self.pace if p is not None and p.id == person.id else None

    @property
    def consented(self) -> ParticipantRecord | None:
        """The participant, once they agreed to the storing of their data."""
        p = self.participant
        return p if p is not None and p.consent_at is not None else None


BotApplication = Application[Any, Any, Any, Any, Any, Any]
"""The Application as the bot builds it (PTB's generic parameters spelled once)."""


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with the project's runtime and the resolved reader."""

    def __init__(
        self,
        application: BotApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self._reader: Reader | None = None

    @property
    def runtime(self) -> Runtime:
        found: Runtime = self.bot_data["runtime"]
        return found

    @property
    def reader(self) -> Reader:
        if self._reader is None:
            raise RuntimeError("the reader is resolved in the first handler group")
        return self._reader

    @property
    def resolved(self) -> Reader | None:
        """The reader if the first group got to look them up (an error may come earlier)."""
        return self._reader

    @property
    def tr(self) -> Translator:
        return self.reader.tr

    async def refresh_reader(self, update: Update) -> Reader:
        """Look the sender up again, after a handler changed what is stored about them."""
        self._reader = await read_reader(self.runtime, update)
        return self._reader


async def read_reader(rt: Runtime, update: Update) -> Reader:
    user = update.effective_user
    if user is None:
        return Reader(0, rt.translator(None))
    found = await speaker(rt.db, user.id)  # one hop to the database thread
    person, coach, newcomer = found.participant, found.coach, found.newcomer
    if coach is not None:
        language = coach.language
    elif person is not None:
        language = person.language
    elif newcomer is not None and newcomer.language is not None:
        language = newcomer.language
    else:
        language = choose_language(user.language_code)
    tr = rt.translator(language)
    return Reader(user.id, tr, person, found.progress, coach, newcomer, found.pace)


async def resolve_reader(update: Update, context: BotContext) -> None:
    """The first handler group: who is speaking, resolved once per update."""
    await context.refresh_reader(update)
