"""The structure of a YAML file checked against its JSON Schema, each mistake said in words.

The schema is the one source of the structure: which fields each part may have,
which are required, their types, the allowed values, how many entries a list holds
and how long a text may be. Editors check the file with it as the trainer types, and
this module checks it with jsonschema when the bot, the preview or `lessons check`
reads it, so the two can never disagree and a new field is one edit of the schema.

jsonschema's own messages ("'colour' was unexpected") are written for programmers;
each error is turned into a `Finding` that knows its node, and so its line, and into
a sentence. The generic sentences are here; a reader gives better words for its own
parts through `Words` (bot/course/loader.py does for the course).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator

from bot.course.yamlcursor import Node, describe, either, unknown_key

Length = Callable[[str], int]

SILENT = ""
"""What `Words.say` returns to leave a finding to the readers, which say it better."""

# Findings about the mapping itself, one per field they name; every other rule is
# about one value, which gets one message: the first of these that it breaks.
_PER_FIELD = ("required", "unknown", "forbidden")
_PRIORITY = (
    "type",
    "enum",
    "const",
    "minLength",
    "pattern",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "maxContains",
    "minContains",
)
_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a group of fields (name: value)",
    "null": "nothing",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule of the schema that one node breaks, with what a sentence about it needs."""

    rule: str
    """The schema keyword (``type``, ``enum``, ``minItems``...), or ``required``, ``unknown``
    (a field the part does not have) and ``forbidden`` (a field this variant does not use)."""
    node: Node
    key: Node | None
    """The key of the field the node is the value of, for problems about a field as a whole."""
    owner: Node | None
    """The mapping that holds the field, for the words of messages (a question's kind)."""
    part: str
    """The schema part of that mapping, as named in ``$defs`` (or the root's name)."""
    limit: Any
    """The rule's value in the schema: a number, the allowed values, a pattern."""
    schema: dict[str, Any]
    field: str = ""
    """The field a per-field finding names (missing, unknown or forbidden)."""
    fallback: str = ""

    @property
    def name(self) -> str:
        """The field the node is the value of (for a list's entry, the list's name)."""
        return self.field or self.node.name

    @property
    def spot(self) -> Node:
        """Where the problem goes: a list as a whole at its key, a value where it stands."""
        if self.rule in ("minItems", "maxItems", "contains", "maxContains", "minContains"):
            return self.key or self.node
        if self.rule in ("unknown", "forbidden"):
            return self.key or self.node
        if self.rule == "uniqueItems":
            return _repeated(self.node) or self.node
        return self.node


class Words(Protocol):
    """A reader's words for its own parts; None from `say` means "the generic sentence"."""

    def part(self, name: str) -> str:
        """A part as a sentence names it: "a step", "the course"."""

    def say(self, finding: Finding) -> str | None:
        """A better sentence for a finding, SILENT to leave it to the readers, or None."""


@dataclass(frozen=True)
class Schema:
    """A JSON Schema read from its file, the parts it names, and its validator."""

    root: str
    """What the top of a file is called ("week"), as ``$defs`` names the other parts."""
    body: dict[str, Any]
    validator: Validator

    def part(self, name: str) -> dict[str, Any]:
        return self.body if name == self.root else dict(self.body["$defs"][name])

    def fields(self, name: str) -> tuple[str, ...]:
        return tuple(self.part(name).get("properties", {}))

    def default(self, part: str, name: str) -> Any:
        return self.part(part)["properties"][name]["default"]


@cache
def load_schema(path: Path, root: str, length: Length) -> Schema:
    """The schema in ``path``; ``maxLength`` measured with ``length`` (UTF-16, for Telegram)."""
    body = json.loads(path.read_text(encoding="utf-8"))

    def max_length(
        validator: Validator, limit: int, instance: Any, schema: dict[str, Any]
    ) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and length(instance) > limit:
            yield ValidationError(f"{instance!r} is longer than {limit}")

    checking = _extend(Draft202012Validator, {"maxLength": max_length})
    return Schema(root, body, checking(_with_paths(body)))


