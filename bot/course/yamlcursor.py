"""A YAML file read as a tree of nodes that know their line, and that reports and carries on.

People write these files by hand, so every mistake must come back as file:line:column
and a sentence, and all of them at once. The file is composed into PyYAML nodes (which
keep their marks), never constructed into objects, and wrapped in `Node`: a node knows
its file and the field it is the value of, so any problem about it lands on its line.

Reading must also survive a hostile or broken file, because the bot, the preview and
`lessons check` all read files that anyone with access to the folder can write. So
before YAML sees a byte the file's size is checked and every NUL, control character
and non-character is reported with its place; anchors and aliases are refused (they
are what makes "billion laughs" files cost n³), and so is nesting deeper than a lesson
ever needs. Each refusal is a problem like any other, never an exception.

Nothing here knows what the file means: the course readers (bot/course/loader.py)
and the structure check (bot/course/structure.py) sit on top.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent

Severity = Literal["error", "warning"]

MAX_FILE_BYTES = 1024 * 1024
"""A week of lessons is some 30 KB; a megabyte is a mistake (or an attack), not a week."""
MAX_DEPTH = 20
"""A lesson file nests about 9 levels deep; anything much deeper is not a lesson."""
MAX_ENTRIES = 200
"""A lesson's lists hold a handful of entries; a checker comparing thousands (is each
one unique?) would take minutes over a 30 KB file."""
MAX_CHARACTER_LINES = 10
"""Bad characters are reported for at most this many lines: a binary file gives thousands."""

TAG = "tag:yaml.org,2002:"
_TEXT_TAGS = {TAG + "str", TAG + "int", TAG + "float"}
_CONSTRUCTOR = SafeConstructor()

# What PyYAML's reader refuses (controls other than tab and newlines, U+FFFE, U+FFFF),
# and the other non-characters Unicode names (U+FDD0-U+FDEF, the last two of every plane).
_BAD_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
    + "]"
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file, where an editor can jump to it."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file being read, and the list its problems go to."""

    path: str
    problems: list[Problem]

    def report(self, line: int, column: int, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(self.path, line, column, message, severity))


class YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading YAML 1.2 booleans, refusing anchors, aliases and depth.

    PyYAML follows YAML 1.1, where yes, no, on and off are booleans too, so an order
    item written ``id: no`` would turn into False; the editors' YAML extension reads
    YAML 1.2 and shows it as the text it is. Reading as the editor does keeps the
    checker, the schema and what the trainer sees in agreement.

    Anchors and aliases are refused as they are met, before anything is composed:
    people writing lessons never need them, and nested aliases are how a 1 KB file
    makes a reader spend minutes and gigabytes. Depth is counted as nodes open, so a
    file nested 5000 levels deep is refused at level 21 without recursing further.
    """

    _depth = 0

    # The scanner reads ahead over brackets that may open a key, and its cost grows
    # with the square of the open ones: the depth is checked there first.

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise RefusedYaml(_too_deep(), self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_DEPTH:
            raise RefusedYaml(_too_deep(), self.get_mark())
        return super().add_indent(column)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise RefusedYaml(
                "the file uses an alias (*name); lesson files do not need anchors or aliases:"
                " write the text out in full",
                event.start_mark,
            )
        if isinstance(event, NodeEvent) and event.anchor is not None:
            raise RefusedYaml(
                f"the file uses an anchor (&{event.anchor}); lesson files do not need anchors"
                " or aliases: write the text out in full",
                event.start_mark,
            )
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise RefusedYaml(_too_deep(), event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if isinstance(event, CollectionStartEvent):
                self._depth -= 1


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TAG + "bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _too_deep() -> str:
    return (
        f"the file is nested more than {MAX_DEPTH} levels deep; a lesson file needs far"
        " fewer: check the indentation and the brackets"
    )


class RefusedYaml(yaml.MarkedYAMLError):
    """Something valid YAML may do but a hand-written lesson file must not."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(problem=message, problem_mark=mark)


