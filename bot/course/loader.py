"""Reads the lesson YAML files into the course model and says what is wrong with them.

Trainers write the course by hand, so a mistake has to come back as a line number and
a sentence they understand, and every mistake at once: fixing one, rerunning and
finding the next is slow, in an editor and in CI alike. The YAML is therefore composed
into nodes, which keep their line and column, and walked with a small cursor that
reports a problem and carries on instead of raising. The model is built from whatever
is sound, so the checker can still count what it read.

This module is pure (no Telegram, database or Babel), so the bot, the preview page,
the translation tools and the tests all load the course the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Literal, NamedTuple, TypeVar

import yaml
from yaml.constructor import SafeConstructor

from bot.course.limits import BUTTON_LIMIT, CAPTION_LIMIT, MESSAGE_LIMIT, utf16_len
from bot.course.model import (
    Course,
    Lesson,
    Option,
    Question,
    QuestionKind,
    Quiz,
    RetryRule,
    Step,
    Term,
    Text,
    UploadKind,
    Week,
)

Severity = Literal["error", "warning"]

COURSE_FILE = "course.yaml"
COURSE_SCHEMA = "schema/course.schema.json"
WEEK_SCHEMA = "schema/week.schema.json"
WEEK_GLOB = "week*.yaml"

# Callback data holds a few ids and must stay within Telegram's 64 bytes.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,24}")
ID_MAX = 24
MAX_OPTIONS = 10
DEFAULT_PASS_PERCENT = 60
DEFAULT_ATTEMPTS = 2

# The fields each part of a lesson file may have. tests/test_schema.py checks that the
# JSON Schemas allow exactly these, so the editor and the checker never disagree.
COURSE_FIELDS = ("id", "title", "weeks", "safety_questions")
WEEK_FIELDS = ("id", "number", "theme", "title", "digcomp", "lessons")
LESSON_FIELDS = ("id", "title", "steps", "quiz")
STEP_FIELDS = ("id", "text", "image", "audio", "terms")
TERM_FIELDS = ("term", "explanation")
QUIZ_FIELDS = ("pass_percent", "retry", "attempts", "questions")
KIND_FIELDS: dict[QuestionKind, tuple[str, ...]] = {
    QuestionKind.SINGLE: ("options",),
    QuestionKind.MULTIPLE: ("options",),
    QuestionKind.TRUE_FALSE: ("answer", "feedback_true", "feedback_false"),
    QuestionKind.ORDER: ("items",),
    QuestionKind.TASK: ("accepts", "hint"),
}
QUESTION_FIELDS = (
    *("id", "kind", "text", "explanation", "image"),
    *dict.fromkeys(name for names in KIND_FIELDS.values() for name in names),
)
OPTION_FIELDS = ("id", "text", "correct", "feedback")
ITEM_FIELDS = ("id", "text")

KIND_WORDS = {
    QuestionKind.SINGLE: "single-choice",
    QuestionKind.MULTIPLE: "multiple-choice",
    QuestionKind.TRUE_FALSE: "true/false",
    QuestionKind.ORDER: "order",
    QuestionKind.TASK: "task",
}
TRUE_FALSE_LABELS = {True: "Sant", False: "Falskt"}

# What Telegram sends as a photo, and as a voice message or audio file; and how big.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
AUDIO_SUFFIXES = (".ogg", ".oga", ".mp3", ".m4a")
IMAGE_MAX_BYTES = 10 * 1024 * 1024
AUDIO_MAX_BYTES = 50 * 1024 * 1024

# The competences of the DigComp 2.2 framework a week can name.
DIGCOMP = frozenset(
    f"{area}.{n}"
    for area, count in ((1, 3), (2, 6), (3, 4), (4, 4), (5, 4))
    for n in range(1, count + 1)
)

_SCHEMA_LINE = re.compile(r"#\s*yaml-language-server:\s*\$schema=(\S+)\s*")
_TAG = "tag:yaml.org,2002:"
_TEXT_TAGS = {_TAG + "str", _TAG + "int", _TAG + "float"}
_CONSTRUCTOR = SafeConstructor()


class YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans: only true and false.

    PyYAML follows YAML 1.1, where yes, no, on and off are booleans too, so an order
    item written ``id: no`` would turn into False; the editors' YAML extension reads
    YAML 1.2 and shows it as the text it is. Reading as the editor does keeps the
    checker, the schema and what the trainer sees in agreement.
    """


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TAG + "bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    _TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a lesson file, where a trainer's editor can jump to it."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class CourseError(Exception):
    """The course has errors; ``problems`` lists all of them (and any warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "the course has errors")


def load_course(directory: Path | str) -> Course:
    """The course, or CourseError when anything in it is an error (warnings are allowed)."""
    course, problems = check_course(directory)
    if course is None:
        raise CourseError(problems)
    return course


def check_course(directory: Path | str) -> tuple[Course | None, list[Problem]]:
    """The course (None when there is any error) and every problem found, in file order."""
    course, problems = read_course(directory)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return course, problems


def read_course(directory: Path | str) -> tuple[Course, list[Problem]]:
    """As much of the course as could be read, and every problem, in file order.

    The course may be incomplete when there are errors; the checker uses it to count
    what it read, and nothing should run a course with errors.
    """
    context = _Context(Path(directory))
    course = _read_course(context)
    problems = sorted(context.problems, key=lambda p: (p.path, p.line, p.column))
    return course, problems


# The cursor over YAML nodes.


@dataclass(frozen=True, slots=True)
class _File:
    path: str
    problems: list[Problem]

    def report(self, line: int, column: int, message: str, severity: Severity) -> None:
        self.problems.append(Problem(self.path, line, column, message, severity))


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML node that knows its file and field, so a problem with it lands on its line."""

    raw: yaml.Node
    file: _File
    name: str = ""
    entry: bool = False

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

    def error(self, message: str) -> None:
        self.file.report(self.line, self.column, message, "error")

    def warning(self, message: str) -> None:
        self.file.report(self.line, self.column, message, "warning")

    def is_null(self) -> bool:
        return isinstance(self.raw, yaml.ScalarNode) and self.raw.tag == _TAG + "null"

    def mapping(self, allowed: Collection[str], what: str) -> Fields | None:
        """The fields of a mapping; unknown and repeated keys are reported and left out."""
        if not isinstance(self.raw, yaml.MappingNode):
            self.wrong_type("a group of fields (name: value)")
            return None
        fields = Fields(self)
        for key_raw, value_raw in self.raw.value:
            key = Node(key_raw, self.file, self.name)
            name = key_raw.value if isinstance(key_raw, yaml.ScalarNode) else None
            if not isinstance(name, str):
                key.error("a field name must be a plain word")
            elif name in fields.keys:
                key.error(f'duplicate key "{name}": also at line {fields.keys[name].line}')
            elif name not in allowed:
                key.error(_unknown_key(name, allowed, what))
            else:
                fields.keys[name] = key
                fields.values[name] = Node(_at_key(key_raw, value_raw), self.file, name)
        return fields

    def sequence(self) -> list[Node] | None:
        if not isinstance(self.raw, yaml.SequenceNode):
            self.wrong_type("a list")
            return None
        return [Node(item, self.file, self.name, entry=True) for item in self.raw.value]

    def text(self) -> str | None:
        """The text as written, without the newline a ``|`` block leaves at its end.

        Numbers are kept as written (an answer may well be "112"); a true/false value is
        refused, as a text of just "true" is far likelier a field put in the wrong place.
        """
        if self.is_null():
            self.error(self.empty)
            return ""
        if not isinstance(self.raw, yaml.ScalarNode):
            self.wrong_type("text")
            return None
        if self.raw.tag == _TAG + "bool":
            self.error(f'{self.label} reads as true/false; write "{self.raw.value}" in quotes')
            return None
        if self.raw.tag not in _TEXT_TAGS:
            self.wrong_type("text")
            return None
        value = str(self.raw.value).rstrip()
        if not value.strip():
            self.error(self.empty)
        return value

    def integer(self) -> int | None:
        if isinstance(self.raw, yaml.ScalarNode) and self.raw.tag == _TAG + "int":
            return _CONSTRUCTOR.construct_yaml_int(self.raw)
        self.wrong_type("a whole number")
        return None

    def boolean(self) -> bool | None:
        if isinstance(self.raw, yaml.ScalarNode) and self.raw.tag == _TAG + "bool":
            return _CONSTRUCTOR.construct_yaml_bool(self.raw)
        self.wrong_type("true or false")
        return None

    def choice(self, enum: type[E], what: str) -> E | None:
        value = self.text()
        if not value:
            return None
        allowed = [member.value for member in enum]
        if value in allowed:
            return enum(value)
        self.error(f"{_unknown(what, value, allowed)}; use {_either(allowed)}")
        return None

    def wrong_type(self, expected: str) -> None:
        self.error(f"{self.label} must be {expected}, got {_describe(self.raw)}")


