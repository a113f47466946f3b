"""Right-to-left text done right on every phone: direction follows the text.

A message in Arabic or Persian starts with a right-to-left mark so Telegram
aligns it right even when it opens with a Swedish word or a number, and every
Swedish term inside it is wrapped in first-strong isolate … pop directional
isolate (U+2068 … U+2069) so "BankID", "1177" or "/mydata" cannot reorder the
sentence. A text that is itself left to right (a Swedish or English fallback
where no translation exists yet) is wrapped whole in a left-to-right isolate
(U+2066 … U+2069), line by line, so its punctuation stays where it was written
even inside an Arabic chat; such a line gets no right-to-left mark.
"""

from __future__ import annotations

import re

RLM = "\u200f"
LRI = "\u2066"
FSI = "\u2068"
PDI = "\u2069"
PLACEHOLDER = re.compile(r"(\{[^{}]*\})")

# Runs of Latin script (Swedish words, BankID, 1177, /commands) inside right-to-left text.
LATIN_RUN = re.compile(r"/?[0-9A-Za-zÀ-ÿ][0-9A-Za-zÀ-ÿ .,:/@_'’-]*[0-9A-Za-zÀ-ÿ]|/?[0-9A-Za-zÀ-ÿ]")


def isolate(fragment: str, rtl: bool) -> str:
    """Wrap a left-to-right fragment (a Swedish term, a name) for use in RTL text."""
    return f"{FSI}{fragment}{PDI}" if rtl else fragment


def paragraph(text: str, rtl: bool) -> str:
    """Mark each line of an RTL message so it aligns and reads right to left."""
    if not rtl:
        return text
    return "\n".join(
        line if not line or line.startswith((RLM, LRI)) else RLM + line for line in text.split("\n")
    )


def isolate_ltr(text: str) -> str:
    """A left-to-right text shown to a right-to-left reader: each line in its own isolate."""
    return "\n".join(f"{LRI}{line}{PDI}" if line else line for line in text.split("\n"))


def isolate_latin_template(template: str) -> str:
    """``isolate_latin`` for a UI string, leaving its ``{placeholders}`` untouched."""
    return "".join(
        piece if PLACEHOLDER.fullmatch(piece) else isolate_latin(piece)
        for piece in PLACEHOLDER.split(template)
    )


def isolate_latin(text: str) -> str:
    """Wrap runs of Latin script in isolates, leaving already isolated parts alone."""
    pieces = re.split(f"({FSI}[^{PDI}]*{PDI})", text)
    return "".join(
        piece
        if piece.startswith(FSI)
        else LATIN_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", piece)
        for piece in pieces
    )
