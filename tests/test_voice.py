"""Voice notes: what a card says aloud, which audio it gets, and the audio coverage.

The whole course in five languages takes minutes to synthesize, so the course
test checks what decides it instead: every card maps to its own audio key and
has a script espeak-ng can speak in sv, en, ar, fa and uk, espeak-ng accepts each
of those languages, and a sample of each builds into a real OGG/Opus voice note.
"""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import wave
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.course.loader import load_course
from bot.course.model import Course, Question, QuestionKind, Step
from bot.emulator.media import ogg_duration
from bot.i18n.coverage import AudioCounts, CatalogLookup, audio_coverage
from bot.i18n.languages import LANGUAGES
from bot.i18n.translator import translator
from bot.media import synthetic
from bot.media.build import export_recordings
from bot.media.speech import (
    SYNTHETIC_VOICES,
    Script,
    Segment,
    VoiceStore,
    card_key,
    cards,
    script_for,
    speakable,
)
from tests.conftest import ROOT
from tests.test_i18n import FIXTURES, complete_catalogs

LESSONS, LOCALES = ROOT / "lessons", ROOT / "locales"
needs_speech = pytest.mark.skipif(
    not synthetic.available(), reason="espeak-ng and opusenc are missing (`make media`)"
)


def sine_ogg(folder: Path, seconds: float = 1.0) -> bytes:
    """A real OGG/Opus voice note: a 440 Hz tone, encoded by opusenc."""
    if shutil.which("opusenc") is None:
        pytest.skip("opusenc is missing (`make media` installs opus-tools)")
    rate = 48_000
    wav = folder / "tone.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = (
            int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(int(rate * seconds))
        )
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    ogg = folder / "tone.ogg"
    subprocess.run(["opusenc", "--quiet", str(wav), str(ogg)], check=True)
    return ogg.read_bytes()


def store(tmp_path: Path, lessons: Path = LESSONS, synthesizer: object = None) -> VoiceStore:
    return VoiceStore(lessons, tmp_path / "media", LOCALES, synthesizer=synthesizer)  # type: ignore[arg-type]


def first_step_with_terms(course: Course) -> Step:
    return next(card for _, card in cards(course) if isinstance(card, Step) and card.terms)


def first_single_question(course: Course) -> Question:
    return next(
        card
        for _, card in cards(course)
        if isinstance(card, Question) and card.kind is QuestionKind.SINGLE
    )


# ---------------------------------------------------------------- what is spoken


def test_a_step_is_spoken_in_the_readers_language_with_its_terms_in_swedish(
    course: Course,
) -> None:
    step = first_step_with_terms(course)
    tr = translator(LOCALES, "ar")
    script = script_for(step, tr)
    assert script is not None and script.language == "ar"
    assert script.segments[0] == Segment("ar", speakable(tr.lesson(step.text)))
    term = step.terms[0]
    at = script.segments.index(Segment("sv", term.term))
    assert script.segments[at + 1] == Segment("ar", speakable(tr.lesson(term.explanation)))


def test_a_question_is_read_with_its_options(course: Course) -> None:
    question = first_single_question(course)
    script = script_for(question, translator(LOCALES, "sv"))
    assert script is not None
    spoken = [speakable(question.text.sv), *(speakable(o.text.sv) for o in question.options)]
    assert [s.text for s in script.segments] == spoken
    assert {s.language for s in script.segments} == {"sv"}


def test_emoji_are_not_read_aloud() -> None:
    assert speakable("🔑 BankID  –  din legitimation ✅\n\n 1. Gå  till banken") == (
        "BankID – din legitimation\n1. Gå till banken"
    )


def test_every_card_has_swedish_voice_and_en_ar_fa_uk_at_least_synthetic(
    course: Course, tmp_path: Path
) -> None:
    voices = store(tmp_path)
    keys = set()
    for _, card in cards(course):
        keys.add(card_key(card))
        for language in ("sv", "en", "ar", "fa", "uk"):
            script = voices.script(card, language)
            assert script is not None and script.synthesizable, (language, card_key(card))
            assert script.key == card_key(card)
    steps = sum(len(lesson.steps) for lesson in course.lessons)
    questions = sum(len(lesson.quiz.questions) for lesson in course.lessons if lesson.quiz)
    assert len(keys) == steps + questions  # every card has an audio key of its own


