"""Where a participant stands in the course, as a plain serialisable value.

Progress refers to content by id only, never by position in a file, so a
trainer can insert, reorder or reword lessons without breaking anyone's place.
It is stored as JSON by the storage layer and passed whole to the engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    NEW = "new"  # has not started
    STEP = "step"  # reading a step card (item_id = step id)
    QUESTION = "question"  # answering a quiz question (item_id = question id)
    READY = "ready"  # between lessons: lesson_id is the next one to begin
    FAILED = "failed"  # the quiz of lesson_id was below its pass mark
    DONE = "done"  # the whole course is finished


@dataclass(frozen=True, slots=True)
class LessonResult:
    """The participant's record for one lesson."""

    best_percent: int | None = None  # None when the lesson has no quiz
    passed: bool = False
    runs: int = 0  # how many times its quiz was finished
    failed_runs: int = 0


NOT_STARTED = LessonResult()


@dataclass(frozen=True, slots=True)
class Progress:
    stage: Stage = Stage.NEW
    lesson_id: str | None = None
    item_id: str | None = None
    attempt: int = 0  # wrong tries used on the current question; 1 while a goal is rewritten
    selection: tuple[str, ...] = ()  # ticked options, picked order items or ticked cards
    first_try_right: tuple[str, ...] = ()  # question ids right at once, this run
    retry_right: tuple[str, ...] = ()  # question ids right at the second try, this run
    results: dict[str, LessonResult] = field(default_factory=dict)

    def result(self, lesson_id: str) -> LessonResult:
        return self.results.get(lesson_id, NOT_STARTED)

    def passed(self, lesson_id: str) -> bool:
        return self.result(lesson_id).passed

    def with_result(self, lesson_id: str, result: LessonResult) -> Progress:
        return replace(self, results={**self.results, lesson_id: result})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage.value,
            "lesson": self.lesson_id,
            "item": self.item_id,
            "attempt": self.attempt,
            "selection": list(self.selection),
            "right": list(self.first_try_right),
            "again": list(self.retry_right),
            "results": {
                lesson_id: [r.best_percent, r.passed, r.runs, r.failed_runs]
                for lesson_id, r in self.results.items()
            },
        }

    @classmethod
    def from_json(cls, text: str | None) -> Progress:
        return cls() if not text else cls.from_dict(json.loads(text))

    @staticmethod
    def stage_of(data: dict[str, Any]) -> tuple[Stage, str | None]:
        """Only the stage and lesson of stored progress (as parsed JSON), without its results.

        For a pass over everyone that looks at nothing else (the reminders' planner, once
        a minute, which parses with a faster JSON reader than the core may import): the
        lesson results are most of the cost of :meth:`from_dict`.
        """
        try:
            stage = Stage(data.get("stage", Stage.NEW.value))
        except ValueError:
            stage = Stage.NEW
        return stage, data.get("lesson")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Progress:
        """Read stored progress; unknown or missing fields fall back to defaults."""
        try:
            stage = Stage(data.get("stage", Stage.NEW.value))
        except ValueError:
            stage = Stage.NEW
        results = {
            str(lesson_id): LessonResult(
                best_percent=None if values[0] is None else int(values[0]),
                passed=bool(values[1]),
                runs=int(values[2]),
                failed_runs=int(values[3]),
            )
            for lesson_id, values in dict(data.get("results", {})).items()
        }
        return cls(
            stage=stage,
            lesson_id=data.get("lesson"),
            item_id=data.get("item"),
            attempt=int(data.get("attempt", 0)),
            selection=tuple(data.get("selection", ())),
            first_try_right=tuple(data.get("right", ())),
            retry_right=tuple(data.get("again", ())),
            results=results,
        )
