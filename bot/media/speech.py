"""What a card says aloud, the name its audio goes by, and where that audio is.

A card (a step or a question) is spoken in one reader's language as a *script*:
its text as that reader reads it (the translated lesson text), a step's Swedish key
terms in the Swedish voice beside their explanation, and a question's options.
The script is named by the card's key (``week/lesson/item``) and a hash of its
exact wording, so a reworded text, or a new translation of it, no longer matches
its old audio: like a fuzzy translation, that audio is never played again.

Audio comes from the best place there is: a human recording of the current
wording (``MEDIA_DIR/audio/recorded/<lang>/`` as a reader made it in Telegram, or
``lessons/media/audio/<lang>/`` as a trainer committed it), else synthetic speech
(bot/media/synthetic.py) for the languages espeak-ng speaks, else none, and then
no button is shown.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.course.model import Course, Lesson, Question, Step, Text
from bot.i18n.languages import SOURCE
from bot.i18n.translator import translator

AUDIO_SUFFIX = ".ogg"
HASH_LENGTH = 16
# The languages Debian's espeak-ng speaks, with the voice each is spoken in. Somali
# and Tigrinya have none: they get audio only from a human recording.
SYNTHETIC_VOICES = {"sv": "sv", "en": "en-gb", "ar": "ar", "fa": "fa", "uk": "uk"}
OGG_MAGIC = b"OggS"

Card = Step | Question


class SpeechError(Exception):
    """Synthetic speech could not be made (espeak-ng or opusenc missing or failing)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One run of speech in one language (a Swedish term inside a translated step)."""

    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Script:
    """A card as it is spoken in one reader's language."""

    key: str
    language: str
    segments: tuple[Segment, ...]

    @property
    def wording(self) -> str:
        """The words a reader reads aloud, a segment a line."""
        return "\n".join(segment.text for segment in self.segments)

    @property
    def recorded_name(self) -> str:
        """A human recording's file name: the card's key and the hash of its wording."""
        return f"{slug(self.key)}-{_hash(self.language, self.wording)}{AUDIO_SUFFIX}"

    @property
    def synthetic_name(self) -> str:
        """Synthetic audio's file name: the hash also names the voices that spoke it."""
        voices = [f"{s.language}:{SYNTHETIC_VOICES.get(s.language, '')}" for s in self.segments]
        parts = [self.language, *voices, self.wording]
        return f"{slug(self.key)}-{_hash(*parts)}{AUDIO_SUFFIX}"

    @property
    def synthesizable(self) -> bool:
        return all(segment.language in SYNTHETIC_VOICES for segment in self.segments)


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:HASH_LENGTH]


def slug(key: str) -> str:
    """A card key as a file name: ids hold only letters, digits, ``_`` and ``-``."""
    return key.replace("/", "~")


def card_key(card: Card) -> str:
    """``week/lesson/item``: the key every text of the card is stored under, without its field."""
    return card.text.key.rsplit("/", 1)[0]


def cards(course: Course) -> Iterator[tuple[Lesson, Card]]:
    """Every step and question of the course, in reading order."""
    for lesson in course.lessons:
        yield from ((lesson, step) for step in lesson.steps)
        if lesson.quiz is not None:
            yield from ((lesson, question) for question in lesson.quiz.questions)


def find_card(course: Course, lesson_id: str, item_id: str) -> Card | None:
    located = course.locate(lesson_id)
    if located is None:
        return None
    lesson = located[1]
    step = lesson.step(item_id)
    if step is not None:
        return step
    return lesson.quiz.question(item_id) if lesson.quiz is not None else None


# Emoji and other pictographs are read out by name by a speech engine; they are dropped.
_SPACES = re.compile(r"[ \t]+")


def speakable(text: str) -> str:
    """The text as it is spoken: without emoji and marks, one space between words."""
    kept = "".join(
        char
        for char in text
        if unicodedata.category(char) not in ("So", "Sk", "Cf", "Co", "Cn") and char not in "\ufe0f"
    )
    lines = (_SPACES.sub(" ", line).strip() for line in kept.splitlines())
    return "\n".join(line for line in lines if line)


class Lookup(Protocol):
    """Where lesson texts come from: the bot's Translator, or the catalogs for coverage."""

    @property
    def language(self) -> str: ...

    def lesson_found(self, text: Text) -> tuple[str, str]: ...


