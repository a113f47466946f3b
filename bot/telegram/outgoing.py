"""What the bot says, as Telegram will count it: the one place that measures and splits.

Every sender (the participant's course, privacy, the coach's reports, digests and
alerts) hands over ``Outgoing`` values whose text is final: translated, marked for
right-to-left where its language needs it, with Latin runs isolated. Only then is
it measured, in UTF-16 code units as Telegram counts, against Telegram's own limits
from ``telegram.constants``, and split at line breaks into messages that fit. Marks
are per line, so every piece keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from telegram.constants import MessageLimit

from bot.course.limits import utf16_len

TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class AlbumPhoto:
    """One picture of an album, under its caption (a picture answer's letter)."""

    path: Path
    caption: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send, or, with ``edit``, to put in place of the pressed one."""

    text: str
    buttons: Rows = ()
    photo: Path | None = None
    audio: Path | None = None
    edit: bool = False
    redrawn: bool = False  # its text is replaced on each tick, so nothing is joined into it
    document: Attachment | None = None  # a file sent with the (last piece of the) text
    album: tuple[AlbumPhoto, ...] = ()
    """Pictures sent together (sendMediaGroup) before the text; an album takes no buttons."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file made for the reader, such as the /mydata export."""

    filename: str
    content: bytes


CLOSE_PRESSED = Outgoing("", edit=True)
"""Keep the pressed message's text and take its buttons away: it is no longer the current card."""


Keyboard = dict[str, list[list[dict[str, str]]]]
"""An inline keyboard as the Bot API's JSON (``reply_markup``)."""


def keyboard(message: Outgoing) -> Keyboard | None:
    """The message's buttons as Telegram's JSON, built directly: PTB's InlineKeyboardMarkup
    would be made only to be turned back into this dict on every reply."""
    if not message.buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": b.text, "callback_data": b.data} for b in row] for row in message.buttons
        ]
    }


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _hard_split(line, limit):
            joined = f"{current}\n{part}" if current else part
            if current and utf16_len(joined) > limit:
                pieces.append(current)
                current = part
            else:
                current = joined
    if current or not pieces:
        pieces.append(current)
    return pieces


def _hard_split(line: str, limit: int) -> list[str]:
    """A single line longer than the limit is cut between characters, never inside one."""
    if utf16_len(line) <= limit:
        return [line]
    parts: list[str] = []
    current = ""
    for char in line:
        if utf16_len(current) + utf16_len(char) > limit:
            parts.append(current)
            current = ""
        current += char
    return [*parts, current]


def fit(message: Outgoing) -> list[Outgoing]:
    """The message as Telegram will take it: buttons stay under the last piece.

    A photo keeps its text as a caption when it fits; otherwise the photo goes
    alone and the text follows in messages of its own. An album always goes alone,
    first: Telegram puts no buttons under one.
    """
    if message.album:
        return [Outgoing("", album=message.album), *fit(replace(message, album=()))]
    if message.photo is not None and utf16_len(message.text) <= CAPTION_LIMIT:
        return [message]
    if message.edit:
        return [message] if utf16_len(message.text) <= TEXT_LIMIT else _edited_too_long(message)
    pieces = split_text(message.text)
    out = [replace(message, text=piece, buttons=(), audio=None, document=None) for piece in pieces]
    out[-1] = replace(
        out[-1], buttons=message.buttons, audio=message.audio, document=message.document
    )
    if message.photo is not None:
        alone = replace(message, text="", buttons=(), audio=None)
        out = [alone, *(replace(o, photo=None) for o in out)]
    return out


def _edited_too_long(message: Outgoing) -> list[Outgoing]:
    """An edit replaces one message: the first piece is the edit, the rest are new messages."""
    pieces = split_text(message.text)
    first = replace(message, text=pieces[0], buttons=())
    rest = [Outgoing(piece) for piece in pieces[1:]]
    rest[-1] = replace(rest[-1], buttons=message.buttons)
    return [first, *rest]


def coalesce(messages: list[Outgoing]) -> list[Outgoing]:
    """Join a plain message into the one after it, so a reply is one bubble, not three.

    Feedback, "lesson done" and the next card arrive together on the phone and
    cost one call to Telegram instead of several. Messages with media, buttons
    or an edit keep their own place.
    """
    merged: list[Outgoing] = []
    for message in messages:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.buttons
            and previous.photo is None
            and previous.audio is None
            and not previous.edit
            and not previous.album
            and not message.album
            and not message.edit
            and not message.redrawn
            and message.photo is None
            and utf16_len(previous.text) + utf16_len(message.text) + 2 <= TEXT_LIMIT
        ):
            merged[-1] = replace(message, text=f"{previous.text}\n\n{message.text}")
        else:
            merged.append(message)
    return merged
