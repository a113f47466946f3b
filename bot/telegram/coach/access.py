"""The one access check under every coach view and action, declared once.

The press dispatcher (handlers.py) and the typed note both call
:func:`authorize` before anything is read or changed; an action receives the
:class:`Scope` it returned and nothing else from the press.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage import CoachRecord, GroupRecord, groups
from bot.storage.coaching import follows
from bot.storage.reports import participant_in_group
from bot.telegram.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Scope:
    """What a coach's press may touch: a group they follow and, if named, one of its people."""

    group: GroupRecord
    participant_id: int | None


async def authorize(
    rt: Runtime, coach: CoachRecord, group_id: int | None, participant_id: int | None = None
) -> Scope | None:
    """The one check under every coach view and action; None means refuse, show nothing."""
    if group_id is None or not await follows(rt.db, coach.id, group_id):
        return None
    group = await groups.get_group(rt.db, group_id)
    if group is None:
        return None
    if participant_id is not None and not await participant_in_group(
        rt.db, participant_id, group.id
    ):
        return None
    return Scope(group, participant_id)
