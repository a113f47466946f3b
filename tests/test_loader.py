"""The lesson loader: the model it builds, and every problem it reports, word for word.

Trainers read these messages, so the tests pin the exact text and place of each one;
each broken fixture under tests/fixtures/lessons/broken/ shows one class of mistake.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from bot.authoring.check import report, run_check
from bot.cli import main
from bot.course.loader import (
    CourseError,
    Problem,
    check_course,
    load_course,
    read_course,
)
from bot.course.model import QuestionKind, RetryRule, Text, UploadKind

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


@pytest.fixture(autouse=True)
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in problems are shown as given, so run from the fixtures for short ones."""
    monkeypatch.chdir(FIXTURES)


def problems(name: str) -> list[str]:
    """Every problem in one broken fixture, warnings marked with a leading "warning: "."""
    course, found = check_course(Path("broken") / name)
    if any(p.severity == "error" for p in found):
        assert course is None
    return [("warning: " if p.severity == "warning" else "") + str(p) for p in found]


# The valid course and the model it becomes.


def test_valid_course_has_no_problems() -> None:
    course, found = check_course("valid")
    assert found == []
    assert course is not None


def test_course_and_weeks() -> None:
    course = load_course(Path("valid"))
    assert course.id == "test-course"
    assert course.title == Text("course/title", "Testkursen")
    assert [w.id for w in course.weeks] == ["w01", "w02"]
    week = course.weeks[0]
    assert week.number == 1
    assert week.title == Text("w01/title", "Första veckan")
    assert week.theme == Text("w01/theme", "Kunskap")
    assert week.digcomp == ("5.1", "5.4")
    assert week.source == "week01-start.yaml"
    assert [lesson.id for lesson in course.lessons] == ["welcome", "phone", "practice"]
    assert course.weeks[0].lessons[1].quiz is None


def test_steps_terms_and_images() -> None:
    lesson = load_course("valid").weeks[0].lessons[0]
    assert lesson.title == Text("w01/welcome/title", "Så fungerar kursen")
    hello, picture, drawing = lesson.steps
    # The newline a | block leaves at the end is gone; the one inside stays.
    assert hello.text == Text("w01/welcome/hello/text", "Hej och välkommen!\nDu har en coach.")
    assert hello.image is None
    assert hello.terms[0].term == "coach"
    assert hello.terms[0].explanation == Text(
        "w01/welcome/hello/terms/coach", "En person som hjälper dig."
    )
    assert picture.image == "media/pixel.png"
    assert (Path("valid") / picture.image).read_bytes().startswith(b"\x89PNG")
    assert picture.alt == Text("w01/welcome/picture/alt", "En grön knapp.")
    assert hello.alt is None
    # An SVG picture stays its source in the model; the bot sends the PNG built from it.
    assert drawing.image == "media/phone.svg"
    assert drawing.alt is not None and drawing.alt.key == "w01/welcome/drawing/alt"


def test_a_picture_description_is_a_text_to_translate() -> None:
    keys = [text.key for text in load_course("valid").texts()]
    assert keys.index("w01/welcome/picture/alt") == keys.index("w01/welcome/picture/text") + 1


def test_quiz_defaults_and_choices() -> None:
    quiz = load_course("valid").weeks[0].lessons[0].quiz
    assert quiz is not None
    assert (quiz.pass_percent, quiz.retry, quiz.attempts) == (60, RetryRule.AGAIN, 2)
    single, multiple = quiz.questions
    assert single.kind is QuestionKind.SINGLE
    assert single.text == Text("w01/welcome/q-coach/text", "Vem hjälper dig?")
    assert single.explanation == Text(
        "w01/welcome/q-coach/explanation", "Din coach följer dig hela vägen."
    )
    coach = single.options[0]
    assert coach.text == Text("w01/welcome/q-coach/coach/text", "Din coach")
    assert coach.feedback == Text(
        "w01/welcome/q-coach/coach/feedback", "Ja! Din coach hjälper dig."
    )
    assert single.correct_ids == {"coach"}
    assert multiple.kind is QuestionKind.MULTIPLE
    assert multiple.correct_ids == {"name", "answers"}
    assert multiple.options[2].feedback is None