def test_somali_and_tigrinya_have_no_synthetic_voice(course: Course, tmp_path: Path) -> None:
    voices = store(tmp_path, synthesizer=lambda script, path: None)
    _, card = next(cards(course))
    for language in ("so", "ti"):
        script = voices.script(card, language)
        assert script is not None and not script.synthesizable
        assert not voices.has_audio(script) and voices.voice_file(script) is None


def test_the_coverage_lookup_speaks_what_the_bot_shows(course: Course) -> None:
    """Coverage reads the .po files; the bot the compiled catalogs: the same scripts."""
    for language in LANGUAGES:
        lookup, tr = CatalogLookup(language, LOCALES), translator(LOCALES, language)
        for _, card in list(cards(course))[:40]:
            assert script_for(card, lookup) == script_for(card, tr), (language, card_key(card))


# ---------------------------------------------------------------- synthetic speech


@needs_speech
@pytest.mark.parametrize("language", list(SYNTHETIC_VOICES))
def test_espeak_speaks_each_language_and_a_sample_builds(
    language: str, course: Course, tmp_path: Path
) -> None:
    assert synthetic.speaks(language)
    step = first_step_with_terms(course)
    script = store(tmp_path).script(step, language)
    assert script is not None
    out = tmp_path / "sample.ogg"
    synthetic.synthesize(script, out)
    data = out.read_bytes()
    head = data.index(b"OpusHead")
    assert data.startswith(b"OggS") and data[head + 9] == 1  # OGG/Opus, one channel: mono
    assert (ogg_duration(data) or 0) >= 2


@needs_speech
def test_synthetic_audio_is_made_once_and_kept_by_the_hash_of_its_wording(
    course: Course, tmp_path: Path
) -> None:
    voices = store(tmp_path, synthesizer=synthetic.synthesize)
    _, card = next(cards(course))
    script = voices.script(card, "sv")
    assert script is not None and voices.has_audio(script)
    path = voices.voice_file(script)
    assert path is not None and path == voices.synthetic_path(script)
    stamp = path.stat().st_mtime_ns
    assert voices.voice_file(script) == path and path.stat().st_mtime_ns == stamp


def test_speech_errors_are_reported_not_raised(tmp_path: Path) -> None:
    failing = Script("w01/l/s", "sv", (Segment("sv", "Hej"),))

    def broken(script: Script, path: Path) -> None:
        from bot.media.speech import SpeechError

        raise SpeechError("espeak-ng failed")

    voices = store(tmp_path, synthesizer=broken)
    assert voices.voice_file(failing) is None


# ---------------------------------------------------------------- recordings


def test_a_recording_wins_over_synthetic_speech(course: Course, tmp_path: Path) -> None:
    made: list[Path] = []

    def fake(script: Script, path: Path) -> None:
        made.append(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"OggS synthetic")

    voices = store(tmp_path, synthesizer=fake)
    _, card = next(cards(course))
    script = voices.script(card, "sv")
    assert script is not None
    recorded = voices.store_recording(script, b"OggS human")
    assert voices.voice_file(script) == recorded and made == []


def test_audio_for_a_changed_text_is_not_played(course: Course, tmp_path: Path) -> None:
    voices = store(tmp_path)  # no synthesizer: only the recording could be played
    step = first_step_with_terms(course)
    before = voices.script(step, "sv")
    assert before is not None
    voices.store_recording(before, b"OggS the old words")
    assert voices.has_audio(before)
    reworded = replace(step, text=replace(step.text, sv=step.text.sv + " Nu med ett nytt ord."))
    after = voices.script(reworded, "sv")
    assert after is not None and after.key == before.key
    assert after.recorded_name != before.recorded_name
    assert voices.recording(after) is None and not voices.has_audio(after)
    assert voices.voice_file(after) is None  # the stale recording is never sent
    term = replace(step.terms[0], term=step.terms[0].term + "kort")
    retermed = voices.script(replace(step, terms=(term, *step.terms[1:])), "sv")
    assert retermed is not None and voices.recording(retermed) is None  # terms count too