@dataclass(slots=True)
class Node:
    """A YAML node that knows its file and field, so a problem with it lands on its line.

    A mapping's fields are in ``keys`` (the key nodes) and ``values``; a list's entries
    in ``entries``. ``data`` is the same tree as plain Python values (what JSON Schema
    validates), with YAML 1.2 booleans and texts without the newline a ``|`` leaves.
    """

    raw: yaml.Node
    file: SourceFile
    name: str = ""
    entry: bool = False
    keys: dict[str, Node] = field(default_factory=dict)
    values: dict[str, Node] = field(default_factory=dict)
    entries: list[Node] = field(default_factory=list)
    data: Any = None

    @property
    def line(self) -> int:
        return int(self.raw.start_mark.line) + 1

    @property
    def column(self) -> int:
        return int(self.raw.start_mark.column) + 1

    @property
    def where(self) -> str:
        return f"{self.file.path}:{self.line}"

    @property
    def label(self) -> str:
        if self.entry:
            return f'an entry in "{self.name}"'
        return f'"{self.name}"' if self.name else "the file"

    @property
    def empty(self) -> str:
        return f'empty entry in "{self.name}"' if self.entry else f"empty {self.name}"

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.raw, yaml.MappingNode)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.raw, yaml.SequenceNode)

    @property
    def written(self) -> str:
        """A scalar as it stands in the file (``6.1``, ``ja``), for messages."""
        return str(self.raw.value) if isinstance(self.raw, yaml.ScalarNode) else ""

    def error(self, message: str) -> None:
        self.file.report(self.line, self.column, message, "error")

    def warning(self, message: str) -> None:
        self.file.report(self.line, self.column, message, "warning")

    def at(self, path: Collection[str | int]) -> tuple[Node, Node | None]:
        """The node at a path of field names and list positions, and its key if it has one."""
        node, key = self, None
        for step in path:
            if isinstance(step, int):
                node, key = node.entries[step], None
            else:
                node, key = node.values[step], node.keys[step]
        return node, key

    # What the readers take: silent, because the structure check has said what is wrong.

    def get(self, name: str) -> Node | None:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        """A field's text, or None when it is missing, empty or not text."""
        node = self.values.get(name)
        return None if node is None else node.as_text()

    def as_text(self) -> str | None:
        if not isinstance(self.raw, yaml.ScalarNode) or isinstance(self.data, bool | None):
            return None
        value = self.written.rstrip()
        return value if value.strip() else None

    def integer(self, name: str) -> int | None:
        value = self.values[name].data if name in self.values else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return int(value) if float(value).is_integer() else None

    def boolean(self, name: str) -> bool | None:
        value = self.values[name].data if name in self.values else None
        return value if isinstance(value, bool) else None

    def list(self, name: str) -> list[Node]:
        node = self.values.get(name)
        return [] if node is None else node.entries