@dataclass(slots=True)
class Fields:
    """The checked fields of one mapping, with typed getters that report what is wrong."""

    node: Node
    values: dict[str, Node] = field(default_factory=dict)
    keys: dict[str, Node] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, *, required: bool = False) -> Node | None:
        node = self.values.get(name)
        if node is None and required:
            self.node.error(f'missing required field "{name}"')
        return node

    def text(self, name: str, *, required: bool = True, limit: int = MESSAGE_LIMIT) -> str | None:
        node = self.get(name, required=required)
        value = None if node is None else node.text()
        if node is not None and value:
            _check_length(node, value, limit)
        return value

    def integer(
        self, name: str, default: int | None, minimum: int, maximum: int | None = None
    ) -> int | None:
        node = self.get(name, required=default is None)
        if node is None:
            return default
        value = node.integer()
        if value is None:
            return default
        if value < minimum or (maximum is not None and value > maximum):
            node.error(f'"{name}" must be {_range(minimum, maximum)}, got {value}')
        return value

    def boolean(self, name: str, default: bool | None) -> bool | None:
        node = self.get(name, required=default is None)
        value = None if node is None else node.boolean()
        return default if value is None else value

    def choice(
        self, name: str, enum: type[E], default: E | None, what: str | None = None
    ) -> E | None:
        node = self.get(name, required=default is None)
        value = None if node is None else node.choice(enum, what or name)
        return default if node is None else value

    def sequence(self, name: str, *, required: bool = True) -> list[Node]:
        node = self.get(name, required=required)
        return [] if node is None else node.sequence() or []

    def ident(self, ids: _Ids) -> str:
        """The ``id``, checked and claimed in its namespace; "" when it is missing."""
        node = self.get("id", required=True)
        value = None if node is None else node.text()
        if node is None or not value:
            return ""
        if len(value) > ID_MAX:
            node.error(f'id "{value}" is {len(value)} characters; an id holds at most {ID_MAX}')
        elif not ID_PATTERN.fullmatch(value):
            node.error(
                f'id "{value}" may only use the letters a-z and A-Z, digits, "-" and "_"'
                " (no å, ä, ö or spaces)"
            )
        ids.claim(value, node)
        return value