def test_true_false_order_and_task() -> None:
    quiz = load_course("valid").weeks[1].lessons[0].quiz
    assert quiz is not None
    assert (quiz.pass_percent, quiz.retry, quiz.attempts) == (50, RetryRule.NEXT, 2)
    true_false, order, task = quiz.questions
    yes, no = true_false.options
    assert (yes.id, yes.text, yes.correct) == (
        "true",
        Text("w02/practice/q-safe/true/text", "Sant"),
        False,
    )
    assert yes.feedback == Text(
        "w02/practice/q-safe/true/feedback", "Nej. Ge aldrig din kod till någon."
    )
    assert (no.id, no.text.sv, no.correct) == ("false", "Falskt", True)
    assert no.feedback is not None and no.feedback.key == "w02/practice/q-safe/false/feedback"
    # YAML 1.1 would read "no" as false; the editor and the loader read YAML 1.2.
    assert [o.id for o in order.options] == ["no", "hang-up"]
    assert all(o.correct for o in order.options)
    assert order.options[1].text == Text("w02/practice/q-steps/hang-up/text", "Jag lägger på")
    assert task.options == ()
    assert task.accepts == (UploadKind.PHOTO, UploadKind.DOCUMENT)
    assert task.hint is not None and task.hint.key == "w02/practice/q-send/hint"


def test_every_text_key_is_unique() -> None:
    keys = [text.key for text in load_course("valid").texts()]
    assert len(keys) == len(set(keys))


def test_problem_reads_as_file_line_column_message() -> None:
    problem = Problem("lessons/week01.yaml", 3, 7, "empty text")
    assert str(problem) == "lessons/week01.yaml:3:7: empty text"
    assert problem.severity == "error"


def test_load_course_raises_with_every_problem() -> None:
    with pytest.raises(CourseError) as raised:
        load_course(Path("broken") / "three-errors")
    assert len(raised.value.problems) == 3
    assert str(raised.value).count("\n") == 2


def test_an_absolute_path_is_shown_relative_to_the_working_directory() -> None:
    _, found = check_course(FIXTURES / "broken" / "missing-field")
    assert found[0].path == "broken/missing-field/week01.yaml"


# One test for each class of mistake.


def test_yaml_syntax_error_points_at_the_problem() -> None:
    assert problems("syntax") == [
        'broken/syntax/week01.yaml:11:24: a ":" cannot go here; put a text that has ": " in'
        " quotes (YAML: mapping values are not allowed here)"
    ]


def test_unknown_keys() -> None:
    assert problems("unknown-key") == [
        'broken/unknown-key/week01.yaml:12:9: unknown key "colour"; a step can have id, kind,'
        " text, image, alt, audio, terms, profile and cards",
        'broken/unknown-key/week01.yaml:15:11: missing required field "options"',
        'broken/unknown-key/week01.yaml:18:11: unknown key "optons" (did you mean "options"?)',
    ]


def test_missing_required_field() -> None:
    assert problems("missing-field") == [
        'broken/missing-field/week01.yaml:14:11: missing required field "text"'
    ]


def test_numbers() -> None:
    assert problems("wrong-number") == [
        'broken/wrong-number/week01.yaml:13:21: "pass_percent" must be a whole number,'
        ' got "sextio"',
        'broken/wrong-number/week01.yaml:14:17: "attempts" must be at least 1, got 0',
        'broken/wrong-number/week01.yaml:26:21: "pass_percent" must be between 0 and 100, got 120',
    ]