def _with_paths(schema: Any) -> Any:
    """The schema with each ``"field": false`` written ``{"not": {}}``, which means the same.

    jsonschema reports a ``false`` subschema without the path to the value, so the
    field could not be named; ``not`` keeps the path.
    """
    if isinstance(schema, list):
        return [_with_paths(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copied = {key: _with_paths(value) for key, value in schema.items()}
    if isinstance(schema.get("properties"), dict):
        copied["properties"] = {
            name: _FORBIDDEN if value is False else _with_paths(value)
            for name, value in schema["properties"].items()
        }
    return copied


_FORBIDDEN: dict[str, Any] = {"not": {}}
_extend: Callable[..., Any] = validators.extend
"""jsonschema's way to measure a keyword differently (its stubs leave it untyped)."""


def check_structure(root: Node, schema: Schema, words: Words, length: Length) -> None:
    """Report every way the file's tree breaks the schema, one sentence a node or field."""
    parts = _parts(root, schema.body, schema.root, schema)
    findings = [
        finding
        for error in schema.validator.iter_errors(root.data)
        for finding in _findings(error, root, parts)
    ]
    for finding in _one_per_node(findings):
        message = words.say(finding)
        if message is None:
            message = _generic(finding, schema, words, length)
        if message != SILENT:
            finding.spot.error(message)


def _parts(node: Node, subschema: Any, part: str, schema: Schema) -> dict[int, str]:
    """Which schema part each mapping node is, found by walking the schema along the tree."""
    found: dict[int, str] = {}
    while isinstance(subschema, dict) and "$ref" in subschema:
        part = str(subschema["$ref"]).rsplit("/", 1)[-1]
        subschema = schema.part(part)
    if not isinstance(subschema, dict):
        return found
    if node.is_mapping:
        found[id(node)] = part
        properties = subschema.get("properties", {})
        for name, child in node.values.items():
            found |= _parts(child, properties.get(name), name, schema)
    elif node.is_sequence:
        for entry in node.entries:
            found |= _parts(entry, subschema.get("items"), part, schema)
    return found


def _findings(error: ValidationError, root: Node, parts: dict[int, str]) -> Iterator[Finding]:
    node, key, owner = _locate(root, list(error.absolute_path))
    schema = error.schema if isinstance(error.schema, dict) else {}
    base = Finding(
        rule=_rule(error),
        node=node,
        key=key,
        owner=owner,
        part=parts.get(id(owner), "") if owner is not None else "",
        limit=error.validator_value,
        schema=schema,
        fallback=error.message,
    )
    own_part = parts.get(id(node), "")
    if base.rule == "required":
        names = error.validator_value if isinstance(error.validator_value, list) else []
        for name in names:
            if name not in node.values:
                yield replace(base, part=own_part, field=name)
    elif base.rule == "additionalProperties":
        allowed = schema.get("properties", {})
        for name in node.values:
            if name not in allowed:
                yield replace(
                    base,
                    rule="unknown",
                    node=node.values[name],
                    key=node.keys[name],
                    owner=node,
                    part=own_part,
                    field=name,
                )
    elif base.rule == "forbidden":
        yield replace(base, field=node.name)
    else:
        yield base


def _rule(error: ValidationError) -> str:
    """The keyword broken; ``forbidden`` for a field this variant of a part does not use."""
    if error.validator is None or (error.validator == "not" and error.validator_value == {}):
        return "forbidden"
    return str(error.validator)


def _locate(root: Node, path: list[str | int]) -> tuple[Node, Node | None, Node | None]:
    """The node at a jsonschema path, its key, and the mapping that holds its field."""
    node, key, owner = root, None, None
    for step in path:
        if isinstance(step, int):
            node, key = node.entries[step], None
        else:
            owner, (node, key) = node, node.at([step])
    return node, key, owner


def _one_per_node(findings: list[Finding]) -> list[Finding]:
    """Each field named once, and each value given its first broken rule (the strictest
    ``maxLength`` when a part's variant lowers it, as an image does for a text)."""
    chosen: dict[tuple[int, str], Finding] = {}
    # A value of a field that may not be there needs no more words than that.
    unused = {id(f.node) for f in findings if f.rule == "forbidden"}
    for finding in findings:
        if finding.rule not in _PER_FIELD and id(finding.node) in unused:
            continue
        if finding.rule in _PER_FIELD:
            chosen.setdefault((id(finding.node), finding.rule + ":" + finding.field), finding)
            continue
        slot = (id(finding.node), "")
        if slot not in chosen or _rank(finding) < _rank(chosen[slot]):
            chosen[slot] = finding
    return list(chosen.values())


def _rank(finding: Finding) -> tuple[int, float]:
    order = _PRIORITY.index(finding.rule) if finding.rule in _PRIORITY else len(_PRIORITY)
    limit = finding.limit if isinstance(finding.limit, int | float) else 0
    return order, float(limit)


REQUIRED_HINTS = {
    "alt": 'a picture needs "alt": one sentence in Swedish that says what it shows,'
    " for those who cannot see it",
}
"""Where a missing field needs more than its name to be understood."""


def _generic(finding: Finding, schema: Schema, words: Words, length: Length) -> str:
    node, name, limit = finding.node, finding.name, finding.limit
    data = node.data
    blank = isinstance(data, str) and not data.strip()
    if finding.rule == "required":
        return REQUIRED_HINTS.get(name, f'missing required field "{name}"')
    if finding.rule == "unknown":
        return unknown_key(name, schema.fields(finding.part), words.part(finding.part))
    if finding.rule == "forbidden":
        return f'{words.part(finding.part)} here does not use "{name}"'
    if finding.rule == "type":
        return _wrong_type(node, limit)
    if finding.rule in ("minLength", "pattern") and blank:
        return node.empty
    if finding.rule == "maxLength":
        return f"{name} is {length(data)} characters; it may have at most {limit}"
    if finding.rule in ("minimum", "maximum"):
        bounds = _range(finding.schema.get("minimum"), finding.schema.get("maximum"))
        return f'"{name}" must be {bounds}, got {node.written}'
    if finding.rule == "minItems":
        if limit == 1:
            return f'"{name}" is empty; add at least one'
        return f'"{name}" needs at least {limit} entries'
    if finding.rule == "maxItems":
        return f'"{name}" has {len(data)} entries; it can have at most {limit}'
    if finding.rule == "enum":
        return f"{node.label} must be {either([str(v) for v in limit])}, got {describe(node)}"
    if finding.rule == "uniqueItems":
        return _twice(node)
    return f"{node.label}: {finding.fallback}"


def _wrong_type(node: Node, types: Any) -> str:
    expected = [types] if isinstance(types, str) else list(types)
    if "string" in expected and node.data is None:
        return node.empty
    if "string" in expected and isinstance(node.data, bool):
        return f'{node.label} reads as true/false; write "{node.written}" in quotes'
    words = "text" if "string" in expected else _TYPE_WORDS.get(expected[0], expected[0])
    return f"{node.label} must be {words}, got {describe(node)}"


def _twice(node: Node) -> str:
    entry = _repeated(node)
    if entry is None:
        return f'"{node.name}" lists something twice'
    return f'"{entry.written}" is listed twice in "{node.name}"'


def _repeated(node: Node) -> Node | None:
    """The first entry of a list that repeats an earlier one."""
    seen: list[Any] = []
    for entry in node.entries:
        if entry.data in seen:
            return entry
        seen.append(entry.data)
    return None


def _range(minimum: Any, maximum: Any) -> str:
    if maximum is None:
        return f"at least {minimum}"
    if minimum is None:
        return f"at most {maximum}"
    return f"between {minimum} and {maximum}"
