"""What every handler shares, kept in ``context.bot_data`` as PTB intends.

The course is replaceable while the bot runs (the preview reloads edited
lessons), so handlers read ``runtime.course`` on every update rather than keep
their own reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot import clock
from bot.coach_files import FileMaker
from bot.config import Settings
from bot.course.engine import Access
from bot.course.model import Course, Week
from bot.course.schedule import access_for, unlock_date
from bot.i18n.languages import SOURCE
from bot.i18n.translator import Translator, translator
from bot.media import synthetic
from bot.media.speech import VoiceStore
from bot.ops.metrics import Metrics
from bot.storage import Database, actions, groups
from bot.storage.records import ParticipantRecord
from bot.storage.speakers import Pace
from bot.telegram.participant.render import Renderer


@dataclass
class Runtime:
    settings: Settings
    db: Database
    course: Course
    file_ids: dict[Path, str] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    live_cards: dict[int, int] = field(default_factory=dict)
    """Per chat, the message whose buttons are live: the current card (see cards.py)."""
    undelivered_chats: set[int] = field(default_factory=set)
    """Chats with messages Telegram did not take (bot/telegram/sending.py), sent first next time."""
    failed_sends: int = 0
    """Messages Telegram did not take after every retry, since the bot started."""
    voices: VoiceStore | None = None
    """The course's voice notes: recordings, synthetic speech (set up from the settings)."""
    files: FileMaker = field(default_factory=FileMaker)
    """The process that makes the coaches' files (bot.coach_files)."""

    def __post_init__(self) -> None:
        if self.voices is None:
            self.voices = VoiceStore(
                self.settings.lessons_dir,
                self.settings.media_dir,
                self.settings.locales_dir,
                synthesizer=synthetic.synthesizer(),
            )

    def today(self) -> date:
        return clock.today(self.settings.timezone)

    def translator(self, language: str | None) -> Translator:
        return translator(self.settings.locales_dir, language or SOURCE)

    async def access(
        self, participant: ParticipantRecord, pace: Pace | None = None
    ) -> tuple[Access, Renderer]:
        """The weeks open to a participant and a renderer that can say when the next opens.

        ``pace``: as read with the participant (``context.reader.pace_of``), which saves
        two round trips to the database on every press.
        """
        if pace is None:
            pace = await self._pace(participant)
        start, self_paced, extra = pace.start_date, pace.self_paced, pace.extra_weeks
        access = access_for(start, self_paced, self.today(), extra)

        def opens(week: Week) -> date | None:
            if start is None or self_paced:
                return None
            return unlock_date(start, week.number - extra)

        tr = self.translator(participant.language)
        return access, Renderer(tr, self.settings.lessons_dir, opens, self.voices)

    async def _pace(self, participant: ParticipantRecord) -> Pace:
        group = None
        if participant.group_id is not None:
            group = await groups.get_group(self.db, participant.group_id)
        extra = await actions.extra_weeks(self.db, participant.id)
        return Pace(group.start_date if group else None, group.self_paced if group else True, extra)

    def renderer(self, language: str | None) -> Renderer:
        return Renderer(self.translator(language), self.settings.lessons_dir, voices=self.voices)
