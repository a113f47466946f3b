"""Right-to-left text done right on every phone.

A message in Arabic or Persian starts with a right-to-left mark so Telegram
aligns it right even when it opens with a Swedish word or a number, and every
Swedish term inside it is wrapped in first-strong isolate … pop directional
isolate (U+2068 … U+2069) so "BankID" or "1177" cannot reorder the sentence.
"""

from __future__ import annotations

RLM = "\u200f"
FSI = "\u2068"
PDI = "\u2069"


def isolate(fragment: str, rtl: bool) -> str:
    """Wrap a left-to-right fragment (a Swedish term, a name) for use in RTL text."""
    return f"{FSI}{fragment}{PDI}" if rtl else fragment


def paragraph(text: str, rtl: bool) -> str:
    """Mark each line of an RTL message so it aligns and reads right to left."""
    if not rtl:
        return text
    return "\n".join(
        line if not line or line.startswith(RLM) else RLM + line for line in text.split("\n")
    )
