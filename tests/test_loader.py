"""The lesson loader: the model it builds, and every problem it reports, word for word.

Trainers read these messages, so the tests pin the exact text and place of each one;
each broken fixture under tests/fixtures/lessons/broken/ shows one class of mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
    hello, picture = lesson.steps
    # The newline a | block leaves at the end is gone; the one inside stays.
    assert hello.text == Text("w01/welcome/hello/text", "Hej och välkommen!\nDu har en coach.")
    assert hello.image is None
    assert hello.terms[0].term == "coach"
    assert hello.terms[0].explanation == Text(
        "w01/welcome/hello/terms/coach", "En person som hjälper dig."
    )
    assert picture.image == "media/pixel.png"
    assert (Path("valid") / picture.image).read_bytes().startswith(b"\x89PNG")


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
        'broken/unknown-key/week01.yaml:12:9: unknown key "colour"; a step can have id, text,'
        " image, audio and terms",
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
        'broken/media/week01.yaml:13:16: audio file "media/hej.ogg" does not exist',
        'broken/media/week01.yaml:16:16: image file "../secret.png" must be a path in the'
        " lessons folder, like media/a.png",
        'warning: broken/media/week01.yaml:19:16: image file "media/notes.txt" should be .png,'
        " .jpg, .jpeg or .webp",
    ]


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
        "broken/limits/week01.yaml:22:21: text is 77 characters; a button holds at most 64",
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
        'broken/three-errors/week01.yaml:16:21: "pass_percent" must be a whole number,'
        ' got "sextio"',
        'broken/three-errors/week01.yaml:21:19: "answer" must be true or false, got "ja"',
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
        "valid/: 2 weeks, 3 lessons, 4 steps, 5 questions — 0 errors, 0 warnings\n"
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


def test_report_for_the_preview_banner() -> None:
    text, code = report(Path("broken") / "syntax")
    assert code == 1
    assert text.endswith("— 1 error, 0 warnings")
    result = run_check("valid")
    assert result.ok and result.errors == 0 and result.lines() == []


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