def test_wrong_types() -> None:
    assert problems("wrong-type") == [
        'broken/wrong-type/week01.yaml:11:15: "text" reads as true/false; write "true" in quotes',
        'broken/wrong-type/week01.yaml:14:11: "text" must be text, got a list',
        'broken/wrong-type/week01.yaml:20:20: "options" must be a list, got "Anna"',
        'broken/wrong-type/week01.yaml:27:24: "correct" must be true or false, got "ja"',
        'broken/wrong-type/week01.yaml:33:12: "steps" must be a list, got "hello"',
        'broken/wrong-type/week01.yaml:35:7: "quiz" must be a group of fields (name: value),'
        " got a list",
    ]


def test_duplicate_ids_and_keys() -> None:
    first = "broken/duplicate-ids/week01.yaml"
    assert problems("duplicate-ids") == [
        f'{first}:12:13: duplicate id "hello": also used at {first}:10',
        f'{first}:14:9: duplicate key "text": also at line 13',
        # A question may not share an id with a step: their texts share one key space.
        f'{first}:17:15: duplicate id "hello": also used at {first}:10',
        f'{first}:24:19: duplicate id "a": also used at {first}:21',
        f'broken/duplicate-ids/week02.yaml:2:5: duplicate id "w01": also used at {first}:2',
        f'broken/duplicate-ids/week02.yaml:7:9: duplicate id "welcome": also used at {first}:7',
    ]


def test_correct_answers() -> None:
    assert problems("correct-answers") == [
        'broken/correct-answers/week01.yaml:17:11: single-choice question "q1" has 2 correct'
        " answers; it must have exactly one",
        'broken/correct-answers/week01.yaml:27:11: question "q2" has no correct answer',
    ]


def test_number_of_options_and_items() -> None:
    assert problems("options-count") == [
        'broken/options-count/week01.yaml:17:11: order question "q3" needs at least 2 items',
        'broken/options-count/week01.yaml:23:11: single-choice question "q4" has 11 options;'
        " it can have at most 10",
    ]


def test_media_files() -> None:
    assert problems("media") == [
        'broken/media/week01.yaml:12:16: image file "media/x.png" does not exist',
        'broken/media/week01.yaml:14:16: audio file "media/hej.ogg" does not exist',
        'broken/media/week01.yaml:17:16: image file "../secret.png" must be a path in the'
        " lessons folder, like media/a.png",
        'broken/media/week01.yaml:21:16: image file "media/notes.txt" is not a PNG, JPEG'
        " or SVG picture",
    ]


NEEDS_ALT = (
    'a picture needs "alt": one sentence in Swedish that says what it shows,'
    " for those who cannot see it"
)


def test_pictures_are_checked_by_their_content_and_need_a_description() -> None:
    """What the loader sees without rendering: links, content, names and the alt."""
    assert problems("pictures") == [
        f"broken/pictures/week01.yaml:14:9: {NEEDS_ALT}",
        'warning: broken/pictures/week01.yaml:19:9: "alt" has no effect without an "image"',
        'broken/pictures/week01.yaml:26:16: image file "media/named-wrong.svg" is a PNG'
        " picture; name it .png",
        'broken/pictures/week01.yaml:30:16: image file "media/fake.png" is not a PNG, JPEG'
        " or SVG picture",
        'broken/pictures/week01.yaml:34:16: image file "media/outside.png" is a link to a'
        " file outside the lessons folder; copy the file into the folder instead",
        f"broken/pictures/week01.yaml:46:11: {NEEDS_ALT}",
    ]


def test_lessons_check_renders_and_measures_every_picture() -> None:
    """The check also renders each SVG and holds the picture to Telegram's photo limits."""
    found = [str(p) for p in run_check(Path("broken") / "pictures").problems]
    rendered = [line for line in found if "unclosed" in line or "narrow" in line or "huge" in line]
    assert rendered == [
        'broken/pictures/week01.yaml:22:16: image file "media/unclosed.svg" does not render'
        " as SVG: unclosed token: line 1, column 60",
        'broken/pictures/week01.yaml:38:16: image file "media/narrow.svg" is 20×600 pixels;'
        " Telegram takes a photo at most 20 times as long one way as the other",
        'broken/pictures/week01.yaml:42:16: image file "media/huge.png" is 9000×2000 pixels;'
        " Telegram takes width + height of at most 10000",
    ]
    assert not any("good.svg" in line and "16:16" not in line for line in found)


