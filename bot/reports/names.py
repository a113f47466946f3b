"""Names a coach can tell apart, and names that cannot scramble a Swedish line.

Two participants called Amina become "Amina K." and "Amina S." when Telegram
gave last names at joining (only the initial is stored, after consent), else
"Amina 1" and "Amina 2" in the order they joined. A name is typed by its owner
in any script: inside a message it is wrapped in FIRST STRONG ISOLATE … POP
DIRECTIONAL ISOLATE, so an Arabic name sits in a left-to-right Swedish line
without turning it around. The chart and the spreadsheet get the same names
without the marks (a cell or a tick label is a line of its own).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

FSI = "\u2068"
PDI = "\u2069"
_DIRECTIONAL = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def isolate(name: str) -> str:
    """The name wrapped in an isolate, with the name's own direction marks removed."""
    return f"{FSI}{name.translate(_DIRECTIONAL)}{PDI}"


def distinct_names(people: Iterable[tuple[int, str, str | None]]) -> Mapping[int, str]:
    """Per id, the first name plus a mark when another has the same first name.

    ``people``: (id, first name, last-name initial or None), in joining order.
    Initials are used when they tell the namesakes apart; otherwise numbers.
    """
    same: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
    for person in people:
        same[person[1].strip().casefold()].append(person)
    names: dict[int, str] = {}
    for namesakes in same.values():
        if len(namesakes) == 1:
            pid, first, _ = namesakes[0]
            names[pid] = first
            continue
        initials = [(i or "").upper() for _, _, i in namesakes]
        by_initial = all(initials) and len(set(initials)) == len(initials)
        for number, (pid, first, _) in enumerate(namesakes, start=1):
            mark = f"{initials[number - 1]}." if by_initial else str(number)
            names[pid] = f"{first} {mark}"
    return names
