"""Formatted text: parse_mode markup to plain text plus entities, as Telegram does.

Telegram refuses badly formed markup ("can't parse entities: Unsupported start
tag "br" at byte offset 5", an unescaped "." in MarkdownV2): these are the most
common ways a bot message fails in production, so the emulator parses the markup
the same way and refuses the same texts. Offsets and lengths are in UTF-16 code
units, and the 4096/1024 limits are counted in them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.errors import ApiError, bad_request

Entity = dict[str, Any]

ENTITY_FIELDS = ("type", "offset", "length", "url", "user", "language", "custom_emoji_id")
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_TAG_NAME = re.compile(r"[a-zA-Z0-9-]+")
_ATTRIBUTE = re.compile(r"\s*([a-zA-Z-]+)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_LANGUAGE_CLASS = re.compile(r"language-(\S+)")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Formatted:
    """Plain text and its entities, ready to store in a Message."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def format_text(text: str, parse_mode: str | None, entities: object | None) -> Formatted:
    """Apply explicit entities or parse_mode, then trim as Telegram does."""
    if entities is not None:
        return _trim(Formatted(text, _checked_entities(entities, utf16_len(text))))
    mode = (parse_mode or "").lower()
    if mode == "":
        return _trim(Formatted(text))
    parsers = {"html": _parse_html, "markdownv2": _parse_markdown_v2, "markdown": _parse_markdown}
    if mode not in parsers:
        raise bad_request("unsupported parse_mode")
    return _trim(parsers[mode](text))


def _cannot_parse(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _checked_entities(raw: object, text_length: int) -> list[Entity]:
    """Explicit entities: a list of MessageEntity, kept to their known fields."""
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    checked: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be of type Number')
        if offset < 0 or length <= 0 or offset >= text_length:
            continue
        entity = {key: item[key] for key in ENTITY_FIELDS if key in item}
        entity["length"] = min(length, text_length - offset)
        checked.append(entity)
    return _sorted(checked)


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _trim(formatted: Formatted) -> Formatted:
    """Drop leading and trailing whitespace, moving the entities with the text."""
    text = formatted.text
    stripped = text.strip()
    if stripped == text:
        return formatted
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    moved: list[Entity] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, end)
        if stop > start:
            moved.append({**entity, "offset": start, "length": stop - start})
    return Formatted(stripped, moved)


