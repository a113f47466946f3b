"""The vocational profile and the participant's own goal in words, for whoever reads them:
the participant's /mydata, the coach's detail and the one-page PDF say them alike."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.course.model import Course, ProfileTopic, StepKind
from bot.i18n.translator import N_, Translator
from bot.reports.names import isolate
from bot.storage.profile import Goal, Picks

TOPIC_LABELS = {
    ProfileTopic.WORK: N_("Kinds of work I like"),
    ProfileTopic.SKILLS: N_("What I can already do"),
    ProfileTopic.SUPPORT: N_("Support I want"),
}


def profile_lines(
    tr: Translator, course: Course, picks: Sequence[Picks], marks: bool = True
) -> list[str]:
    """One line per topic reached, in the order of the topics: the cards by their text
    in the reader's language; "none of these" when nothing fitted. Without ``marks`` (for
    a PDF, whose fonts have no emoji) the cards' pictograms are left out."""
    by_topic = {p.topic: p for p in picks}
    lines = []
    for topic, label in TOPIC_LABELS.items():
        chosen = by_topic.get(topic.value)
        if chosen is None:
            continue
        names = [n if marks else _bare(n) for n in card_texts(tr, course, chosen)]
        listed = tr.listing(names) if names else tr._("none of these")
        lines.append(f"{tr._(label)}: {listed}")
    return lines


def card_texts(tr: Translator, course: Course, picks: Picks) -> list[str]:
    """The ticked cards' texts; a card since removed from the lesson is named by its id."""
    located = course.locate(picks.lesson_id)
    step = located[1].step(picks.step_id) if located else None
    texts = []
    for card_id in picks.cards:
        card = step.card(card_id) if step is not None and step.kind is StepKind.CARDS else None
        texts.append(tr.lesson(card.text) if card is not None else card_id)
    return texts


_EMOJI_GLUE = frozenset("\ufe0e\ufe0f\u200d")


def _bare(text: str) -> str:
    """The text without pictograms (🧹, 🗣️): symbols, variation selectors and joiners."""
    kept = (c for c in text if unicodedata.category(c) != "So" and c not in _EMOJI_GLUE)
    return " ".join("".join(kept).split())


def goal_lines(tr: Translator, goal: Goal | None, marks: bool = True) -> list[str]:
    """The goal (or that a voice goal exists and its length), and what the review said.

    ``marks``: the participant's words wrapped in a direction isolate, for a chat; a PDF
    gets them bare.
    """
    if goal is None:
        return []
    lines = [_said(tr, goal.text, goal.voice_seconds, goal.week, marks)]
    if goal.still_holds is True:
        lines.append(tr._("Still holds (week {number}).").format(number=goal.reviewed_week))
    elif goal.still_holds is False and goal.earlier_week is not None:
        before = _said(tr, goal.earlier_text, goal.earlier_voice_seconds, goal.earlier_week, marks)
        lines.append(tr._("Before: {goal}").format(goal=before))
    return lines


def _said(tr: Translator, text: str | None, seconds: int | None, week: int, marks: bool) -> str:
    if text is not None:
        shown = isolate(text) if marks else text
        return tr._("«{goal}» (week {number})").format(goal=shown, number=week)
    return tr._("A voice message of {seconds} s (week {number})").format(
        seconds=seconds or 0, number=week
    )