def test_export_copies_recordings_into_the_lessons_and_the_bot_reads_them_there(
    course: Course, tmp_path: Path
) -> None:
    lessons = tmp_path / "lessons"
    voices = store(tmp_path, lessons=lessons)
    _, card = next(cards(course))
    script = voices.script(card, "so")
    assert script is not None
    kept = voices.store_recording(script, b"OggS Somali")
    copied = export_recordings(voices)
    target = lessons / "media" / "audio" / "so" / script.recorded_name
    assert copied == [target] and target.read_bytes() == b"OggS Somali"
    assert export_recordings(voices) == []  # already there
    kept.unlink()
    assert voices.recording(script) == target


# ---------------------------------------------------------------- coverage


@pytest.fixture
def fixture_locales(tmp_path: Path) -> Path:
    locales = tmp_path / "locales"
    shutil.copytree(FIXTURES / "locales", locales)
    others = tuple(code for code in LANGUAGES if code != "ar")
    complete_catalogs(locales, load_course(FIXTURES / "course"), others)
    return locales


def test_audio_coverage_counts_recorded_synthetic_and_missing(
    fixture_locales: Path, tmp_path: Path
) -> None:
    """The fixture has three cards; two of their Arabic texts are fuzzy: no Arabic audio."""
    course = load_course(FIXTURES / "course")
    voices = VoiceStore(FIXTURES / "course", tmp_path / "media", fixture_locales, synthesizer=None)
    _hello, picture, question = (card for _, card in cards(course))
    for card, language in ((picture, "ar"), (question, "so")):
        script = script_for(card, CatalogLookup(language, fixture_locales))
        assert script is not None
        voices.store_recording(script, b"OggS")
    figures = audio_coverage(course, fixture_locales, voices)
    assert figures["sv"] == AudioCounts(synthetic=3)
    assert figures["ar"] == AudioCounts(recorded=1, missing=2)
    assert figures["so"] == AudioCounts(recorded=1, missing=2)
    assert figures["ti"] == AudioCounts(missing=3)
    assert figures["en"] == AudioCounts(synthetic=3)


def test_coverage_command_prints_the_audio_table(
    fixture_locales: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course = str(FIXTURES / "course")
    media = str(tmp_path / "media")
    assert (
        main(["lessons", "coverage", course, "--locales", str(fixture_locales), "--media", media])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("language  audio: recorded  synthetic  missing")
    assert lines[at + 1 : at + 5] == [
        "sv        0                3          0",
        "en        0                3          0",
        "ar        0                1          2",
        "so        0                0          3",
    ]


def test_doctor_names_what_synthetic_speech_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.ops import doctor

    monkeypatch.setattr(synthetic, "available", lambda: False)
    (finding,) = doctor.check_speech()
    assert finding.level == "note" and "espeak-ng" in finding.text


@needs_speech
def test_media_build_makes_every_voice_note_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    valid = ROOT / "tests" / "fixtures" / "lessons" / "valid"
    media = tmp_path / "media"
    course = load_course(valid)
    cards_there = sum(1 for _ in cards(course))
    build = ["media", "build", str(valid), "--media", str(media), "--audio", "sv"]
    assert main(build) == 0
    made = capsys.readouterr().out.splitlines()[-1]
    assert made.startswith(f"{cards_there} voice notes in {media}/audio/synthetic")
    assert f"({cards_there} made now, sv," in made
    assert main(build) == 0
    assert "(0 made now, sv," in capsys.readouterr().out
    assert main([*build[:-1], "so"]) == 2  # espeak-ng speaks no Somali
