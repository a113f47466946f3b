"""Pictures drawn as SVG in lessons/, rendered to the PNG that Telegram shows.

Telegram sends photos as JPEG or PNG, never SVG, so each SVG source is rendered
once with cairosvg into the media folder, under a name that holds a hash of the
source: an unchanged picture is never rendered again, and an edited one gets a
new file (and so a new upload) instead of an old one sent by a stale file_id.
Pictures that already are PNG or JPEG are sent as they are.

Rendering runs with cairosvg's safe defaults: an SVG cannot read local files or
fetch URLs (only ``data:`` images inside it), so a picture renders the same on
every machine and reads nothing it should not.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from telegram.constants import FileSizeLimit

from bot.course.model import Card, Course, Option, Question, Step
from bot.emulator.media import image_size

SVG_SUFFIX = ".svg"
# Telegram's limits for a photo (https://core.telegram.org/bots/api#sendphoto).
# telegram.constants names the size only; the sides and the ratio it does not.
PHOTO_MAX_BYTES = int(FileSizeLimit.PHOTOSIZE_UPLOAD)
PHOTO_MAX_SIDES = 10_000  # width + height
PHOTO_MAX_RATIO = 20
HASH_LENGTH = 16


class PictureError(Exception):
    """A picture that cannot be sent as a Telegram photo; the message says why."""


@dataclass(frozen=True, slots=True)
class Built:
    """One rendered source and whether this run had to render it."""

    source: Path
    png: Path
    rendered: bool


def is_svg(path: Path | str) -> bool:
    return Path(path).suffix.lower() == SVG_SUFFIX


def built_path(source: Path, media_dir: Path) -> Path:
    """Where the PNG of an SVG source lives: its name carries the source's content hash."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:HASH_LENGTH]
    return media_dir / "pictures" / f"{source.stem}-{digest}.png"


def render_svg(data: bytes) -> bytes:
    """The PNG of an SVG at the size of its viewBox; PictureError when it cannot render."""
    try:
        import cairosvg  # imported here: only building and checking pictures need cairo
    except (ImportError, OSError) as error:  # cairocffi raises OSError without libcairo2
        raise PictureError(
            f"cannot be rendered here: {error} (`make cairo` installs it)"
        ) from error
    try:
        png = cairosvg.svg2png(bytestring=data, unsafe=False)
    except Exception as error:  # cairosvg raises whatever its XML and CSS parsers raise
        raise PictureError(f"does not render as SVG: {error}") from error
    if not isinstance(png, bytes):
        raise PictureError("does not render as SVG: cairosvg returned nothing")
    return png


def build_picture(source: Path, media_dir: Path) -> Built:
    """The PNG for an SVG source, rendered only when no PNG for this content exists."""
    png = built_path(source, media_dir)
    if png.is_file():
        return Built(source, png, rendered=False)
    data = render_svg(source.read_bytes())
    png.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed, so a bot sending at the same time never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=png.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, png)
    return Built(source, png, rendered=True)


def photo_file(path: Path, media_dir: Path) -> Path:
    """The file to send for a picture: the built PNG of an SVG, else the picture itself."""
    return build_picture(path, media_dir).png if is_svg(path) else path


def sent_name(source: Path, media_dir: Path) -> str:
    """The file name a picture is uploaded under (nothing is rendered to learn it)."""
    return built_path(source, media_dir).name if is_svg(source) else source.name


def picture_alts(course: Course, lessons_dir: Path, media_dir: Path) -> dict[str, str]:
    """Each picture's description (in Swedish) by the name it is uploaded under.

    Telegram has no alt text; the preview shows this one on the picture, so a trainer
    sees the description the voice and the translators work from. A picture answer's
    options have theirs too.
    """
    alts: dict[str, str] = {}
    for lesson in course.lessons:
        questions = lesson.quiz.questions if lesson.quiz else ()
        shown: list[Step | Question | Option | Card] = [*lesson.steps, *questions]
        shown += [card for step in lesson.steps for card in step.cards]
        shown += [option for question in questions for option in question.options]
        for item in shown:
            source = None if item.image is None else lessons_dir / item.image
            if source is not None and item.alt is not None and source.is_file():
                alts.setdefault(sent_name(source, media_dir), item.alt.sv)
    return alts


def build_all(lessons_dir: Path, media_dir: Path) -> list[Built]:
    """Every SVG under the lessons folder, rendered where its PNG is missing."""
    sources = sorted(lessons_dir.rglob("*" + SVG_SUFFIX))
    return [build_picture(source, media_dir) for source in sources]


def inspect_picture(path: Path) -> str | None:
    """Why this picture cannot be sent as a Telegram photo, or None when it can.

    An SVG is rendered (in memory) and the PNG it becomes is what is measured. The
    verdict is kept by content, as the preview checks the lessons on every edit.
    """
    data = path.read_bytes()
    key = (is_svg(path), hashlib.sha256(data).hexdigest())
    if key not in _verdicts:
        _verdicts[key] = _inspect(data, svg=key[0])
    return _verdicts[key]


_verdicts: dict[tuple[bool, str], str | None] = {}


def _inspect(data: bytes, *, svg: bool) -> str | None:
    if svg:
        try:
            data = render_svg(data)
        except PictureError as error:
            return str(error)
    if len(data) > PHOTO_MAX_BYTES:
        return (
            f"is {len(data) / 2**20:.1f} MB as a photo;"
            f" Telegram takes at most {PHOTO_MAX_BYTES // 2**20} MB"
        )
    size = image_size(data)
    if size is None:
        return "has no width and height that can be read"
    return _sides_problem(*size)


def _sides_problem(width: int, height: int) -> str | None:
    if width <= 0 or height <= 0:
        return f"is {width}×{height} pixels; a photo needs a width and a height"
    if width + height > PHOTO_MAX_SIDES:
        return (
            f"is {width}×{height} pixels; Telegram takes width + height"
            f" of at most {PHOTO_MAX_SIDES}"
        )
    if max(width, height) / min(width, height) > PHOTO_MAX_RATIO:
        return (
            f"is {width}×{height} pixels; Telegram takes a photo at most"
            f" {PHOTO_MAX_RATIO} times as long one way as the other"
        )
    return None


def build_command(args: argparse.Namespace) -> int:
    """Render every SVG picture that has no PNG yet (the first half of `media build`)."""
    from bot.config import load_settings

    settings = load_settings()
    lessons_dir = Path(args.directory) if args.directory else settings.lessons_dir
    media_dir = Path(args.media) if args.media else settings.media_dir
    built: list[Built] = []
    failed = 0
    for source in sorted(lessons_dir.rglob("*" + SVG_SUFFIX)):
        try:
            built.append(build_picture(source, media_dir))
        except PictureError as error:
            print(f"{source}: {error}")
            failed += 1
    rendered = sum(b.rendered for b in built)
    print(f"{len(built)} pictures in {media_dir}/pictures ({rendered} rendered now)")
    return 1 if failed else 0
