"""`python -m bot media build` and `media export`: the course's pictures and voice notes.

``build`` renders the SVG pictures and makes the synthetic voice notes of every
card in every language espeak-ng speaks, except where a human recording of the
current wording exists (it wins). Unchanged cards are kept, so a second build
only checks. ``export`` copies the readers' recordings from ``MEDIA_DIR`` into
``lessons/media/audio/<lang>/``, where a trainer commits them with the course.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from bot.course.loader import CourseError, load_course
from bot.course.model import Course
from bot.media import pictures, synthetic
from bot.media.speech import AUDIO_SUFFIX, SYNTHETIC_VOICES, Script, VoiceStore, cards

DEFAULT_WORKERS = 2


def audio_jobs(course: Course, store: VoiceStore, languages: list[str]) -> list[Script]:
    """The scripts that need synthetic audio: synthesizable, and with no human recording."""
    jobs: list[Script] = []
    for _, card in cards(course):
        for language in languages:
            script = store.script(card, language)
            if script is not None and script.synthesizable and store.recording(script) is None:
                jobs.append(script)
    return jobs


def build_audio(
    course: Course, store: VoiceStore, languages: list[str], workers: int = DEFAULT_WORKERS
) -> tuple[int, int, list[str]]:
    """(voice notes there now, made by this run, failures)."""
    jobs = [
        (script, store.synthetic_path(script)) for script in audio_jobs(course, store, languages)
    ]
    built, failures = synthetic.build(jobs, workers)
    return len(built), sum(b.made for b in built), failures


def _languages(value: str | None) -> list[str]:
    if value is None or value == "all":
        return list(SYNTHETIC_VOICES)
    if value == "none":
        return []
    chosen = [code.strip() for code in value.split(",") if code.strip()]
    unknown = [code for code in chosen if code not in SYNTHETIC_VOICES]
    if unknown:
        raise ValueError(f"espeak-ng speaks none of {', '.join(unknown)}")
    return chosen


def build_command(args: argparse.Namespace) -> int:
    """Render the pictures, then make the synthetic voice notes that are missing."""
    from bot.config import load_settings

    settings = load_settings()
    lessons_dir = Path(args.directory) if args.directory else settings.lessons_dir
    media_dir = Path(args.media) if args.media else settings.media_dir
    failed = pictures.build_command(args)
    try:
        languages = _languages(args.audio)
    except ValueError as error:
        print(error)
        return 2
    if not languages:
        return failed
    if not synthetic.available():
        print("espeak-ng or opusenc is missing (`make media` installs them): no synthetic audio")
        return failed
    try:
        course = load_course(lessons_dir)
    except CourseError:
        print(f"{lessons_dir}: the course has errors; `lessons check` lists them")
        return 1
    store = VoiceStore(
        lessons_dir, media_dir, settings.locales_dir, synthesizer=synthetic.synthesize
    )
    started = time.monotonic()
    workers = args.workers or min(os.cpu_count() or 1, 4)
    there, made, failures = build_audio(course, store, languages, workers)
    for failure in failures:
        print(failure)
    print(
        f"{there} voice notes in {store.synthetic_dir} ({made} made now,"
        f" {', '.join(languages)}, {time.monotonic() - started:.1f} s)"
    )
    return 1 if failures or failed else 0


def export_recordings(store: VoiceStore) -> list[Path]:
    """Copy every recording not yet in lessons/media/audio/<lang>/ there; the copies made."""
    copied: list[Path] = []
    for source in sorted(store.recorded_dir.glob(f"*/*{AUDIO_SUFFIX}")):
        target = store.committed_dir / source.parent.name / source.name
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied.append(target)
    return copied


def export_command(args: argparse.Namespace) -> int:
    """`python -m bot media export`: the readers' recordings into the lessons folder."""
    from bot.config import load_settings

    settings = load_settings()
    lessons_dir = Path(args.directory) if args.directory else settings.lessons_dir
    media_dir = Path(args.media) if args.media else settings.media_dir
    store = VoiceStore(lessons_dir, media_dir, settings.locales_dir, synthesizer=None)
    copied = export_recordings(store)
    for path in copied:
        print(path)
    print(f"{len(copied)} recordings copied to {store.committed_dir}; commit them with the course")
    return 0
