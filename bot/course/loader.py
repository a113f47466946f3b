"""Reads the lesson YAML files into the course model and says what is wrong with them.

Trainers write the course by hand, so a mistake has to come back as a line number and
a sentence they understand, and every mistake at once. Three layers do that:

- bot/course/yamlcursor.py reads a file safely into nodes that know their line;
- bot/course/structure.py checks the nodes against the JSON Schemas in
  lessons/schema/ (the one source of which fields exist, which are required, their
  types, values and sizes: the editor checks with the same files as the trainer types);
- the readers here build the model from whatever is sound and check what a schema
  cannot see: ids unique across files, media files that exist inside lessons/, week
  numbers. `_CourseWords` gives the structure check the course's own words.

This module is pure (no Telegram, database or Babel), so the bot, the preview page,
the translation tools and the tests all load the course the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal, NamedTuple

from bot.course.limits import HOLDERS, utf16_len
from bot.course.model import (
    Card,
    Course,
    Lesson,
    Option,
    Place,
    ProfileTopic,
    Question,
    QuestionKind,
    Quiz,
    RetryRule,
    Step,
    StepKind,
    Term,
    Text,
    UploadKind,
    Week,
)
from bot.course.structure import SILENT, Finding, Schema, check_structure, load_schema
from bot.course.yamlcursor import (
    Node,
    Problem,
    Severity,
    SourceFile,
    YamlLoader,
    either,
    open_yaml,
    unknown,
)

__all__ = [
    "COURSE_FILE",
    "WEEK_GLOB",
    "CourseError",
    "Problem",
    "Severity",
    "YamlLoader",
    "check_course",
    "load_course",
    "read_course",
]

COURSE_FILE = "course.yaml"
COURSE_SCHEMA = "schema/course.schema.json"
WEEK_SCHEMA = "schema/week.schema.json"
WEEK_GLOB = "week*.yaml"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "lessons" / "schema"
"""The schemas the code was written for, whichever lessons folder it reads."""

KIND_WORDS = {
    QuestionKind.SINGLE: "single-choice",
    QuestionKind.MULTIPLE: "multiple-choice",
    QuestionKind.TRUE_FALSE: "true/false",
    QuestionKind.ORDER: "order",
    QuestionKind.TASK: "task",
}
TRUE_FALSE_LABELS = {True: "Sant", False: "Falskt"}

# What Telegram sends as a photo (an SVG picture is sent as the PNG it is rendered
# to, see bot/media/pictures.py), and as a voice message or audio file; and how big.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
IMAGE_KINDS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "SVG": (".svg",)}
AUDIO_SUFFIXES = (".ogg", ".oga", ".mp3", ".m4a")
IMAGE_MAX_BYTES = 10 * 1024 * 1024
AUDIO_MAX_BYTES = 50 * 1024 * 1024


PictureInspector = Callable[[Path], str | None]
"""Why a picture file cannot be sent as a Telegram photo, or None when it can.

Rendering and measuring a picture needs cairo, which this pure module does not
load: ``lessons check`` passes bot.media.pictures.inspect_picture in.
"""


class CourseError(Exception):
    """The course has errors; ``problems`` lists all of them (and any warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "the course has errors")


def load_course(directory: Path | str, inspect: PictureInspector | None = None) -> Course:
    """The course, or CourseError when anything in it is an error (warnings are allowed)."""
    course, problems = check_course(directory, inspect)
    if course is None:
        raise CourseError(problems)
    return course


def check_course(
    directory: Path | str, inspect: PictureInspector | None = None
) -> tuple[Course | None, list[Problem]]:
    """The course (None when there is any error) and every problem found, in file order."""
    course, problems = read_course(directory, inspect)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return course, problems


def read_course(
    directory: Path | str, inspect: PictureInspector | None = None
) -> tuple[Course, list[Problem]]:
    """As much of the course as could be read, and every problem, in file order.

    The course may be incomplete when there are errors; the checker uses it to count
    what it read, and nothing should run a course with errors. With ``inspect``, every
    picture is also rendered and measured against Telegram's limits for a photo.
    """
    context = _Context(Path(directory), inspect)
    course = _read_course(context)
    problems = sorted(context.problems, key=lambda p: (p.path, p.line, p.column))
    return course, problems


