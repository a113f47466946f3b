"""Callback data for the coach's buttons: same version and separator as the course's.

``1G|7`` the overview of group 7 (``1O|7|2`` its third page), ``1P|7|42`` participant 42 of group 7,
``1Q|7`` its hard questions, ``1F|7|x`` (``c``, ``z``) its export, ``1V|7`` its
chart, ``1I|7`` and ``1I|7|0`` a participant invite, ``1L|sv`` the coach's
language. The actions on participant 42: ``1N|7|42`` (``|0``) a nudge,
``1Z|7|42`` (``|14``) a pause, ``1W|7|42`` the next week opened early,
``1R|7|42|3`` the quiz of the course's fourth lesson reset, ``1T|7|42`` a
note, ``1D|7|42|0`` (``|1`` with the coach's notes) the one-page summary.
Upper-case op letters keep them apart from the course's presses.

Any client can send any data, so decoding is strict (digits only, known
presets, formats and languages) and decoding is only the first check: the
handler then checks that the presser is a coach, follows the group, and that
the participant is in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.languages import LANGUAGES
from bot.telegram.callbacks import MAX_BYTES, SEP, VERSION

OPS = "GOPQFVILNZWRTD"
PATTERN = rf"^{VERSION}[{OPS}]\{SEP}"
FORMATS = ("x", "c", "z")
PAUSE_DAYS = (7, 14, 28)
NUDGE_COUNT = 3
MAX_ID_DIGITS = 12


@dataclass(frozen=True, slots=True)
class InvitePreset:
    """An invite's reach, chosen by a button: so many people within so many days."""

    people: int
    days: int


INVITE_PRESETS = (
    InvitePreset(10, 30),
    InvitePreset(25, 30),
    InvitePreset(5, 7),
    InvitePreset(1, 3),
)


@dataclass(frozen=True, slots=True)
class CoachPress:
    op: str
    group_id: int | None = None
    participant_id: int | None = None
    value: str | None = None
    """The export format, the invite preset's index, the overview's page or the language code."""


def _pack(op: str, *fields: object) -> str:
    data = VERSION + op + "".join(SEP + str(f) for f in fields)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def overview(group_id: int, page: int = 0) -> str:
    """The group's overview, a page of participants at a time (the first without a number)."""
    return _pack("G", group_id) if page == 0 else _pack("O", group_id, page)


def participant(group_id: int, participant_id: int) -> str:
    return _pack("P", group_id, participant_id)


def hard_questions(group_id: int) -> str:
    return _pack("Q", group_id)


def export(group_id: int, fmt: str) -> str:
    return _pack("F", group_id, fmt)


def chart(group_id: int) -> str:
    return _pack("V", group_id)


def invite(group_id: int, preset: int | None = None) -> str:
    return _pack("I", group_id) if preset is None else _pack("I", group_id, preset)


def language(code: str) -> str:
    return _pack("L", code)


def nudge(group_id: int, participant_id: int, choice: int | None = None) -> str:
    extra = () if choice is None else (choice,)
    return _pack("N", group_id, participant_id, *extra)


def pause(group_id: int, participant_id: int, days: int | None = None) -> str:
    extra = () if days is None else (days,)
    return _pack("Z", group_id, participant_id, *extra)


def open_week(group_id: int, participant_id: int) -> str:
    return _pack("W", group_id, participant_id)


def reset_quiz(group_id: int, participant_id: int, lesson_index: int) -> str:
    return _pack("R", group_id, participant_id, lesson_index)


def note(group_id: int, participant_id: int) -> str:
    return _pack("T", group_id, participant_id)


def summary(group_id: int, participant_id: int, with_notes: bool) -> str:
    return _pack("D", group_id, participant_id, int(with_notes))


def decode(data: str | None) -> CoachPress | None:
    """The coach's press, or None for anything malformed."""
    if not data or len(data.encode()) > MAX_BYTES or len(data) < 4:
        return None
    if data[0] != VERSION or data[1] not in OPS or data[2] != SEP:
        return None
    op, fields = data[1], data[3:].split(SEP)
    try:
        return _decode(op, fields)
    except ValueError:
        return None


def _decode(op: str, fields: list[str]) -> CoachPress | None:
    match op, fields:
        case "L", [code] if code in LANGUAGES:
            return CoachPress(op, value=code)
        case "G" | "Q" | "V", [group]:
            return CoachPress(op, _id(group))
        case "O", [group, page] if _is_id(page):
            return CoachPress("G", _id(group), value=page)
        case "P", [group, person]:
            return CoachPress(op, _id(group), _id(person))
        case "F", [group, fmt] if fmt in FORMATS:
            return CoachPress(op, _id(group), value=fmt)
        case "I", [group]:
            return CoachPress(op, _id(group))
        case "I", [group, preset] if preset in [str(i) for i in range(len(INVITE_PRESETS))]:
            return CoachPress(op, _id(group), value=preset)
        case "N" | "Z" | "W" | "T", [group, person]:
            return CoachPress(op, _id(group), _id(person))
        case "N", [group, person, choice] if choice in [str(i) for i in range(NUDGE_COUNT)]:
            return CoachPress(op, _id(group), _id(person), choice)
        case "Z", [group, person, days] if days in [str(d) for d in PAUSE_DAYS]:
            return CoachPress(op, _id(group), _id(person), days)
        case "R", [group, person, index] if index == "0" or _is_id(index):
            return CoachPress(op, _id(group), _id(person), index)
        case "D", [group, person, notes] if notes in ("0", "1"):
            return CoachPress(op, _id(group), _id(person), notes)
    return None


def _is_id(text: str) -> bool:
    try:
        _id(text)
    except ValueError:
        return False
    return True


def _id(text: str) -> int:
    """A database id: digits only, no sign, no leading zero, not absurdly long."""
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_ID_DIGITS or text[0] == "0":
        raise ValueError(text)
    return int(text)