def test_a_picture_found_broken_keeps_the_course_from_loading() -> None:
    with pytest.raises(CourseError, match=r"outside\.png"):
        load_course(Path("broken") / "pictures")


def test_empty_texts() -> None:
    assert problems("empty-text") == [
        "broken/empty-text/week01.yaml:5:8: empty title",
        "broken/empty-text/week01.yaml:11:15: empty text",
        "broken/empty-text/week01.yaml:13:9: empty text",
    ]


def test_telegram_limits() -> None:
    assert problems("limits") == [
        "broken/limits/week01.yaml:11:15: text is 4203 characters; a Telegram message holds"
        " at most 4096",
        "broken/limits/week01.yaml:13:15: text is 1100 characters; a text under an image"
        " (a caption) holds at most 1024",
        "broken/limits/week01.yaml:23:21: text is 77 characters; a button holds at most 64",
    ]


def test_ids_fit_in_callback_data() -> None:
    only = '"-" and "_" (no å, ä, ö or spaces)'
    assert problems("ids") == [
        f'broken/ids/week01.yaml:7:9: id "välkommen" may only use the letters a-z and A-Z,'
        f" digits, {only}",
        'broken/ids/week01.yaml:10:13: id "a-very-long-step-id-that-goes-on" is 32 characters;'
        " an id holds at most 24",
        f'broken/ids/week01.yaml:12:13: id "two words" may only use the letters a-z and A-Z,'
        f" digits, {only}",
    ]


def test_week_files_listed_and_present() -> None:
    assert problems("week-files") == [
        'broken/week-files/course.yaml:4:1: week file "week12-extra.yaml" is not listed in'
        " course.yaml",
        'broken/week-files/course.yaml:6:5: week file "week11-x.yaml" listed in course.yaml'
        " does not exist",
        'broken/week-files/course.yaml:7:5: duplicate week file "week01.yaml": also used at'
        " broken/week-files/course.yaml:5",
        'broken/week-files/course.yaml:8:5: week file "../week02.yaml" must be a file name in'
        " the folder of course.yaml",
    ]


def test_true_false_questions() -> None:
    assert problems("true-false") == [
        'broken/true-false/week01.yaml:14:11: missing required field "answer"',
        'broken/true-false/week01.yaml:20:19: "answer" must be true or false, got "ja"',
        'broken/true-false/week01.yaml:25:11: a true/false question does not use "options"',
    ]


def test_task_questions() -> None:
    assert problems("task") == [
        'broken/task/week01.yaml:17:21: unknown upload kind "foto" (did you mean "photo"?);'
        " use photo, document or voice",
        'broken/task/week01.yaml:21:11: task question "t2" must accept at least one of photo,'
        " document or voice",
        'broken/task/week01.yaml:22:11: missing required field "accepts"',
        'broken/task/week01.yaml:25:11: a task question does not use "answer"',
    ]


def test_kinds_retry_rules_and_competences() -> None:
    assert problems("enums") == [
        'broken/enums/week01.yaml:6:18: "6.1" is not a DigComp 2.2 competence (1.1 to 5.4)',
        'broken/enums/week01.yaml:14:14: unknown retry rule "igen"; use again or next',
        'broken/enums/week01.yaml:17:17: unknown question kind "singel" (did you mean'
        ' "single"?); use single, multiple, true_false, order or task',
    ]


def test_warnings_do_not_stop_the_course() -> None:
    course, _ = check_course(Path("broken") / "warnings")
    assert course is not None
    assert problems("warnings") == [
        "warning: broken/warnings/week01.yaml:1:1: the first line should be"
        ' "# yaml-language-server: $schema=schema/week.schema.json", so editors check the'
        " file as you type",
        "warning: broken/warnings/week02.yaml:1:1: the first line names the schema"
        ' "../../../../../lessons/schema/course.schema.json"; this file uses'
        ' "schema/week.schema.json"',
        "warning: broken/warnings/week02.yaml:3:9: week number 3 does not match its place in"
        " course.yaml (2)",
        'warning: broken/warnings/week02.yaml:14:7: "attempts" has no effect when "retry" is'
        ' "next"',
    ]