def course_schema() -> Schema:
    return load_schema(SCHEMA_DIR / "course.schema.json", "course", utf16_len)


def week_schema() -> Schema:
    return load_schema(SCHEMA_DIR / "week.schema.json", "week", utf16_len)


# The course's words for what the structure check finds.


_ENUM_WORDS = {"kind": "question kind", "retry": "retry rule", "accepts": "upload kind"}
_STEP_ENUM_WORDS = {"kind": "step kind", "profile": "profile topic"}
_LIST_RULES = ("minItems", "maxItems", "contains", "maxContains", "minContains")


class _CourseWords:
    """Sentences a trainer understands for the findings the generic words say less well."""

    def part(self, name: str) -> str:
        if name in ("course", "week"):
            return {"course": "the course", "week": "a week"}[name]
        return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"

    def say(self, finding: Finding) -> str | None:
        name, rule, value = finding.name, finding.rule, finding.node.written
        if self._readers_say(finding):
            return SILENT
        if name == "id" and rule == "pattern" and value.strip():
            return (
                f'id "{value}" may only use the letters a-z and A-Z, digits, "-" and "_"'
                " (no å, ä, ö or spaces)"
            )
        if name == "id" and rule == "maxLength":
            return f'id "{value}" is {len(value)} characters; an id holds at most {finding.limit}'
        if rule == "maxLength":
            holder = HOLDERS.get(finding.limit, "it may have")
            return f"{name} is {utf16_len(value)} characters; {holder} at most {finding.limit}"
        if rule == "enum":
            return self._enum(finding)
        if finding.name == "image" and rule in ("forbidden", "required"):
            return self._picture_answer(finding)
        if finding.part == "question" and (rule == "forbidden" or rule in _LIST_RULES):
            return self._question(finding)
        return None

    @staticmethod
    def _picture_answer(finding: Finding) -> str | None:
        """A picture per option: single choice only, every option or none, no question picture."""
        if finding.part == "option" and finding.rule == "required":
            return (
                'every option needs an "image" (and its "alt") when one option has a picture:'
                " the pictures are the answers, sent together under the letters A, B, C"
            )
        if finding.part == "option":
            return "only a single-choice question can show a picture per option"
        if finding.part == "question":
            return (
                "a question whose options are pictures has no picture of its own:"
                " the options' pictures are sent instead"
            )
        return None

    @staticmethod
    def _readers_say(finding: Finding) -> bool:
        """Paths are the readers' to check (they resolve links), and so are repeated weeks."""
        paths = finding.rule == "pattern" and finding.name in ("image", "audio", "weeks")
        return paths or (finding.rule == "uniqueItems" and finding.name == "weeks")

    @staticmethod
    def _enum(finding: Finding) -> str | None:
        value = finding.node.written
        if finding.name == "digcomp":
            return f'"{value}" is not a DigComp 2.2 competence (1.1 to 5.4)'
        words = _STEP_ENUM_WORDS if finding.part == "step" else _ENUM_WORDS
        if finding.name not in words or not value.strip():
            return None
        allowed = [str(v) for v in finding.limit]
        return f"{unknown(words[finding.name], value, allowed)}; use {either(allowed)}"

    @staticmethod
    def _question(finding: Finding) -> str | None:
        owner = finding.owner
        kind_text = None if owner is None else owner.text("kind")
        question_id = (None if owner is None else owner.text("id")) or ""
        kind = QuestionKind(kind_text) if kind_text in set(QuestionKind) else None
        if kind is None:
            return None
        label = f'{KIND_WORDS[kind]} question "{question_id}"'
        name, rule, limit = finding.name, finding.rule, finding.limit
        if rule == "forbidden":
            return f'a {KIND_WORDS[kind]} question does not use "{name}"'
        if rule == "minItems" and name == "accepts":
            kinds = [str(v) for v in finding.schema.get("items", {}).get("enum", [])]
            return f"{label} must accept at least one of {either(kinds)}"
        if rule == "minItems":
            return f"{label} needs at least {limit} {name}"
        if rule == "maxItems":
            return f"{label} has {len(finding.node.entries)} {name}; it can have at most {limit}"
        correct = sum(isinstance(o, dict) and o.get("correct") is True for o in finding.node.data)
        if correct == 0:
            return f'question "{question_id}" has no correct answer'
        return f"{label} has {correct} correct answers; it must have exactly one"


