"""The JSON Schemas the trainers' editors check lesson files with.

The editor and `lessons check` must agree: what the checker accepts the schema
accepts, the schema refuses the mistakes it can see, and both know the same fields.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from bot.course import loader
from bot.course.limits import BUTTON_LIMIT, CAPTION_LIMIT, MESSAGE_LIMIT
from bot.course.model import QuestionKind, RetryRule, UploadKind

ROOT = Path(__file__).parent.parent
LESSONS = ROOT / "lessons"
SCHEMAS = LESSONS / "schema"
FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def for_file(path: Path) -> Draft202012Validator:
    return validator("course" if path.name == "course.yaml" else "week")


def read(path: Path) -> Any:
    """The file as the loader reads it: YAML 1.2 booleans, like the editor."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader.YamlLoader)


def errors(path: Path) -> list[str]:
    return [error.message for error in for_file(path).iter_errors(read(path))]


def lesson_files() -> list[Path]:
    return sorted(LESSONS.glob("*.yaml"))


@pytest.mark.parametrize("name", ["course", "week"])
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", lesson_files(), ids=lambda path: path.name)
def test_every_lesson_file_matches_its_schema(path: Path) -> None:
    assert errors(path) == []


@pytest.mark.parametrize("path", lesson_files(), ids=lambda path: path.name)
def test_every_lesson_file_names_its_schema_on_the_first_line(path: Path) -> None:
    schema = loader.COURSE_SCHEMA if path.name == "course.yaml" else loader.WEEK_SCHEMA
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == f"# yaml-language-server: $schema={schema}"


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "valid").glob("*.yaml")), ids=lambda path: path.name
)
def test_the_valid_fixture_matches_the_schema(path: Path) -> None:
    assert errors(path) == []


@pytest.mark.parametrize(
    "fixture",
    [
        "unknown-key/week01.yaml",
        "missing-field/week01.yaml",
        "wrong-number/week01.yaml",
        "wrong-type/week01.yaml",
        "correct-answers/week01.yaml",
        "options-count/week01.yaml",
        "media/week01.yaml",
        "pictures/week01.yaml",
        "empty-text/week01.yaml",
        "limits/week01.yaml",
        "ids/week01.yaml",
        "week-files/course.yaml",
        "true-false/week01.yaml",
        "task/week01.yaml",
        "enums/week01.yaml",
        "three-errors/week01.yaml",
    ],
)
def test_a_broken_fixture_is_refused_by_the_schema_too(fixture: str) -> None:
    assert errors(FIXTURES / "broken" / fixture) != []


def test_the_schema_refuses_each_mistake_it_can_see() -> None:
    """A few exact cases, so a loosened schema cannot pass by refusing something else."""
    messages = " | ".join(errors(FIXTURES / "broken" / "unknown-key" / "week01.yaml"))
    assert "'optons' was unexpected" in messages
    assert "'colour' was unexpected" in messages
    messages = " | ".join(errors(FIXTURES / "broken" / "correct-answers" / "week01.yaml"))
    assert "at most 1" in messages
    assert "does not contain" in messages


def test_the_loader_checks_with_these_very_schemas() -> None:
    """One source for the structure: the loader reads the files the editors use."""
    assert loader.SCHEMA_DIR == SCHEMAS
    assert loader.week_schema().body == validator("week").schema
    assert loader.course_schema().body == validator("course").schema


def test_a_new_field_is_one_edit_of_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader knows a step's fields from the schema alone: add one there and it is known."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "valid", course)
    week = course / "week01-start.yaml"
    week.write_text(
        week.read_text().replace(
            "        text: Så här", "        note: En knapp\n        text: Så här", 1
        )
    )
    assert [p.message for p in loader.check_course(course)[1]] == [
        'unknown key "note"; a step can have id, kind, text, image, alt, audio, terms, profile'
        " and cards"
    ]
    schemas = tmp_path / "schema"
    shutil.copytree(SCHEMAS, schemas)
    body = json.loads((schemas / "week.schema.json").read_text(encoding="utf-8"))
    body["$defs"]["step"]["properties"]["note"] = {
        "description": "Vad bilden visar.",
        "type": "string",
    }
    (schemas / "week.schema.json").write_text(json.dumps(body), encoding="utf-8")
    monkeypatch.setattr(loader, "SCHEMA_DIR", schemas)
    assert loader.check_course(course)[1] == []


def test_text_sizes_in_the_schema_are_telegrams() -> None:
    """maxLength of a text is a Telegram limit the loader can name, in UTF-16 units."""
    sizes: set[int] = set()

    def collect(schema: Any, name: str = "") -> None:
        if isinstance(schema, dict):
            if "maxLength" in schema and name != "id":
                sizes.add(schema["maxLength"])
            for key, value in schema.items():
                collect(value, key if key not in ("properties", "$defs") else name)
        elif isinstance(schema, list):
            for value in schema:
                collect(value, name)

    for name in ("course", "week"):
        collect(validator(name).schema)
    assert sizes == {MESSAGE_LIMIT, CAPTION_LIMIT, BUTTON_LIMIT}


def test_every_field_has_a_description() -> None:
    """Editors show the description on hover: it is the trainer's help text."""
    week = validator("week").schema
    for schema in (validator("course").schema, week, *week["$defs"].values()):
        assert schema["description"]
        for name, field in schema["properties"].items():
            assert "$ref" in field or field.get("description"), name


def test_enums_match_the_model() -> None:
    question = validator("week").schema["$defs"]["question"]["properties"]
    assert question["kind"]["enum"] == [kind.value for kind in QuestionKind]
    assert question["accepts"]["items"]["enum"] == [kind.value for kind in UploadKind]
    retry = validator("week").schema["$defs"]["quiz"]["properties"]["retry"]
    assert retry["enum"] == [rule.value for rule in RetryRule]