def test_every_problem_not_just_the_first() -> None:
    assert problems("three-errors") == [
        'broken/three-errors/week01.yaml:14:16: image file "media/saknas.png" does not exist',
        'broken/three-errors/week01.yaml:17:21: "pass_percent" must be a whole number,'
        ' got "sextio"',
        'broken/three-errors/week01.yaml:22:19: "answer" must be true or false, got "ja"',
    ]


# Files that cannot be read at all.


def write_course(directory: Path, week: bytes) -> Path:
    (directory / "course.yaml").write_text(
        "# yaml-language-server: $schema=schema/course.schema.json\n"
        "id: c\ntitle: Kurs\nweeks:\n  - week01.yaml\n"
    )
    (directory / "week01.yaml").write_bytes(week)
    return directory


def test_a_tab_is_explained(tmp_path: Path) -> None:
    write_course(
        tmp_path, b"# yaml-language-server: $schema=schema/week.schema.json\nid: w\n\tx: 1\n"
    )
    _, found = check_course(tmp_path)
    assert [(p.line, p.column) for p in found] == [(3, 1)]
    assert found[0].message.startswith("a tab character; indent with spaces instead")


def test_empty_and_non_utf8_files(tmp_path: Path) -> None:
    write_course(tmp_path, b"")
    assert [p.message for p in check_course(tmp_path)[1]][-1] == "the file is empty"
    write_course(tmp_path, b"# yaml-language-server: $schema=schema/week.schema.json\nid: w\xe4\n")
    found = check_course(tmp_path)[1]
    assert (found[-1].line, found[-1].message) == (
        2,
        "the file is not UTF-8 text; save it as UTF-8",
    )


def test_missing_folder_and_course_file(tmp_path: Path) -> None:
    assert [p.message for p in check_course(tmp_path / "nowhere")[1]] == [
        "the folder does not exist"
    ]
    assert [p.message for p in check_course(tmp_path)[1]] == [
        "the course file course.yaml does not exist"
    ]


def test_read_course_keeps_what_it_could_read() -> None:
    course, found = read_course(Path("broken") / "three-errors")
    assert len(found) == 3
    assert [lesson.id for lesson in course.lessons] == ["welcome"]


# The command.