_WORDS = _CourseWords()


# Reading files.


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


@dataclass(slots=True)
class _Context:
    """What one reading of the course shares: the folder, the problems, the course-wide ids."""

    directory: Path
    inspect: PictureInspector | None = None
    problems: list[Problem] = field(default_factory=list)
    week_ids: _Ids = field(default_factory=_Ids)
    lesson_ids: _Ids = field(default_factory=_Ids)

    def file(self, name: str) -> SourceFile:
        return SourceFile(_display(self.directory / name), self.problems)

    def open(self, name: str, schema_line: str, schema: Schema) -> Node | None:
        """The root of a lesson file, checked against its schema; None when unreadable."""
        file = self.file(name)
        root = open_yaml(file, self.directory / name)
        if root is None:
            return None
        _check_schema_line(file, self.directory / name, schema_line)
        check_structure(root, schema, _WORDS, utf16_len)
        return root if root.is_mapping else None


def _display(path: Path) -> str:
    """The path as given, or relative to the working directory when it lies under it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def _check_schema_line(file: SourceFile, path: Path, schema: str) -> None:
    """Warn when the first line does not name the schema the editor checks the file with.

    Only the schema's file name must match: a course kept in another folder (the test
    fixtures, say) points at the same schema by another relative path.
    """
    try:
        with path.open("rb") as stream:
            first = stream.readline(4096).decode("utf-8-sig", "replace").strip()
    except OSError:  # gone since it was read: the next check reads it again
        return
    prefix = "# yaml-language-server: $schema="
    named = first.removeprefix(prefix).strip() if first.startswith(prefix) else None
    expected = prefix + schema
    if not named or " " in named:
        message = f'the first line should be "{expected}", so editors check the file as you type'
        file.report(1, 1, message, "warning")
    elif PurePosixPath(named).name != PurePosixPath(schema).name:
        message = f'the first line names the schema "{named}"; this file uses "{schema}"'
        file.report(1, 1, message, "warning")


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
    root = context.open(COURSE_FILE, COURSE_SCHEMA, course_schema())
    if root is None:
        return empty
    course_id = _ident(root, _Ids())
    listed = _week_names(context, root)
    weeks = [_read_week(context, name, node, n) for n, (name, node) in enumerate(listed, 1)]
    found = tuple(week for week in weeks if week is not None)
    return Course(
        id=course_id,
        title=Text("course/title", root.text("title") or "", _place(root, "title")),
        weeks=found,
        safety_questions=_safety_questions(root, found),
    )


def _safety_questions(root: Node, weeks: tuple[Week, ...]) -> frozenset[str]:
    """The ``lesson/question`` ids listed under safety_questions, each checked to exist."""
    known = {
        f"{lesson.id}/{q.id}"
        for week in weeks
        for lesson in week.lessons
        for q in (lesson.quiz.questions if lesson.quiz else ())
    }
    listed: set[str] = set()
    for node in root.list("safety_questions"):
        name = node.as_text()
        if not name:
            continue
        if name not in known:
            node.error(f'safety question "{name}" is no lesson/question id of the course')
            continue
        listed.add(name)
    return frozenset(listed)


def _ident(node: Node, ids: _Ids) -> str:
    """The ``id``, claimed in its namespace; "" when it is missing or not sound."""
    value = node.text("id")
    if value:
        ids.claim(value, node.values["id"])
    return value or ""


def _week_names(context: _Context, root: Node) -> list[tuple[str, Node]]:
    """The week files course.yaml lists, each checked to be a file name listed once."""
    listed: list[tuple[str, Node]] = []
    seen = _Ids(what="week file")
    for node in root.list("weeks"):
        name = node.as_text()
        if not name:
            continue
        if PurePosixPath(name).name != name or "\\" in name:
            node.error(f'week file "{name}" must be a file name in the folder of {COURSE_FILE}')
            continue
        if seen.claim(name, node):
            listed.append((name, node))
    weeks_key = root.keys.get("weeks", root)
    for path in sorted(context.directory.glob(WEEK_GLOB)):
        if path.name not in seen.seen:
            weeks_key.error(f'week file "{path.name}" is not listed in {COURSE_FILE}')
    return listed


def _read_week(context: _Context, name: str, listed: Node, position: int) -> Week | None:
    if not (context.directory / name).is_file():
        listed.error(f'week file "{name}" listed in {COURSE_FILE} does not exist')
        return None
    root = context.open(name, WEEK_SCHEMA, week_schema())
    if root is None:
        return None
    week_id = _ident(root, context.week_ids)
    if week_id == "course":
        root.values["id"].error('the week id "course" is taken by the course\'s own texts')
    number = root.integer("number")
    if number is not None and number != position:
        root.values["number"].warning(
            f"week number {number} does not match its place in {COURSE_FILE} ({position})"
        )
    lessons = [_read_lesson(context, node, week_id) for node in _parts(root, "lessons")]
    digcomp = (node.as_text() for node in root.list("digcomp"))
    return Week(
        id=week_id,
        number=number or position,
        title=Text(f"{week_id}/title", root.text("title") or "", _place(root, "title")),
        theme=Text(f"{week_id}/theme", root.text("theme") or "", _place(root, "theme")),
        lessons=tuple(lesson for lesson in lessons if lesson is not None),
        digcomp=tuple(code for code in digcomp if code),
        source=name,
    )


def _place(node: Node, name: str) -> Place:
    """Where a field stands: its key, where the eye goes (or the part, if it is missing)."""
    spot = node.keys.get(name, node)
    return Place(spot.file.path, spot.line, spot.column)


def _parts(node: Node, name: str) -> list[Node]:
    """The entries of a list that are groups of fields (the schema reported the others)."""
    return [entry for entry in node.list(name) if entry.is_mapping]


def _read_lesson(context: _Context, node: Node, week_id: str) -> Lesson | None:
    lesson_id = _ident(node, context.lesson_ids)
    key = f"{week_id}/{lesson_id}"
    # Steps and questions share one namespace: both key their texts as <lesson>/<id>/...
    ids = _Ids()
    steps = [_read_step(context, step, key, ids) for step in _parts(node, "steps")]
    quiz_node = node.get("quiz")
    quiz = None
    if quiz_node is not None and quiz_node.is_mapping:
        quiz = _read_quiz(context, quiz_node, key, ids)
    return Lesson(
        id=lesson_id,
        title=Text(f"{key}/title", node.text("title") or "", _place(node, "title")),
        steps=tuple(step for step in steps if step is not None),
        quiz=quiz,
    )


def _read_step(context: _Context, node: Node, lesson_key: str, ids: _Ids) -> Step | None:
    step_id = _ident(node, ids)
    key = f"{lesson_key}/{step_id}"
    image = _media(context, node, "image")
    alt = _alt(node, key)
    audio = _media(context, node, "audio")
    text = node.text("text")
    kind_text = node.text("kind") or week_schema().default("step", "kind")
    profile_text = node.text("profile")
    if text is None or kind_text not in set(StepKind):
        return None
    kind = StepKind(kind_text)
    profile = ProfileTopic(profile_text) if profile_text in set(ProfileTopic) else None
    cards = _read_cards(context, node, key) if kind is StepKind.CARDS else ()
    return Step(
        id=step_id,
        text=Text(f"{key}/text", text, _place(node, "text")),
        image=image,
        audio=audio,
        terms=_terms(node, key),
        alt=alt,
        kind=kind,
        profile=profile if kind is StepKind.CARDS else None,
        cards=cards,
    )


def _read_cards(context: _Context, node: Node, step_key: str) -> tuple[Card, ...]:
    """A cards step's cards; their texts are keyed under the step, like options."""
    ids = _Ids(what="card id")
    cards: list[Card] = []
    for entry in _parts(node, "cards"):
        card_id = _ident(entry, ids)
        key = f"{step_key}/{card_id}"
        image = _media(context, entry, "image")
        alt = _alt(entry, key)
        text = entry.text("text")
        if text is not None:
            cards.append(
                Card(card_id, Text(f"{key}/text", text, _place(entry, "text")), image, alt)
            )
    return tuple(cards)