class _Builder:
    """Collects plain text and entities while a parser walks the markup."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.offset += utf16_len(text)

    def close(self, kind: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            entity: Entity = {"type": kind, "offset": start, "length": self.offset - start}
            entity.update({key: value for key, value in extra.items() if value is not None})
            self.entities.append(entity)

    def result(self) -> Formatted:
        return Formatted("".join(self.parts), _sorted(self.entities))


@dataclass
class _Open:
    """An entity whose end has not been seen yet."""

    name: str
    start: int
    byte_offset: int
    extra: dict[str, Any] = field(default_factory=dict)


# --- HTML ---------------------------------------------------------------------------


def _parse_html(text: str) -> Formatted:
    out = _Builder()
    stack: list[_Open] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            i = _html_entity(text, i, out)
        elif char == "<" and text.startswith("</", i):
            i = _html_end_tag(text, i, out, stack)
        elif char == "<":
            i = _html_start_tag(text, i, out, stack)
        else:
            out.add(char)
            i += 1
    if stack:
        raise _cannot_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.result()


def _html_entity(text: str, i: int, out: _Builder) -> int:
    end = text.find(";", i + 1, i + 12)
    name = text[i + 1 : end] if end > 0 else ""
    if name in _HTML_ENTITIES:
        out.add(_HTML_ENTITIES[name])
        return end + 1
    if re.fullmatch(r"#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}", name):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        if 0 < code <= 0x10FFFF:
            out.add(chr(code))
            return end + 1
    out.add("&")
    return i + 1


def _html_start_tag(text: str, i: int, out: _Builder, stack: list[_Open]) -> int:
    match = _TAG_NAME.match(text, i + 1)
    name = match.group(0).lower() if match else ""
    if name not in _HTML_TAGS:
        raise _cannot_parse(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
        )
    assert match is not None
    close = text.find(">", match.end())
    if close < 0:
        raise _cannot_parse(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
    found = _ATTRIBUTE.findall(text[match.end() : close])
    attributes = {key.lower(): value.strip("\"'") for key, value in found}
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise _cannot_parse('Tag "span" must have class "tg-spoiler"')
    stack.append(_Open(name, out.offset, _byte_offset(text, i), attributes))
    return close + 1


def _html_end_tag(text: str, i: int, out: _Builder, stack: list[_Open]) -> int:
    close = text.find(">", i)
    if close < 0:
        raise _cannot_parse(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
    name = text[i + 2 : close].strip().lower()
    if not stack:
        raise _cannot_parse(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
    opened = stack.pop()
    if name != opened.name:
        raise _cannot_parse(
            f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
            f'expected "</{opened.name}>", found "</{name}>"'
        )
    _close_html(opened, out, stack)
    return close + 1


def _close_html(opened: _Open, out: _Builder, stack: list[_Open]) -> None:
    kind = _HTML_TAGS[opened.name]
    attributes = opened.extra
    if kind == "text_link":
        href = attributes.get("href", "")
        user = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user:
            out.close("text_mention", opened.start, user={"id": int(user.group(1))})
        elif href:
            out.close("text_link", opened.start, url=href)
        return
    language = _LANGUAGE_CLASS.fullmatch(attributes.get("class", ""))
    if kind == "code" and language and stack and stack[-1].name == "pre":
        stack[-1].extra["language"] = language.group(1)
        return
    if kind == "pre":
        out.close("pre", opened.start, language=attributes.get("language"))
    elif kind == "blockquote" and "expandable" in attributes:
        out.close("expandable_blockquote", opened.start)
    elif kind == "custom_emoji":
        out.close(kind, opened.start, custom_emoji_id=attributes.get("emoji-id"))
    else:
        out.close(kind, opened.start)


# --- MarkdownV2 ----------------------------------------------------------------------


def _parse_markdown_v2(text: str) -> Formatted:
    return _MarkdownV2(text).parse()


class _MarkdownV2:
    """Telegram's MarkdownV2: nested entities, every reserved character escaped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Builder()
        self.stack: list[_Open] = []
        self.quote: _Open | None = None

    def parse(self) -> Formatted:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
                self.out.add(text[i + 1])
                i += 2
            elif self.stack and self.stack[-1].name in {"code", "pre"}:
                i = self._inside_code(i)
            elif char == "\n":
                i = self._newline(i)
            elif char == ">" and (i == 0 or text[i - 1] == "\n"):
                i = self._quote_line(i)
            elif char in _V2_RESERVED:
                i = self._reserved(i)
            else:
                self.out.add(char)
                i += 1
        if self.stack:
            opened = self.stack[-1]
            raise _cannot_parse(
                f"Can't find end of {_V2_NAMES[opened.name]} entity at byte offset "
                f"{opened.byte_offset}"
            )
        self._end_quote()
        return self.out.result()

    def _newline(self, i: int) -> int:
        if self.quote is not None and not self.text.startswith(">", i + 1):
            self._end_quote()
        self.out.add("\n")
        return i + 1

    def _quote_line(self, i: int) -> int:
        if self.quote is None:
            self.quote = _Open("blockquote", self.out.offset, _byte_offset(self.text, i))
        return i + 1

    def _end_quote(self) -> None:
        if self.quote is not None:
            self.out.close("blockquote", self.quote.start)
            self.quote = None

    def _inside_code(self, i: int) -> int:
        opened = self.stack[-1]
        marker = "```" if opened.name == "pre" else "`"
        if not self.text.startswith(marker, i):
            self.out.add(self.text[i])
            return i + 1
        self.stack.pop()
        self.out.close(opened.name, opened.start, **opened.extra)
        return i + len(marker)

    def _reserved(self, i: int) -> int:
        """An unescaped reserved character: an entity marker, or a refusal."""
        text, top = self.text, self.stack[-1].name if self.stack else None
        if text[i] == "[" or text.startswith("![", i):
            name = "text_link" if text[i] == "[" else "custom_emoji"
            self.stack.append(_Open(name, self.out.offset, _byte_offset(text, i)))
            return i + (1 if name == "text_link" else 2)
        if text[i] == "]" and top in {"text_link", "custom_emoji"}:
            return self._link_end(i)
        marker, kind = _v2_marker(text, i, top)
        if kind is None:
            raise _cannot_parse(
                f"Character '{text[i]}' is reserved and must be escaped with the preceding '\\'"
            )
        if top == kind:
            opened = self.stack.pop()
            self.out.close(kind, opened.start)
            return i + len(marker)
        return self._open(kind, i, i + len(marker))

    def _open(self, kind: str, i: int, end: int) -> int:
        opened = _Open(kind, self.out.offset, _byte_offset(self.text, i))
        if kind == "pre":
            newline = self.text.find("\n", end)
            language = self.text[end:newline] if newline >= 0 else ""
            if language and re.fullmatch(r"[\w+#.-]+", language):
                opened.extra["language"] = language
                end = newline + 1
            elif newline == end:
                end += 1
        self.stack.append(opened)
        return end

    def _link_end(self, i: int) -> int:
        opened = self.stack.pop()
        text = self.text
        if not text.startswith("(", i + 1):
            raise _cannot_parse(
                f"Can't find end of {_V2_NAMES[opened.name]} entity at byte offset "
                f"{opened.byte_offset}"
            )
        url: list[str] = []
        j = i + 2
        while j < len(text) and text[j] != ")":
            if text[j] == "\\" and j + 1 < len(text):
                j += 1
            url.append(text[j])
            j += 1
        if j >= len(text):
            raise _cannot_parse(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
        target = "".join(url)
        if opened.name == "custom_emoji":
            emoji_id = target.removeprefix("tg://emoji?id=")
            self.out.close("custom_emoji", opened.start, custom_emoji_id=emoji_id)
        else:
            self.out.close("text_link", opened.start, url=target)
        return j + 1


def _v2_marker(text: str, i: int, top: str | None) -> tuple[str, str | None]:
    """Which entity the reserved character at i opens or closes, if any."""
    char = text[i]
    if char == "_":
        if text.startswith("__", i) and top != "italic":
            return "__", "underline"
        return "_", "italic"
    if char == "|":
        return ("||", "spoiler") if text.startswith("||", i) else ("|", None)
    if char == "`":
        return ("```", "pre") if text.startswith("```", i) else ("`", "code")
    simple = {"*": "bold", "~": "strikethrough"}
    return char, simple.get(char)


# --- legacy Markdown -----------------------------------------------------------------


def _parse_markdown(text: str) -> Formatted:
    out = _Builder()
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
        elif char == "[":
            i = _markdown_link(text, i, out)
        elif text.startswith("```", i):
            i = _markdown_closed(text, i, "```", "pre", out)
        elif char in kinds:
            i = _markdown_closed(text, i, char, kinds[char], out)
        else:
            out.add(char)
            i += 1
    return out.result()


def _markdown_closed(text: str, i: int, marker: str, kind: str, out: _Builder) -> int:
    end = text.find(marker, i + len(marker))
    if end < 0:
        raise _cannot_parse(
            f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
        )
    start = out.offset
    out.add(text[i + len(marker) : end])
    out.close(kind, start)
    return end + len(marker)


def _markdown_link(text: str, i: int, out: _Builder) -> int:
    match = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(text, i)
    if match is None:
        raise _cannot_parse(
            f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
        )
    start = out.offset
    out.add(match.group(1))
    out.close("text_link", start, url=match.group(2) or None)
    return match.end()
