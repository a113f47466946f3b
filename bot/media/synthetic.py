"""Synthetic speech: Debian's espeak-ng speaks a script, opusenc makes the voice note.

Telegram plays a voice note only as OGG/Opus, mono. espeak-ng writes 16-bit mono
WAV at 22 050 Hz for every voice used here; each segment of a script is spoken in
its own language's voice (a Swedish key term in the Swedish one), the pieces are
joined with a short pause, and opusenc encodes the whole. The speech is a little
slower than espeak-ng's default, for people who are learning the language.

A build runs a few scripts at once: the work is in the espeak-ng and opusenc
processes, so a small pool of threads, each waiting on its processes, keeps two
cores busy without the cost of Python worker processes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.media.speech import (
    SYNTHETIC_VOICES,
    Script,
    Segment,
    SpeechError,
    Synthesizer,
    write_atomically,
)

ESPEAK = "espeak-ng"
OPUSENC = "opusenc"
WORDS_PER_MINUTE = 150  # espeak-ng speaks 175 by default: a little slower for learners
PAUSE_SECONDS = 0.35  # between a term and its explanation, and between options
BITRATE_KBPS = 24  # speech in mono; Telegram's own voice notes use about 32
TIMEOUT_SECONDS = 60


def available() -> bool:
    """Whether this machine can make synthetic voice notes (`make media` installs both)."""
    return shutil.which(ESPEAK) is not None and shutil.which(OPUSENC) is not None


def synthesizer() -> Synthesizer | None:
    """What makes synthetic voice notes here, or None without espeak-ng and opusenc."""
    return synthesize if available() else None


def speaks(language: str) -> bool:
    """Whether espeak-ng here has the voice this language is spoken in."""
    voice = SYNTHETIC_VOICES.get(language)
    if voice is None or not available():
        return False
    try:
        _speak(Segment(language, "test"))
    except SpeechError:
        return False
    return True


def synthesize(script: Script, out: Path) -> None:
    """Write the script as an OGG/Opus voice note to ``out``."""
    if not script.synthesizable:
        raise SpeechError(f"espeak-ng has no voice for {script.language}")
    rate, pcm = _join([_speak(segment) for segment in _merged(script.segments)])
    command = [
        OPUSENC,
        "--quiet",
        "--raw",
        f"--raw-rate={rate}",
        "--raw-chan=1",
        "--raw-bits=16",
        f"--bitrate={BITRATE_KBPS}",
        "--comp=5",
        "-",
        "-",
    ]
    write_atomically(out, _run(command, pcm))


def _merged(segments: Sequence[Segment]) -> list[Segment]:
    """Runs in the same language spoken by one espeak-ng call, each line its own sentence."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].language == segment.language:
            merged[-1] = Segment(segment.language, f"{merged[-1].text}\n{segment.text}")
        else:
            merged.append(segment)
    return merged


def _speak(segment: Segment) -> tuple[int, bytes]:
    """The segment as (sample rate, 16-bit mono PCM)."""
    voice = SYNTHETIC_VOICES[segment.language]
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        # Lines end sentences: a list or an option is read with a pause after it.
        text = "\n".join(line.rstrip(".") + "." for line in segment.text.splitlines())
        command = [ESPEAK, "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(wav), "--stdin"]
        _run(command, text.encode())
        try:
            with wave.open(io.BytesIO(wav.read_bytes())) as reader:
                if reader.getnchannels() != 1 or reader.getsampwidth() != 2:
                    raise SpeechError(f"espeak-ng wrote no 16-bit mono speech for {voice}")
                return reader.getframerate(), reader.readframes(reader.getnframes())
        except (OSError, wave.Error, EOFError) as error:
            raise SpeechError(f"espeak-ng wrote no speech for {voice}: {error}") from error


def _join(pieces: Sequence[tuple[int, bytes]]) -> tuple[int, bytes]:
    rates = {rate for rate, _ in pieces}
    if len(rates) != 1:
        raise SpeechError(f"the voices speak at different sample rates: {sorted(rates)}")
    rate = rates.pop()
    pause = b"\x00\x00" * int(rate * PAUSE_SECONDS)
    return rate, pause.join(pcm for _, pcm in pieces)


def _run(command: list[str], data: bytes) -> bytes:
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SpeechError(f"{command[0]} could not run: {error}") from error
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise SpeechError(f"{command[0]} failed ({done.returncode}): {message}")
    return done.stdout


@dataclass(frozen=True, slots=True)
class Built:
    script: Script
    path: Path
    made: bool


def build(jobs: Iterable[tuple[Script, Path]], workers: int = 2) -> tuple[list[Built], list[str]]:
    """Make every missing voice note, a few at once; (what was built or kept, failures)."""
    built: list[Built] = []
    failures: list[str] = []
    missing: list[tuple[Script, Path]] = []
    for script, path in jobs:
        if path.is_file():
            built.append(Built(script, path, made=False))
        else:
            missing.append((script, path))

    def make(job: tuple[Script, Path]) -> Built | str:
        script, path = job
        try:
            synthesize(script, path)
        except SpeechError as error:
            return f"{script.language} {script.key}: {error}"
        return Built(script, path, made=True)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(make, missing):
            if isinstance(result, str):
                failures.append(result)
            else:
                built.append(result)
    return built, failures