def _terms(node: Node, step_key: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    seen = _Ids(what="term")
    for entry in _parts(node, "terms"):
        term = entry.text("term")
        explanation = entry.text("explanation")
        if term:
            seen.claim(term, entry.values["term"])
        if term and explanation is not None:
            place = _place(entry, "explanation")
            terms.append(Term(term, Text(f"{step_key}/terms/{term}", explanation, place)))
    return tuple(terms)


def _media(context: _Context, node: Node, name: Literal["image", "audio"]) -> str | None:
    """The path of an image or audio file, checked to be a usable file inside lessons/.

    The path is resolved with every link followed and must still lie in the lessons
    folder: a link to a file elsewhere would have the bot upload whatever it points to.
    """
    field_node = node.get(name)
    value = None if field_node is None else field_node.as_text()
    if field_node is None or not value:
        return None
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        field_node.error(
            f'{name} file "{value}" must be a path in the lessons folder, like media/a.png'
        )
        return value
    try:
        real: Path | None = (context.directory / path).resolve(strict=True)
        folder = context.directory.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a broken link, or a loop of links
        real = folder = None
    if real is None or folder is None or not real.is_file():
        field_node.error(f'{name} file "{value}" does not exist')
        return value
    if not real.is_relative_to(folder):
        field_node.error(
            f'{name} file "{value}" is a link to a file outside the lessons folder;'
            " copy the file into the folder instead"
        )
        return value
    if name == "image":
        _check_picture(context, field_node, value, real)
    elif path.suffix.lower() not in AUDIO_SUFFIXES:
        field_node.warning(f'{name} file "{value}" should be {either(list(AUDIO_SUFFIXES))}')
    most = IMAGE_MAX_BYTES if name == "image" else AUDIO_MAX_BYTES
    size = real.stat().st_size
    if size > most:
        megabytes, limit = size // 2**20, most // 2**20
        field_node.error(
            f'{name} file "{value}" is {megabytes} MB; Telegram takes at most {limit} MB'
        )
    return value


def _check_picture(context: _Context, node: Node, value: str, full: Path) -> None:
    """A picture must be what its bytes say, named so, and (when inspected) sendable."""
    with full.open("rb") as file:
        kind = picture_kind(file.read(4096))
    suffix = PurePosixPath(value).suffix.lower()
    if kind is None:
        node.error(f'image file "{value}" is not a PNG, JPEG or SVG picture')
    elif suffix not in IMAGE_KINDS[kind]:
        node.error(f'image file "{value}" is a {kind} picture; name it {IMAGE_KINDS[kind][0]}')
    elif context.inspect is not None:
        reason = context.inspect(full)
        if reason is not None:
            node.error(f'image file "{value}" {reason}')


def picture_kind(head: bytes) -> str | None:
    """PNG, JPEG or SVG, as the first bytes of a file say (its name may say otherwise)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<") and re.search(rb"<svg[\s>]", text):
        return "SVG"
    return None


def _alt(node: Node, key: str) -> Text | None:
    """The picture's description: the schema requires it with an image; alone it is no use."""
    image = node.keys.get("image")
    if image is None and "alt" in node.values:
        node.keys["alt"].warning('"alt" has no effect without an "image"')
        return None
    alt = node.text("alt")
    return None if alt is None else Text(f"{key}/alt", alt, _place(node, "alt"))


def _read_quiz(context: _Context, node: Node, lesson_key: str, ids: _Ids) -> Quiz:
    schema = week_schema()
    pass_percent = node.integer("pass_percent")
    retry_text = node.text("retry") or schema.default("quiz", "retry")
    retry = RetryRule(retry_text) if retry_text in set(RetryRule) else RetryRule.AGAIN
    attempts = node.integer("attempts")
    if retry is RetryRule.NEXT and "attempts" in node.values:
        node.keys["attempts"].warning('"attempts" has no effect when "retry" is "next"')
    questions = [
        _read_question(context, question, lesson_key, ids) for question in _parts(node, "questions")
    ]
    return Quiz(
        questions=tuple(q for q in questions if q is not None),
        pass_percent=schema.default("quiz", "pass_percent")
        if pass_percent is None
        else pass_percent,
        retry=retry,
        attempts=attempts or schema.default("quiz", "attempts"),
    )


class _Answers(NamedTuple):
    options: tuple[Option, ...] = ()
    accepts: tuple[UploadKind, ...] = ()
    hint: Text | None = None


def _read_question(context: _Context, node: Node, lesson_key: str, ids: _Ids) -> Question | None:
    question_id = _ident(node, ids)
    key = f"{lesson_key}/{question_id}"
    kind_text = node.text("kind")
    image = _media(context, node, "image")
    alt = _alt(node, key)
    text = node.text("text")
    explanation = node.text("explanation")
    if kind_text not in set(QuestionKind) or text is None:
        return None
    kind = QuestionKind(kind_text)
    answers = _ANSWER_READERS[kind](context, node, key)
    return Question(
        id=question_id,
        kind=kind,
        text=Text(f"{key}/text", text, _place(node, "text")),
        options=answers.options,
        accepts=answers.accepts,
        explanation=None
        if explanation is None
        else Text(f"{key}/explanation", explanation, _place(node, "explanation")),
        hint=answers.hint,
        image=image,
        alt=alt,
    )


def _read_choices(context: _Context, node: Node, key: str) -> _Answers:
    return _Answers(_read_options(context, node, "options", key))


def _read_order(context: _Context, node: Node, key: str) -> _Answers:
    items = _read_options(context, node, "items", key)
    return _Answers(tuple(Option(item.id, item.text, correct=True) for item in items))


def _read_options(
    context: _Context, node: Node, name: Literal["options", "items"], key: str
) -> tuple[Option, ...]:
    ids = _Ids()
    options = (_read_option(context, entry, key, ids) for entry in _parts(node, name))
    return tuple(option for option in options if option is not None)


def _read_option(context: _Context, node: Node, key: str, ids: _Ids) -> Option | None:
    """One answer; its picture (a picture answer) is checked like a step's, file and line."""
    option_id = _ident(node, ids)
    text = node.text("text")
    correct = node.boolean("correct")
    feedback = node.text("feedback")
    image = _media(context, node, "image")
    alt = _alt(node, f"{key}/{option_id}")
    if text is None:
        return None
    return Option(
        id=option_id,
        text=Text(f"{key}/{option_id}/text", text, _place(node, "text")),
        correct=week_schema().default("option", "correct") if correct is None else correct,
        feedback=None
        if feedback is None
        else Text(f"{key}/{option_id}/feedback", feedback, _place(node, "feedback")),
        image=image,
        alt=alt,
    )


def _read_true_false(context: _Context, node: Node, key: str) -> _Answers:
    """Two options built here, so the engine treats true/false like any single choice."""
    answer = node.boolean("answer")
    options = []
    for value, name in ((True, "true"), (False, "false")):
        feedback = node.text(f"feedback_{name}")
        options.append(
            Option(
                id=name,
                text=Text(f"{key}/{name}/text", TRUE_FALSE_LABELS[value], _place(node, "answer")),
                correct=answer is value,
                feedback=None
                if feedback is None
                else Text(f"{key}/{name}/feedback", feedback, _place(node, f"feedback_{name}")),
            )
        )
    return _Answers(tuple(options))


def _read_task(context: _Context, node: Node, key: str) -> _Answers:
    accepts: list[UploadKind] = []
    for entry in node.list("accepts"):
        value = entry.as_text()
        if value in set(UploadKind) and UploadKind(value) not in accepts:
            accepts.append(UploadKind(value))
    hint = node.text("hint")
    return _Answers(
        accepts=tuple(accepts),
        hint=None if hint is None else Text(f"{key}/hint", hint, _place(node, "hint")),
    )


_ANSWER_READERS: dict[QuestionKind, Callable[[_Context, Node, str], _Answers]] = {
    QuestionKind.SINGLE: _read_choices,
    QuestionKind.MULTIPLE: _read_choices,
    QuestionKind.TRUE_FALSE: _read_true_false,
    QuestionKind.ORDER: _read_order,
    QuestionKind.TASK: _read_task,
}
