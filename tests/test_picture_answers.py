"""Picture answers: a question whose options are pictures, sent as one album and answered
by letter ("Vilket sms är falskt?").

From the lesson file (each option picture checked like a step's, with its file and line)
through the engine's shuffle (the letters follow the order shown, and keep it on a new
try) to the real bot over the emulator: the album arrives under its letters, the
lettered buttons grade right and wrong, and a forged letter changes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.authoring.check import run_check
from bot.config import Settings
from bot.course import events as ev
from bot.course.engine import handle
from bot.course.grading import shown_order
from bot.course.loader import check_course, load_course
from bot.course.model import Course, Question
from bot.course.progress import Progress, Stage
from bot.i18n.translator import translator
from bot.media.pictures import build_picture, picture_alts
from bot.telegram import callbacks
from bot.telegram.outgoing import Outgoing, fit
from bot.telegram.participant.render import Renderer
from bot.telegram.sending import _decode, _encode
from tests.conftest import ROOT, RunningBot, SettlingClient, started
from tests.emulator_client import EmulatorClient
from tests.test_bot_e2e import answer_count, button, join, stored_progress

FIXTURE = ROOT / "tests" / "fixtures" / "lessons" / "album"
WEEK = "week01-bilder.yaml"
ERIK = 601


@pytest.fixture(scope="module")
def album_course() -> Course:
    return load_course(FIXTURE)


def which(course: Course) -> Question:
    lesson = course.weeks[0].lessons[0]
    assert lesson.quiz is not None
    return lesson.quiz.questions[0]


def copied(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """The fixture course in tmp_path, with ``old`` written as ``new`` in its week file."""
    folder = tmp_path / "album"
    shutil.copytree(FIXTURE, folder)
    week = folder / WEEK
    week.write_text(week.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return folder


def line_of(folder: Path, text: str) -> int:
    lines = (folder / WEEK).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


# --- the lesson file ---------------------------------------------------------------------


def test_option_pictures_are_read_with_their_descriptions(album_course: Course) -> None:
    question = which(album_course)
    assert question.pictured and question.image is None
    assert [o.image for o in question.options] == [
        "media/sms-c.svg",
        "media/sms-a.svg",
        "media/sms-b.svg",
    ]
    fake = question.options[0]
    assert fake.alt is not None and fake.alt.key == "w01/sms/q-which/fake/alt"
    assert fake.alt in album_course.texts()  # translated like every other text
    alts = picture_alts(album_course, FIXTURE, Path("/nonexistent"))
    assert "Ett sms om ett paket." in alts.values()


def test_a_broken_option_picture_names_its_file_and_line(tmp_path: Path) -> None:
    folder = copied(tmp_path, "media/sms-a.svg", "media/gone.svg")
    course, found = check_course(folder)
    assert course is None
    [problem] = found
    assert problem.path.endswith(f"album/{WEEK}")
    assert problem.line == line_of(folder, "media/gone.svg")
    assert problem.message == 'image file "media/gone.svg" does not exist'


def test_lessons_check_renders_each_option_picture(tmp_path: Path) -> None:
    folder = copied(tmp_path)
    broken = '<svg xmlns="http://www.w3.org/2000/svg"><rect'
    (folder / "media" / "sms-b.svg").write_text(broken, encoding="utf-8")
    result = run_check(folder)
    [problem] = [p for p in result.problems if p.severity == "error"]
    assert problem.line == line_of(folder, "media/sms-b.svg")
    assert 'image file "media/sms-b.svg" does not render as SVG' in problem.message


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "              alt: Ett sms om ett paket.\n",
            "",
            'a picture needs "alt"',
        ),
        (
            "              image: media/sms-a.svg\n              alt: Ett sms om en tid hos"
            " tandläkaren.\n",
            "",
            'every option needs an "image" (and its "alt") when one option has a picture',
        ),
        ("kind: single", "kind: multiple", "only a single-choice question can show a picture"),
        (
            "          options:\n            - id: fake",
            "          image: media/sms-a.svg\n          alt: Ett sms.\n"
            "          options:\n            - id: fake",
            "a question whose options are pictures has no picture of its own",
        ),
    ],
)
def test_option_pictures_go_by_the_rules(tmp_path: Path, old: str, new: str, said: str) -> None:
    folder = copied(tmp_path, old, new)
    course, found = check_course(folder)
    assert course is None
    assert any(said in p.message for p in found), [str(p) for p in found]


def test_every_picture_of_the_real_course_passes_lessons_check(course: Course) -> None:
    pictured = [
        q
        for lesson in course.lessons
        for q in (lesson.quiz.questions if lesson.quiz else ())
        if q.pictured
    ]
    assert [q.id for q in pictured] == ["q-which-sms"]
    assert all(o.image and o.alt for o in pictured[0].options)
    result = run_check(ROOT / "lessons")
    assert (result.errors, result.warnings) == (0, 0), result.lines()


# --- engine and rendering -----------------------------------------------------------------


def asked(course: Course, seed: str) -> ev.AskQuestion:
    lesson = course.weeks[0].lessons[0]
    progress = Progress(stage=Stage.STEP, lesson_id=lesson.id, item_id=lesson.steps[0].id)
    outcome = handle(course, progress, ev.Next(lesson.id, "intro"), seed=seed)
    [action] = outcome.actions
    assert isinstance(action, ev.AskQuestion)
    return action


def test_the_letters_follow_the_participants_own_order_and_keep_it_on_a_new_try(
    album_course: Course,
) -> None:
    question = which(album_course)
    orders = {shown_order(question, str(seed), 0) for seed in range(40)}
    assert len(orders) > 1  # shuffled per participant, as any single choice
    for seed in map(str, range(10)):
        assert shown_order(question, seed, 1) == shown_order(question, seed, 0)
    renderer = Renderer(translator(ROOT / "locales", "sv"), FIXTURE)
    action = asked(album_course, "7")
    card = renderer.question(action)
    images = {o.id: FIXTURE / str(o.image) for o in question.options}
    assert [(p.path, p.caption) for p in card.album] == [
        (images[option_id], letter) for option_id, letter in zip(action.choices, "ABC", strict=True)
    ]
    [row] = card.buttons
    assert [b.text for b in row] == ["A", "B", "C"]
    decoded = [callbacks.decode(b.data, album_course, "7") for b in row]
    assert [e.option_id for e in decoded if isinstance(e, ev.Choose)] == list(action.choices)
    assert renderer.question(replace(action, refresh=True)).album == ()  # a redraw sends none


def test_the_album_goes_first_and_alone_and_survives_being_kept(album_course: Course) -> None:
    renderer = Renderer(translator(ROOT / "locales", "sv"), FIXTURE)
    card = renderer.question(asked(album_course, "7"))
    album, text = fit(card)
    assert album == Outgoing("", album=card.album)
    assert text.buttons == card.buttons and text.album == ()
    assert _decode(_encode(album)) == album


def test_the_answer_is_named_by_its_letter(album_course: Course) -> None:
    action = asked(album_course, "7")
    lesson = action.lesson
    wrong = next(i for i in action.choices if i != "fake")
    tr = translator(ROOT / "locales", "sv")
    renderer = Renderer(tr, FIXTURE)
    progress = Progress(stage=Stage.QUESTION, lesson_id=lesson.id, item_id="q-which", attempt=1)
    outcome = handle(album_course, progress, ev.Choose(lesson.id, "q-which", 1, wrong), seed="7")
    feedback = next(a for a in outcome.actions if isinstance(a, ev.Feedback))
    assert feedback.choices == action.choices
    letter = "ABC"[action.choices.index("fake")]
    shown = "\n\n".join(renderer.verdict(feedback))
    right = tr._("The right answer: {answer}").format(answer=f"{letter} (Sms om ett spärrat kort)")
    assert right in shown


# --- end to end -----------------------------------------------------------------------------


@pytest.fixture
async def album_bot(settings: Settings, users: SettlingClient) -> AsyncIterator[RunningBot]:
    async with started(replace(settings, lessons_dir=FIXTURE), load_course(FIXTURE), users) as bot:
        yield bot


async def to_the_question(users: EmulatorClient) -> None:
    await join(users, ERIK, "sv", "Erik")
    await users.press(ERIK, *await button(users, ERIK, "1n|"))
    await users.idle()


async def photos(users: EmulatorClient) -> list[dict[str, Any]]:
    return [m for m in await users.bot_messages(ERIK) if m.get("photo")]


async def test_a_picture_answer_end_to_end(
    album_bot: RunningBot, users: EmulatorClient, settings: Settings
) -> None:
    course = album_bot.course
    question = which(course)
    await to_the_question(users)
    shown = shown_order(question, str(ERIK), 0)

    album = await photos(users)
    assert [m["caption"] for m in album] == ["A", "B", "C"]
    groups = {m["media_group_id"] for m in album}
    assert len(groups) == 1 and None not in groups
    for message, option_id in zip(album, shown, strict=True):
        option = question.option(option_id)
        assert option is not None and option.image is not None
        png = build_picture(FIXTURE / option.image, settings.media_dir).png
        photo = message["photo"]
        assert isinstance(photo, dict)
        assert await users.media(str(photo["url"])) == png.read_bytes()
    card = (await users.bot_messages(ERIK))[-1]
    assert question.text.sv in card["text"]
    assert [b["text"] for b in card["buttons"][0]] == ["A", "B", "C"]
    assert card["message_id"] == album[-1]["message_id"] + 1  # the album, then the question

    # A forged letter (past C) decodes to nothing: refused, nothing changes.
    before = stored_progress(album_bot, ERIK)
    count = len(await users.bot_messages(ERIK))
    for forged in ("1c|sms|q-which|0|3", "1c|sms|q-which|0|9", "1c|sms|q-which|0|x"):
        assert callbacks.decode(forged, course, str(ERIK)) is None
        await users.press(ERIK, card["message_id"], forged)
        await users.idle()
    assert stored_progress(album_bot, ERIK) == before
    assert answer_count(album_bot, ERIK) == 0
    assert len(await photos(users)) == 3
    assert all(not m.get("photo") for m in (await users.bot_messages(ERIK))[count:])

    # A wrong letter: graded wrong, the same card asks again under the same letters.
    wrong = next(n for n, option_id in enumerate(shown) if option_id != "fake")
    await users.press(ERIK, card["message_id"], card["buttons"][0][wrong]["data"])
    await users.idle()
    assert answer_count(album_bot, ERIK) == 1
    again = stored_progress(album_bot, ERIK)
    assert (again.item_id, again.attempt, again.first_try_right) == ("q-which", 1, ())
    redrawn = next(
        m for m in await users.bot_messages(ERIK) if m["message_id"] == card["message_id"]
    )
    assert "Nej." in redrawn["text"] and [b["text"] for b in redrawn["buttons"][0]] == list("ABC")
    assert len(await photos(users)) == 3  # the album in the chat still tells the truth
    letters = [callbacks.decode(b["data"], course, str(ERIK)) for b in redrawn["buttons"][0]]
    assert [e.option_id for e in letters if isinstance(e, ev.Choose)] == list(shown)

    # The right letter: graded right, the card says which, the quiz goes on.
    right = shown.index("fake")
    await users.press(ERIK, card["message_id"], redrawn["buttons"][0][right]["data"])
    await users.idle()
    done = stored_progress(album_bot, ERIK)
    assert (done.item_id, done.retry_right) == ("q-after", ("q-which",))
    messages = await users.bot_messages(ERIK)
    answered = next(m for m in messages if m["message_id"] == card["message_id"])
    assert f"{'ABC'[right]} (Sms om ett spärrat kort)" in answered["text"]
    assert not answered["buttons"]
    assert any("✅ Ja! Det vill ha en kod." in (m["text"] or "") for m in messages)


async def test_the_album_is_uploaded_once_then_sent_by_file_id(
    album_bot: RunningBot, users: EmulatorClient
) -> None:
    await to_the_question(users)
    first = {str(m["photo"]["url"]) for m in await photos(users)}
    stored = len(users_state(users).files)
    await users.send(ERIK, "/continue", first_name="Erik", language_code="sv")
    await users.idle()
    shown = await photos(users)
    assert len(shown) == 6  # /continue shows the question again, album and all
    assert {str(m["photo"]["url"]) for m in shown[3:]} == first
    assert len(users_state(users).files) == stored  # nothing uploaded again
    assert [m["caption"] for m in shown[3:]] == ["A", "B", "C"]


def users_state(users: EmulatorClient) -> Any:
    assert isinstance(users, SettlingClient)
    return users.emulator.state
