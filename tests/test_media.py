"""The lessons' pictures: SVG sources rendered to PNG, once per content, and checked.

Telegram shows PNG and JPEG, not SVG, so what matters is the PNG each source
becomes: its size, that an unchanged source is not rendered again, that an
edited one gets a new file, and that every picture of the course renders within
Telegram's limits for a photo.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from bot.course.loader import picture_kind
from bot.emulator.media import image_size
from bot.media.pictures import (
    PictureError,
    build_picture,
    built_path,
    inspect_picture,
    photo_file,
    render_svg,
)

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "fixtures" / "lessons" / "valid"
PICTURES = ROOT / "lessons" / "media" / "pictures"
PHONE = VALID / "media" / "phone.svg"


def test_an_svg_renders_to_a_png_of_its_own_size() -> None:
    png = render_svg(PHONE.read_bytes())
    assert picture_kind(png) == "PNG"
    assert image_size(png) == (360, 640)


def test_a_picture_is_rendered_once_and_kept_by_the_hash_of_its_source(tmp_path: Path) -> None:
    first = build_picture(PHONE, tmp_path)
    assert first.rendered and first.png.is_file()
    assert first.png.parent == tmp_path / "pictures"
    assert first.png.name.startswith("phone-") and first.png.suffix == ".png"
    stamp = first.png.stat().st_mtime_ns
    again = build_picture(PHONE, tmp_path)
    assert not again.rendered
    assert again.png == first.png and again.png.stat().st_mtime_ns == stamp


def test_an_edited_picture_gets_a_new_png(tmp_path: Path) -> None:
    source = tmp_path / "phone.svg"
    source.write_bytes(PHONE.read_bytes())
    before = build_picture(source, tmp_path / "media")
    source.write_text(PHONE.read_text().replace("#2e7d4f", "#c0392b"), encoding="utf-8")
    after = build_picture(source, tmp_path / "media")
    assert after.rendered and after.png != before.png
    assert after.png.read_bytes() != before.png.read_bytes()
    assert built_path(source, tmp_path / "media") == after.png


def test_a_png_or_jpeg_picture_is_sent_as_it_is(tmp_path: Path) -> None:
    pixel = VALID / "media" / "pixel.png"
    assert photo_file(pixel, tmp_path) == pixel
    assert not (tmp_path / "pictures").exists()
    assert photo_file(PHONE, tmp_path) == built_path(PHONE, tmp_path)


def test_an_svg_that_does_not_parse_is_refused_with_the_reason() -> None:
    with pytest.raises(PictureError, match="does not render as SVG"):
        render_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><rect')


def test_an_svg_cannot_read_a_file_from_the_disk(tmp_path: Path) -> None:
    """cairosvg's safe mode: an <image> naming a local file draws nothing."""
    red = tmp_path / "red.svg"
    red.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="#ff0000"/></svg>',
        encoding="utf-8",
    )
    blank = render_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"></svg>')
    pointing = render_svg(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        + f'<image href="file://{red}" width="40" height="40"/></svg>'.encode()
    )
    assert pointing == blank


def test_the_command_builds_every_picture_and_then_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = tmp_path / "media"
    build = ["media", "build", str(VALID), "--media", str(media), "--audio", "none"]
    assert main(build) == 0
    assert capsys.readouterr().out == f"1 pictures in {media}/pictures (1 rendered now)\n"
    assert main(build) == 0
    assert capsys.readouterr().out == f"1 pictures in {media}/pictures (0 rendered now)\n"


def test_the_command_names_a_picture_that_cannot_be_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "broken.svg").write_text("<svg", encoding="utf-8")
    os.link(PHONE, lessons / "phone.svg")
    assert main(["media", "build", str(lessons), "--media", str(tmp_path / "media")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{lessons / 'broken.svg'}: does not render as SVG")
    assert out[1] == f"1 pictures in {tmp_path / 'media'}/pictures (1 rendered now)"


COURSE_PICTURES = (
    "app-store",
    "settings-wifi",
    "email-at",
    "email-compose",
    "paperclip-apps",
    "bankid-id-check",
    "bankid-confirm",
    "bankid-history",
    "scam-qr",
    "fake-sms",
    "sms-a",
    "sms-b",
    "sms-c",
    "digital-mailbox",
    "job-ad",
    "cv-one-page",
    "cv-skills",
    "payslip",
    "ballots",
)


def test_the_course_has_its_pictures() -> None:
    assert sorted(path.stem for path in PICTURES.glob("*.svg")) == sorted(COURSE_PICTURES)


@pytest.mark.parametrize("name", COURSE_PICTURES)
def test_each_course_picture_renders_portrait_or_square_within_telegrams_limits(
    name: str, tmp_path: Path
) -> None:
    source = PICTURES / f"{name}.svg"
    assert inspect_picture(source) is None
    size = image_size(build_picture(source, tmp_path).png.read_bytes())
    assert size in ((720, 1280), (1080, 1080))