def test_check_command_on_a_clean_course(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons", "check", "valid"]) == 0
    assert capsys.readouterr().out == (
        "valid/: 2 weeks, 3 lessons, 5 steps, 5 questions — 0 errors, 0 warnings\n"
    )


def test_check_command_lists_every_problem_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons", "check", "broken/three-errors"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("broken/three-errors/week01.yaml:14:16: image file")
    assert lines[-1] == (
        "broken/three-errors/: 1 week, 1 lesson, 2 steps, 1 question — 3 errors, 0 warnings"
    )


def test_check_command_passes_with_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons", "check", "broken/warnings/"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("broken/warnings/week01.yaml:1:1: warning: the first line")
    assert lines[-1] == (
        "broken/warnings/: 2 weeks, 2 lessons, 2 steps, 1 question — 0 errors, 4 warnings"
    )


def test_a_quiz_passed_without_reading_is_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lessons", "check", "broken/../habits"]) == 0  # a warning, not an error
    assert capsys.readouterr().out.splitlines() == [
        "broken/../habits/week01.yaml:18:11: warning: the right answer is option 1 in 4 of the"
        " week's 4 single-choice questions: a participant who always taps option 1 passes"
        " without reading; move the right answers around",
        "broken/../habits/week01.yaml:62:11: warning: in both multiple-choice questions of the"
        " week the only wrong option is the last: a participant who ticks all but the last"
        " passes without reading; put the wrong option elsewhere, or add another",
        "broken/../habits/: 1 week, 1 lesson, 1 step, 6 questions — 0 errors, 2 warnings",
    ]


def test_right_answers_moved_around_are_not_warned_about(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "habits", tmp_path / "habits")
    week = tmp_path / "habits" / "week01.yaml"
    data = yaml.safe_load(week.read_text())
    questions = data["lessons"][0]["quiz"]["questions"]
    for question in (questions[1], questions[3]):  # the right answer last, then in the middle
        question["options"].reverse()
    questions[3]["options"][1:] = reversed(questions[3]["options"][1:])
    questions[5]["options"].reverse()  # the wrong option first
    head = "# yaml-language-server: $schema=schema/week.schema.json\n"
    week.write_text(head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    result = run_check(tmp_path / "habits")
    assert result.ok and result.warnings == 0, result.lines()


def test_too_few_questions_say_nothing_of_a_habit() -> None:
    """Three right answers first out of three could well be chance."""
    result = run_check("valid")
    assert result.warnings == 0


def test_report_for_the_preview_banner() -> None:
    text, code = report(Path("broken") / "syntax")
    assert code == 1
    assert text.endswith("— 1 error, 0 warnings")
    result = run_check("valid")
    assert result.ok and result.errors == 0 and result.lines() == []


# Files that try to knock the loader over: refused quickly, in little memory, with a place.

WEEK_HEAD = b"# yaml-language-server: $schema=schema/week.schema.json\n"


@contextmanager
def budget(seconds: float = 1.0, megabytes: float = 50) -> Iterator[None]:
    """Measured in this process: the time spent and the peak of memory allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        spent = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert spent < seconds, f"took {spent:.2f} s"
    assert peak < megabytes, f"peaked at {peak:.1f} MB"


def alias_bomb() -> bytes:
    """Each list names the one before twenty times: 20**10 texts from about 1.3 KB."""
    lines = [b"a0: &a0 [" + b", ".join([b"lol"] * 20) + b"]"]
    for n in range(1, 10):
        names = ", ".join([f"*a{n - 1}"] * 20).encode()
        lines.append(b"a%d: &a%d [%s]" % (n, n, names))
    return WEEK_HEAD + b"id: w\n" + b"\n".join(lines) + b"\n"


def test_an_alias_bomb_is_refused_at_its_first_anchor(tmp_path: Path) -> None:
    week = alias_bomb()
    assert 1000 < len(week) < 1500
    write_course(tmp_path, week)
    with budget():
        found = check_course(tmp_path)[1]
    assert [(p.line, p.column) for p in found] == [(3, 5)]
    assert "anchor (&a0)" in found[0].message
    assert "lesson files do not need anchors or aliases" in found[0].message


def test_an_alias_is_refused_with_its_line(tmp_path: Path) -> None:
    # An anchor-free alias is not valid YAML either, but the trainer hears it plainly.
    write_course(tmp_path, WEEK_HEAD + b"id: w\ntitle: Vecka\ntheme: *title\n")
    found = check_course(tmp_path)[1]
    assert [str(p) for p in found][-1].startswith(f"{tmp_path}/week01.yaml:4:8: the file uses")


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    write_course(tmp_path, WEEK_HEAD + b"id: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    with budget():
        found = check_course(tmp_path)[1]
    assert len(found) == 1
    assert (found[0].line, found[0].column) == (2, 25)
    assert found[0].message.startswith("the file is nested more than 20 levels deep")


def test_a_list_of_thousands_is_refused_before_its_entries_are_compared(tmp_path: Path) -> None:
    # Unsortable entries make jsonschema's "uniqueItems" compare every pair.
    entries = b", ".join(b"{a: %d}" % n for n in range(1000))
    write_course(tmp_path, WEEK_HEAD + b"id: w\ndigcomp: [" + entries + b"]\n")
    with budget():
        found = check_course(tmp_path)[1]
    assert [(p.line, p.column, p.message) for p in found if "1000" in p.message] == [
        (
            3,
            10,
            '"digcomp" has 1000 entries; a lesson file needs at most 200 in one place:'
            " is this the right file?",
        )
    ]


def test_a_nul_and_a_non_character_are_reported_with_their_place(tmp_path: Path) -> None:
    week = WEEK_HEAD + "id: w\ntitle: Vec\x00ka\ntheme: Tema\uffff\nx: \U0001fffe\n".encode()
    write_course(tmp_path, week)
    found = [(p.line, p.column, p.message) for p in check_course(tmp_path)[1]]
    assert [place[:2] for place in found] == [(3, 11), (4, 12), (5, 4)]
    assert "an invisible NUL character (U+0000)" in found[0][2]
    assert "U+FFFF, which is not a character at all" in found[1][2]
    assert "U+1FFFE" in found[2][2]


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    write_course(tmp_path, WEEK_HEAD)
    with (tmp_path / "week01.yaml").open("r+b") as week:
        week.truncate(50 * 2**20)
    with budget(megabytes=5):
        found = check_course(tmp_path)[1]
    assert [(p.line, p.message) for p in found] == [
        (
            1,
            "the file is larger than 1024 KB; a week's lessons take far less:"
            " is it the right file?",
        )
    ]


def test_a_media_link_out_of_the_lessons_folder_is_refused(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(FIXTURES / "valid", lessons)
    secret = tmp_path / "secret.png"
    secret.write_bytes((lessons / "media" / "pixel.png").read_bytes())
    (lessons / "media" / "pixel.png").unlink()
    (lessons / "media" / "pixel.png").symlink_to(secret)
    found = [p for p in check_course(lessons)[1] if p.severity == "error"]
    week = (lessons / "week01-start.yaml").read_text()
    line = week[: week.index("media/pixel.png")].count("\n") + 1
    assert [(p.path.endswith("week01-start.yaml"), p.line) for p in found] == [(True, line)]
    assert found[0].message == (
        'image file "media/pixel.png" is a link to a file outside the lessons folder;'
        " copy the file into the folder instead"
    )


def test_a_link_inside_the_lessons_folder_is_fine(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(FIXTURES / "valid", lessons)
    (lessons / "media" / "pixel.png").rename(lessons / "media" / "real.png")
    (lessons / "media" / "pixel.png").symlink_to("real.png")
    assert check_course(lessons)[1] == []


@pytest.mark.parametrize(
    "week",
    [alias_bomb(), WEEK_HEAD + b"x: " + b"[" * 5000, WEEK_HEAD + b"id: \x00\n"],
    ids=["aliases", "nesting", "nul"],
)
def test_check_and_start_give_a_line_not_a_traceback(
    week: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_course(tmp_path, week)
    assert main(["lessons", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path}/week01.yaml:" in out and "Traceback" not in out
    monkeypatch.setenv("LESSONS_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE", str(tmp_path / "never.sqlite3"))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}/week01.yaml:" in err and "Traceback" not in err


def test_a_fault_in_the_checker_is_an_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(directory: object, *rest: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("bot.authoring.check.read_course", broken)
    result = run_check("valid")
    assert not result.ok
    assert result.lines() == [
        "valid:1:1: the lessons could not be checked (RecursionError: maximum recursion depth"
        " exceeded); this is a fault in the checker, not in your file: please report it"
    ]


def test_safety_questions_name_questions_of_the_course(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "course"
    shutil.copytree("valid", folder)
    course_file = folder / "course.yaml"
    course_file.write_text(
        course_file.read_text() + "safety_questions:\n  - welcome/q-coach\n  - welcome/q-nope\n"
    )
    course, found = check_course(folder)
    assert course is None
    assert [p.message for p in found] == [
        'safety question "welcome/q-nope" is no lesson/question id of the course'
    ]
    course_file.write_text(course_file.read_text().replace("  - welcome/q-nope\n", ""))
    assert load_course(folder).safety_questions == frozenset({"welcome/q-coach"})