def open_yaml(file: SourceFile, path: Path) -> Node | None:
    """The root node of a file, or None (with its problems reported) when it cannot be read."""
    source = _read_text(file, path)
    if source is None:
        return None
    try:
        raw = yaml.compose(source, Loader=YamlLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        file.report(line, column, _syntax_message(error))
        return None
    except (yaml.YAMLError, RecursionError) as error:  # not expected after the checks above
        file.report(1, 1, f"the file cannot be read as YAML: {error}")
        return None
    if raw is None:
        file.report(1, 1, "the file is empty")
        return None
    return build(raw, file, "", entry=False)


def _read_text(file: SourceFile, path: Path) -> str | None:
    """The file's text, when it is small enough, UTF-8 and free of invisible characters."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        file.report(1, 1, f"cannot read the file: {error.strerror}")
        return None
    if len(data) > MAX_FILE_BYTES:
        file.report(
            1,
            1,
            f"the file is larger than {MAX_FILE_BYTES // 1024} KB; a week's lessons take far"
            " less: is it the right file?",
        )
        return None
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        file.report(line, 1, "the file is not UTF-8 text; save it as UTF-8")
        return None
    return source if _check_characters(file, source) else None


def _check_characters(file: SourceFile, source: str) -> bool:
    """Report each line with a NUL, control character or non-character; True when none."""
    lines: set[int] = set()
    for match in _BAD_CHARACTER.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        if line in lines:
            continue
        lines.add(line)
        if len(lines) > MAX_CHARACTER_LINES:
            file.report(line, 1, "more lines have such characters; is this a text file?")
            break
        column = match.start() - source.rfind("\n", 0, match.start())
        file.report(line, column, _character_message(match.group()))
    return not lines


def _character_message(character: str) -> str:
    code = f"U+{ord(character):04X}"
    if character == "\x00":
        what = f"an invisible NUL character ({code})"
    elif ord(character) < 0xA0:
        what = f"an invisible control character ({code})"
    else:
        what = f"{code}, which is not a character at all"
    return f"the line has {what}, often left by copying from another program; delete it"


def build(raw: yaml.Node, file: SourceFile, name: str, *, entry: bool) -> Node:
    """Wrap a composed node and its children, reporting keys that cannot be fields."""
    node = Node(raw, file, name, entry)
    if isinstance(raw, yaml.MappingNode | yaml.SequenceNode) and len(raw.value) > MAX_ENTRIES:
        node.error(
            f"{node.label} has {len(raw.value)} entries; a lesson file needs at most"
            f" {MAX_ENTRIES} in one place: is this the right file?"
        )
        node.data = {} if isinstance(raw, yaml.MappingNode) else []
        return node
    if isinstance(raw, yaml.MappingNode):
        for key_raw, value_raw in raw.value:
            key = Node(key_raw, file, name)
            key_name = key_raw.value if isinstance(key_raw, yaml.ScalarNode) else None
            if not isinstance(key_name, str) or key_raw.tag != TAG + "str":
                key.error("a field name must be a plain word")
            elif key_name in node.keys:
                key.error(f'duplicate key "{key_name}": also at line {node.keys[key_name].line}')
            else:
                node.keys[key_name] = key
                node.values[key_name] = build(
                    _at_key(key_raw, value_raw), file, key_name, entry=False
                )
        node.data = {name: value.data for name, value in node.values.items()}
    elif isinstance(raw, yaml.SequenceNode):
        node.entries = [build(item, file, name, entry=True) for item in raw.value]
        node.data = [item.data for item in node.entries]
    elif isinstance(raw, yaml.ScalarNode):
        node.data = _scalar(raw)
    return node


def _scalar(raw: yaml.ScalarNode) -> Any:
    """A scalar as JSON sees it; a value its tag cannot hold (``!!int abc``) stays text."""
    tag = raw.tag
    try:
        if tag == TAG + "null":
            return None
        if tag == TAG + "bool":
            return _CONSTRUCTOR.construct_yaml_bool(raw)
        if tag == TAG + "int":
            return _CONSTRUCTOR.construct_yaml_int(raw)
        if tag == TAG + "float":
            return _CONSTRUCTOR.construct_yaml_float(raw)
    except (ConstructorError, ValueError):
        pass
    return str(raw.value).rstrip()


def _at_key(key: yaml.Node, value: yaml.Node) -> yaml.Node:
    """An empty value (``text:`` and nothing after) placed at its key, where the eye goes."""
    if isinstance(value, yaml.ScalarNode) and value.tag == TAG + "null" and not value.value:
        return yaml.ScalarNode(value.tag, value.value, key.start_mark, key.end_mark)
    return value


# Words for messages.


def either(values: Collection[str], word: str = "or") -> str:
    """``a, b or c``: the choices a trainer has, in the order the schema gives them."""
    items = list(values)
    return ", ".join(items[:-1]) + f" {word} {items[-1]}" if len(items) > 1 else items[0]


def unknown(what: str, value: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(value, list(allowed), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'unknown {what} "{value}"{hint}'


def unknown_key(name: str, allowed: Collection[str], what: str) -> str:
    """Name the nearest key, or else every key, so the writer sees what was meant."""
    if difflib.get_close_matches(name, list(allowed), n=1):
        return unknown("key", name, allowed)
    return f'unknown key "{name}"; {what} can have {either(allowed, "and")}'


def describe(node: Node) -> str:
    """What a value is, in the words of the message "must be X, got Y"."""
    if node.is_mapping:
        return "a group of fields"
    if node.is_sequence:
        return "a list"
    if node.data is None:
        return "nothing"
    value = node.written
    short = value if len(value) <= 40 else value[:37] + "..."
    return f'"{short}"' if isinstance(node.data, str) else short


_SYNTAX_HINTS = (
    ("mapping values are not allowed", 'a ":" cannot go here; put a text that has ": " in quotes'),
    ("'\\t'", "a tab character; indent with spaces instead"),
    ("could not find expected ':'", 'a line is missing its ":", or a quote is not closed'),
    ("end of stream", "a quote or a bracket is opened but never closed"),
    ("expected <block end>", "this line is not indented like the lines above it"),
    ("but found another document", 'the file has a second part after "---"; remove it'),
)


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or str(error)
    if isinstance(error, RefusedYaml):
        return problem
    hint = next((hint for pattern, hint in _SYNTAX_HINTS if pattern in problem), None)
    if hint is None:
        return f"the file is not valid YAML: {problem}"
    return f"{hint} (YAML: {problem})"