def script_for(card: Card, tr: Lookup) -> Script | None:
    """The card spoken in the reader's language, or None when it is not translated into it.

    A card whose own text falls back to another language has nothing to say in
    this one: its Swedish (or English) audio is offered instead, not mislabelled.
    """
    main, language = tr.lesson_found(card.text)
    if language != tr.language:
        return None
    segments = [_segment(main, language)]
    if isinstance(card, Step):
        for term in card.terms:
            segments.append(_segment(term.term, SOURCE))
            segments.append(_found(tr, term.explanation))
    else:
        segments += [_found(tr, option.text) for option in card.options]
    kept = tuple(segment for segment in segments if segment.text)
    return Script(card_key(card), tr.language, kept)


def _found(tr: Lookup, text: Text) -> Segment:
    found, language = tr.lesson_found(text)
    return _segment(found, language)


def _segment(text: str, language: str) -> Segment:
    return Segment(language, speakable(text))


# ---------------------------------------------------------------- where the audio is

MAX_KEPT_SCRIPTS = 50_000
"""Far above the course's cards in all its languages: reached only after many reloads."""

Synthesizer = Callable[[Script, Path], None]
"""Writes a script as an OGG/Opus voice note to the path; raises SpeechError."""


class VoiceStore:
    """The voice notes of the course: human recordings first, then synthetic speech.

    ``synthesizer`` makes synthetic audio (bot/media/synthetic.py), or is None when
    espeak-ng and opusenc are not on this machine: then only audio already built
    (or recorded) is offered.
    """

    def __init__(
        self,
        lessons_dir: Path,
        media_dir: Path,
        locales_dir: Path,
        *,
        synthesizer: Synthesizer | None,
    ) -> None:
        self.lessons_dir = lessons_dir
        self.media_dir = media_dir
        self.locales_dir = locales_dir
        self.synthesizer = synthesizer
        self._scripts: dict[tuple[int, int], tuple[Card, Lookup, Script | None]] = {}

    @property
    def recorded_dir(self) -> Path:
        return self.media_dir / "audio" / "recorded"

    @property
    def committed_dir(self) -> Path:
        return self.lessons_dir / "media" / "audio"

    @property
    def synthetic_dir(self) -> Path:
        return self.media_dir / "audio" / "synthetic"

    def script(self, card: Card, language: str) -> Script | None:
        """The card spoken in ``language``, worked out once per card and catalog.

        Every card a participant is shown asks for its scripts (the listen buttons),
        and the script depends only on the card and the language's catalogs: it is
        kept, keyed by the identity of both, so a reloaded course or recompiled
        catalog (new objects) is worked out afresh.
        """
        tr = translator(self.locales_dir, language)
        key = (id(card), id(tr))
        kept = self._scripts.get(key)
        if kept is not None and kept[0] is card and kept[1] is tr:
            return kept[2]
        if len(self._scripts) > MAX_KEPT_SCRIPTS:  # old courses' cards after many reloads
            self._scripts.clear()
        found = script_for(card, tr)
        self._scripts[key] = (card, tr, found)
        return found

    def recording(self, script: Script) -> Path | None:
        """The human recording of exactly this wording, if a reader made one."""
        for folder in (self.recorded_dir, self.committed_dir):
            path = folder / script.language / script.recorded_name
            if path.is_file():
                return path
        return None

    def synthetic_path(self, script: Script) -> Path:
        return self.synthetic_dir / script.language / script.synthetic_name

    def has_audio(self, script: Script | None) -> bool:
        """Whether a voice note of this script exists or can be made here."""
        if script is None:
            return False
        if self.recording(script) is not None:
            return True
        if not script.synthesizable:
            return False
        return self.synthesizer is not None or self.synthetic_path(script).is_file()

    def voice_file(self, script: Script) -> Path | None:
        """The file to send: the recording, else synthetic audio (built now if need be).

        Building blocks for a moment: the bot calls this in a thread, off its event loop.
        """
        recorded = self.recording(script)
        if recorded is not None:
            return recorded
        if not script.synthesizable:
            return None
        path = self.synthetic_path(script)
        if path.is_file():
            return path
        if self.synthesizer is None:
            return None
        try:
            self.synthesizer(script, path)
        except SpeechError:
            return None
        return path

    def store_recording(self, script: Script, data: bytes) -> Path:
        """Keep a reader's voice note as the recording of this wording (replacing one)."""
        path = self.recorded_dir / script.language / script.recorded_name
        write_atomically(path, data)
        return path


def write_atomically(path: Path, data: bytes) -> None:
    """Written beside and renamed, so a bot sending at the same time never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def is_ogg(data: bytes) -> bool:
    return data.startswith(OGG_MAGIC)
