"""How long a text may be where a participant reads it, measured as the chat counts.

The course is written for a chat: a card is one message, a picture's text is a
caption, an answer is a button. The pure core checks lesson texts against these
sizes (the JSON Schemas' maxLength must be one of them: tests/test_schema.py), and
tests/test_render.py asserts that they equal python-telegram-bot's own constants
(telegram.constants), so the core still imports nothing of Telegram.
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_LIMIT = 64
CALLBACK_DATA_BYTES = 64

HOLDERS = {
    MESSAGE_LIMIT: "a Telegram message holds",
    CAPTION_LIMIT: "a text under an image (a caption) holds",
    BUTTON_LIMIT: "a button holds",
}
"""What holds a text of each size, for "text is 77 characters; a button holds at most 64"."""


def utf16_len(text: str) -> int:
    """The length a chat counts: UTF-16 code units, so an emoji counts as two."""
    return len(text.encode("utf-16-le")) // 2


GOAL_CHARS = 500
"""A participant's own goal is a sentence or two; a longer message is asked to be shorter,
so the coach's page and the one-page PDF keep room for it."""