@dataclass(slots=True)
class _Ids:
    """The ids taken in one namespace and where, so a duplicate can point at the first."""

    what: str = "id"
    seen: dict[str, Node] = field(default_factory=dict)

    def claim(self, value: str, node: Node) -> bool:
        """Take the id; False (and an error) when it was already taken."""
        first = self.seen.setdefault(value, node)
        if first is not node:
            node.error(f'duplicate {self.what} "{value}": also used at {first.where}')
        return first is node


def _at_key(key: yaml.Node, value: yaml.Node) -> yaml.Node:
    """An empty value (``text:`` and nothing after) placed at its key, where the eye goes."""
    if isinstance(value, yaml.ScalarNode) and value.tag == _TAG + "null" and not value.value:
        return yaml.ScalarNode(value.tag, value.value, key.start_mark, key.end_mark)
    return value


def _unknown(what: str, value: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(value, list(allowed), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'unknown {what} "{value}"{hint}'


def _unknown_key(name: str, allowed: Collection[str], what: str) -> str:
    """Name the nearest key, or else every key, so the trainer sees what was meant."""
    if difflib.get_close_matches(name, list(allowed), n=1):
        return _unknown("key", name, allowed)
    return f'unknown key "{name}"; {what} can have {_either(list(allowed), "and")}'


def _either(values: list[str], word: str = "or") -> str:
    return ", ".join(values[:-1]) + f" {word} {values[-1]}" if len(values) > 1 else values[0]


def _range(minimum: int, maximum: int | None) -> str:
    if maximum is None:
        return f"at least {minimum}"
    return f"between {minimum} and {maximum}"


def _describe(raw: yaml.Node) -> str:
    if isinstance(raw, yaml.MappingNode):
        return "a group of fields"
    if isinstance(raw, yaml.SequenceNode):
        return "a list"
    value = str(raw.value)
    if raw.tag == _TAG + "null":
        return "nothing"
    short = value if len(value) <= 40 else value[:37] + "..."
    return f'"{short}"' if raw.tag == _TAG + "str" else short


def _check_length(node: Node, value: str, limit: int) -> None:
    length = utf16_len(value)
    if length <= limit:
        return
    holder = {
        MESSAGE_LIMIT: "a Telegram message holds",
        CAPTION_LIMIT: "a text under an image (a caption) holds",
        BUTTON_LIMIT: "a button holds",
    }.get(limit, "it may have")
    node.error(f"{node.name} is {length} characters; {holder} at most {limit}")


# Reading files.


@dataclass(slots=True)
class _Context:
    """What one reading of the course shares: the folder, the problems, the course-wide ids."""

    directory: Path
    problems: list[Problem] = field(default_factory=list)
    week_ids: _Ids = field(default_factory=_Ids)
    lesson_ids: _Ids = field(default_factory=_Ids)

    def file(self, name: str) -> _File:
        return _File(_display(self.directory / name), self.problems)


def _display(path: Path) -> str:
    """The path as given, or relative to the working directory when it lies under it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def _open(context: _Context, name: str, schema: str) -> Node | None:
    """The root node of a lesson file, or None (with a problem) when it cannot be read."""
    file = context.file(name)
    try:
        data = (context.directory / name).read_bytes()
    except OSError as error:
        file.report(1, 1, f"cannot read the file: {error.strerror}", "error")
        return None
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        file.report(line, 1, "the file is not UTF-8 text; save it as UTF-8", "error")
        return None
    _check_schema_line(file, source, schema)
    try:
        raw = yaml.compose(source, Loader=YamlLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        file.report(line, column, _syntax_message(error), "error")
        return None
    if raw is None:
        file.report(1, 1, "the file is empty", "error")
        return None
    return Node(raw, file)


def _check_schema_line(file: _File, source: str, schema: str) -> None:
    """Warn when the first line does not name the schema the editor checks the file with.

    Only the schema's file name must match: a course kept in another folder (the test
    fixtures, say) points at the same schema by another relative path.
    """
    first = source.split("\n", 1)[0].strip()
    match = _SCHEMA_LINE.fullmatch(first)
    expected = f"# yaml-language-server: $schema={schema}"
    if match is None:
        message = f'the first line should be "{expected}", so editors check the file as you type'
        file.report(1, 1, message, "warning")
    elif PurePosixPath(match.group(1)).name != PurePosixPath(schema).name:
        message = f'the first line names the schema "{match.group(1)}"; this file uses "{schema}"'
        file.report(1, 1, message, "warning")


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
    hint = next((hint for pattern, hint in _SYNTAX_HINTS if pattern in problem), None)
    if hint is None:
        return f"the file is not valid YAML: {problem}"
    return f"{hint} (YAML: {problem})"


# Building the model.


def _read_course(context: _Context) -> Course:
    empty = Course(id="", title=Text("course/title", ""), weeks=())
    if not context.directory.is_dir():
        context.problems.append(
            Problem(_display(context.directory), 1, 1, "the folder does not exist")
        )
        return empty
    if not (context.directory / COURSE_FILE).is_file():
        file = context.file(COURSE_FILE)
        file.report(1, 1, f"the course file {COURSE_FILE} does not exist", "error")
        return empty
    root = _open(context, COURSE_FILE, COURSE_SCHEMA)
    fields = None if root is None else root.mapping(COURSE_FIELDS, "the course")
    if fields is None:
        return empty
    course_id = fields.ident(_Ids())
    title = fields.text("title") or ""
    listed = _week_names(context, fields)
    weeks = [_read_week(context, name, node, n) for n, (name, node) in enumerate(listed, 1)]
    found = tuple(week for week in weeks if week is not None)
    return Course(
        id=course_id,
        title=Text("course/title", title),
        weeks=found,
        safety_questions=_safety_questions(fields, found),
    )


def _safety_questions(fields: Fields, weeks: tuple[Week, ...]) -> frozenset[str]:
    """The ``lesson/question`` ids listed under safety_questions, each checked to exist."""
    known = {
        f"{lesson.id}/{q.id}"
        for week in weeks
        for lesson in week.lessons
        for q in (lesson.quiz.questions if lesson.quiz else ())
    }
    listed: set[str] = set()
    for node in fields.sequence("safety_questions", required=False):
        name = node.text()
        if not name:
            continue
        if name not in known:
            node.error(f'safety question "{name}" is no lesson/question id of the course')
            continue
        listed.add(name)
    return frozenset(listed)


def _week_names(context: _Context, fields: Fields) -> list[tuple[str, Node]]:
    """The week files course.yaml lists, each checked to be a file name listed once."""
    listed: list[tuple[str, Node]] = []
    seen = _Ids(what="week file")
    for node in fields.sequence("weeks"):
        name = node.text()
        if not name:
            continue
        if PurePosixPath(name).name != name or "\\" in name:
            node.error(f'week file "{name}" must be a file name in the folder of {COURSE_FILE}')
            continue
        if seen.claim(name, node):
            listed.append((name, node))
    weeks_key = fields.keys.get("weeks", fields.node)
    for path in sorted(context.directory.glob(WEEK_GLOB)):
        if path.name not in seen.seen:
            weeks_key.error(f'week file "{path.name}" is not listed in {COURSE_FILE}')
    return listed


def _read_week(context: _Context, name: str, listed: Node, position: int) -> Week | None:
    if not (context.directory / name).is_file():
        listed.error(f'week file "{name}" listed in {COURSE_FILE} does not exist')
        return None
    root = _open(context, name, WEEK_SCHEMA)
    fields = None if root is None else root.mapping(WEEK_FIELDS, "a week")
    if fields is None:
        return None
    week_id = fields.ident(context.week_ids)
    if week_id == "course":
        fields.values["id"].error('the week id "course" is taken by the course\'s own texts')
    number = fields.integer("number", None, 1)
    if number is not None and number != position:
        fields.values["number"].warning(
            f"week number {number} does not match its place in {COURSE_FILE} ({position})"
        )
    title = fields.text("title") or ""
    theme = fields.text("theme") or ""
    lessons = [_read_lesson(context, node, week_id) for node in _entries(fields, "lessons")]
    return Week(
        id=week_id,
        number=number or position,
        title=Text(f"{week_id}/title", title),
        theme=Text(f"{week_id}/theme", theme),
        lessons=tuple(lesson for lesson in lessons if lesson is not None),
        digcomp=_digcomp(fields),
        source=name,
    )


def _entries(fields: Fields, name: str) -> list[Node]:
    """A required list that must not be empty (a week without lessons is a mistake)."""
    nodes = fields.sequence(name)
    node = fields.values.get(name)
    if node is not None and isinstance(node.raw, yaml.SequenceNode) and not nodes:
        node.error(f'"{name}" is empty; add at least one')
    return nodes


def _digcomp(fields: Fields) -> tuple[str, ...]:
    codes: list[str] = []
    for node in fields.sequence("digcomp", required=False):
        code = node.text()
        if code and code not in DIGCOMP:
            node.error(f'"{code}" is not a DigComp 2.2 competence (1.1 to 5.4)')
        elif code:
            codes.append(code)
    return tuple(codes)


def _read_lesson(context: _Context, node: Node, week_id: str) -> Lesson | None:
    fields = node.mapping(LESSON_FIELDS, "a lesson")
    if fields is None:
        return None
    lesson_id = fields.ident(context.lesson_ids)
    key = f"{week_id}/{lesson_id}"
    title = fields.text("title") or ""
    # Steps and questions share one namespace: both key their texts as <lesson>/<id>/...
    ids = _Ids()
    steps = [_read_step(context, step, key, ids) for step in _entries(fields, "steps")]
    quiz_node = fields.get("quiz")
    quiz = None if quiz_node is None else _read_quiz(context, quiz_node, key, ids)
    return Lesson(
        id=lesson_id,
        title=Text(f"{key}/title", title),
        steps=tuple(step for step in steps if step is not None),
        quiz=quiz,
    )


def _read_step(context: _Context, node: Node, lesson_key: str, ids: _Ids) -> Step | None:
    fields = node.mapping(STEP_FIELDS, "a step")
    if fields is None:
        return None
    step_id = fields.ident(ids)
    key = f"{lesson_key}/{step_id}"
    image = _media(context, fields, "image")
    audio = _media(context, fields, "audio")
    text = fields.text("text", limit=CAPTION_LIMIT if "image" in fields else MESSAGE_LIMIT)
    if text is None:
        return None
    return Step(
        id=step_id,
        text=Text(f"{key}/text", text),
        image=image,
        audio=audio,
        terms=_terms(fields, key),
    )


def _terms(fields: Fields, step_key: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    seen = _Ids(what="term")
    for node in fields.sequence("terms", required=False):
        term_fields = node.mapping(TERM_FIELDS, "a term")
        if term_fields is None:
            continue
        term = term_fields.text("term")
        explanation = term_fields.text("explanation")
        if term:
            seen.claim(term, term_fields.values["term"])
        if term and explanation is not None:
            terms.append(Term(term, Text(f"{step_key}/terms/{term}", explanation)))
    return tuple(terms)


def _media(context: _Context, fields: Fields, name: Literal["image", "audio"]) -> str | None:
    """The path of an image or audio file, checked to be a usable file under lessons/."""
    node = fields.get(name)
    value = None if node is None else node.text()
    if node is None or not value:
        return None
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        node.error(f'{name} file "{value}" must be a path in the lessons folder, like media/a.png')
        return value
    full = context.directory / path
    if not full.is_file():
        node.error(f'{name} file "{value}" does not exist')
        return value
    suffixes, most = (
        (IMAGE_SUFFIXES, IMAGE_MAX_BYTES) if name == "image" else (AUDIO_SUFFIXES, AUDIO_MAX_BYTES)
    )
    if path.suffix.lower() not in suffixes:
        node.warning(f'{name} file "{value}" should be {_either(list(suffixes))}')
    size = full.stat().st_size
    if size > most:
        megabytes, limit = size // 2**20, most // 2**20
        node.error(f'{name} file "{value}" is {megabytes} MB; Telegram takes at most {limit} MB')
    return value


def _read_quiz(context: _Context, node: Node, lesson_key: str, ids: _Ids) -> Quiz | None:
    fields = node.mapping(QUIZ_FIELDS, "a quiz")
    if fields is None:
        return None
    pass_percent = fields.integer("pass_percent", DEFAULT_PASS_PERCENT, 0, 100)
    retry = fields.choice("retry", RetryRule, RetryRule.AGAIN, "retry rule")
    attempts = fields.integer("attempts", DEFAULT_ATTEMPTS, 1)
    if retry is RetryRule.NEXT and "attempts" in fields:
        fields.keys["attempts"].warning('"attempts" has no effect when "retry" is "next"')
    questions = [
        _read_question(context, question, lesson_key, ids)
        for question in _entries(fields, "questions")
    ]
    return Quiz(
        questions=tuple(q for q in questions if q is not None),
        pass_percent=DEFAULT_PASS_PERCENT if pass_percent is None else pass_percent,
        retry=retry or RetryRule.AGAIN,
        attempts=attempts or DEFAULT_ATTEMPTS,
    )


class _Answers(NamedTuple):
    options: tuple[Option, ...] = ()
    accepts: tuple[UploadKind, ...] = ()
    hint: Text | None = None


class _Asked(NamedTuple):
    """A question being read: its fields, text key prefix, kind and name for messages."""

    fields: Fields
    key: str
    kind: QuestionKind
    name: str

    @property
    def label(self) -> str:
        return f'{KIND_WORDS[self.kind]} question "{self.name}"'


def _read_question(context: _Context, node: Node, lesson_key: str, ids: _Ids) -> Question | None:
    fields = node.mapping(QUESTION_FIELDS, "a question")
    if fields is None:
        return None
    question_id = fields.ident(ids)
    key = f"{lesson_key}/{question_id}"
    kind = fields.choice("kind", QuestionKind, None, "question kind")
    image = _media(context, fields, "image")
    text = fields.text("text", limit=CAPTION_LIMIT if "image" in fields else MESSAGE_LIMIT)
    explanation = fields.text("explanation", required=False)
    if kind is None:
        return None
    _check_kind_fields(fields, kind)
    answers = _ANSWER_READERS[kind](_Asked(fields, key, kind, question_id))
    if text is None:
        return None
    return Question(
        id=question_id,
        kind=kind,
        text=Text(f"{key}/text", text),
        options=answers.options,
        accepts=answers.accepts,
        explanation=None if explanation is None else Text(f"{key}/explanation", explanation),
        hint=answers.hint,
        image=image,
    )


def _check_kind_fields(fields: Fields, kind: QuestionKind) -> None:
    """Refuse fields of another kind: a trainer who wrote them expects them to matter."""
    own = KIND_FIELDS[kind]
    for name, key in fields.keys.items():
        if name not in own and any(name in names for names in KIND_FIELDS.values()):
            key.error(f'a {KIND_WORDS[kind]} question does not use "{name}"')


def _list_key(fields: Fields, name: str) -> Node | None:
    """The key of a field that holds a list, for problems about the list as a whole."""
    value = fields.values.get(name)
    if value is None or not isinstance(value.raw, yaml.SequenceNode):
        return None
    return fields.keys[name]


def _read_choices(asked: _Asked) -> _Answers:
    options = _read_options(asked, "options")
    where = _list_key(asked.fields, "options")
    correct = sum(option.correct for option in options)
    if where is not None and correct == 0:
        where.error(f'question "{asked.name}" has no correct answer')
    elif where is not None and asked.kind is QuestionKind.SINGLE and correct > 1:
        where.error(f"{asked.label} has {correct} correct answers; it must have exactly one")
    return _Answers(options)


def _read_order(asked: _Asked) -> _Answers:
    items = _read_options(asked, "items")
    return _Answers(tuple(Option(item.id, item.text, correct=True) for item in items))


def _read_options(asked: _Asked, name: Literal["options", "items"]) -> tuple[Option, ...]:
    """Options or order items: they become buttons, so at least two, at most ten, short."""
    nodes = asked.fields.sequence(name)
    where = _list_key(asked.fields, name)
    if where is not None and len(nodes) < 2:
        where.error(f"{asked.label} needs at least 2 {name}")
    elif where is not None and len(nodes) > MAX_OPTIONS:
        where.error(f"{asked.label} has {len(nodes)} {name}; it can have at most {MAX_OPTIONS}")
    ids = _Ids()
    allowed = OPTION_FIELDS if name == "options" else ITEM_FIELDS
    options = (_read_option(node, allowed, asked.key, ids) for node in nodes)
    return tuple(option for option in options if option is not None)


def _read_option(node: Node, allowed: tuple[str, ...], key: str, ids: _Ids) -> Option | None:
    fields = node.mapping(allowed, "an option" if allowed is OPTION_FIELDS else "an item")
    if fields is None:
        return None
    option_id = fields.ident(ids)
    text = fields.text("text", limit=BUTTON_LIMIT)
    correct = fields.boolean("correct", False)
    feedback = fields.text("feedback", required=False)
    if text is None:
        return None
    return Option(
        id=option_id,
        text=Text(f"{key}/{option_id}/text", text),
        correct=bool(correct),
        feedback=None if feedback is None else Text(f"{key}/{option_id}/feedback", feedback),
    )


def _read_true_false(asked: _Asked) -> _Answers:
    """Two options built here, so the engine treats true/false like any single choice."""
    answer = asked.fields.boolean("answer", None)
    options = []
    for value, name in ((True, "true"), (False, "false")):
        feedback = asked.fields.text(f"feedback_{name}", required=False)
        options.append(
            Option(
                id=name,
                text=Text(f"{asked.key}/{name}/text", TRUE_FALSE_LABELS[value]),
                correct=answer is value,
                feedback=None
                if feedback is None
                else Text(f"{asked.key}/{name}/feedback", feedback),
            )
        )
    return _Answers(tuple(options))


def _read_task(asked: _Asked) -> _Answers:
    accepts: list[UploadKind] = []
    nodes = asked.fields.sequence("accepts")
    for node in nodes:
        kind = node.choice(UploadKind, "upload kind")
        if kind in accepts:
            node.warning(f'"{kind}" is listed twice')
        elif kind is not None:
            accepts.append(kind)
    where = _list_key(asked.fields, "accepts")
    if where is not None and not nodes:
        where.error(f"{asked.label} must accept at least one of {_either(list(UploadKind))}")
    hint = asked.fields.text("hint", required=False)
    return _Answers(
        accepts=tuple(accepts), hint=None if hint is None else Text(f"{asked.key}/hint", hint)
    )


_ANSWER_READERS: dict[QuestionKind, Callable[[_Asked], _Answers]] = {
    QuestionKind.SINGLE: _read_choices,
    QuestionKind.MULTIPLE: _read_choices,
    QuestionKind.TRUE_FALSE: _read_true_false,
    QuestionKind.ORDER: _read_order,
    QuestionKind.TASK: _read_task,
}
