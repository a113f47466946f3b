"""Files the bot and the users exchange: ids, sizes and the JSON Telegram shows for them.

Telegram reads an uploaded photo's width and height and a voice note's length
from the bytes, and refuses a "photo" that is not an image; the emulator does
the same from the file headers, without decoding anything.
"""

from __future__ import annotations

import base64
import mimetypes
import struct
from dataclasses import dataclass, field
from typing import Any

KINDS = ("photo", "document", "voice", "audio")
# The first bytes of real file_ids by kind, so ids look and sort like Telegram's.
_ID_PREFIX = {"photo": "AgACAgIAAxkB", "document": "BQACAgIAAxkB", "voice": "AwACAgIAAxkB"}
_FOLDER = {"photo": "photos", "document": "documents", "voice": "voice", "audio": "music"}
_PHOTO_SIDES = (90, 320, 800, 1280)
MAX_DOWNLOAD = 20 * 1024 * 1024


@dataclass
class StoredFile:
    """One file as Telegram keeps it: bytes (or the URL it came from) and what it is."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str = ""
    width: int = 0
    height: int = 0
    duration: int = 0
    title: str | None = None
    performer: str | None = None
    siblings: list[StoredFile] = field(default_factory=list, repr=False)

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)

    def to_json(self) -> dict[str, Any]:
        """The PhotoSize, Document, Voice or Audio object for this file."""
        body: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.kind == "photo":
            body.update(width=self.width, height=self.height)
        elif self.kind in {"voice", "audio"}:
            body["duration"] = self.duration
        if self.kind == "audio":
            body.update(_present(performer=self.performer, title=self.title))
        if self.kind in {"document", "audio"}:
            body.update(_present(file_name=self.file_name))
        if self.kind != "photo":
            body.update(_present(mime_type=self.mime_type))
        body.update(_present(file_size=self.size))
        return body

    def photo_sizes(self) -> list[dict[str, Any]]:
        """The PhotoSize array: every size Telegram made of this photo, smallest first."""
        return [size.to_json() for size in self.siblings or [self]]

    def to_file(self) -> dict[str, Any]:
        """The File object getFile returns."""
        body = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        return body | _present(file_size=self.size, file_path=self.file_path or None)


def _present(**values: object) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class FileIds:
    """Issues file_id/file_unique_id strings and file paths."""

    def __init__(self) -> None:
        self._count = 0

    def issue(self, kind: str, file_name: str | None) -> tuple[str, str, str]:
        """(file_id, file_unique_id, file_path) for a new file."""
        self._count += 1
        number = self._count.to_bytes(8, "big")
        token = base64.urlsafe_b64encode(number + kind.encode()).decode().rstrip("=")
        file_id = _ID_PREFIX.get(kind, "CQACAgIAAxkB") + token
        unique = "AQAD" + base64.urlsafe_b64encode(number).decode().rstrip("=")
        extension = _extension(kind, file_name)
        return file_id, unique, f"{_FOLDER.get(kind, 'documents')}/file_{self._count}{extension}"


def _extension(kind: str, file_name: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1].lower()
    return {"photo": ".jpg", "voice": ".oga", "audio": ".mp3"}.get(kind, "")


def guess_mime(file_name: str | None, given: str | None) -> str | None:
    """The MIME type a client sent, else the one the file name suggests."""
    if given and given != "application/octet-stream":
        return given
    if file_name:
        return mimetypes.guess_type(file_name, strict=False)[0] or given
    return given


def photo_sides(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram makes of a photo: thumbnails up to the original."""
    longest = max(width, height)
    sides = [side for side in _PHOTO_SIDES if side < longest] + [min(longest, 2560)]
    if longest == 0:
        return [(0, 0)]
    return [(round(width * side / longest), round(height * side / longest)) for side in sides]


def image_mime(data: bytes | None) -> str | None:
    """The image type the bytes say they are (a photo's name often says nothing)."""
    if not data:
        return None
    signatures = {
        b"\x89PNG": "image/png",
        b"GIF8": "image/gif",
        b"\xff\xd8": "image/jpeg",
    }
    for signature, mime in signatures.items():
        if data.startswith(signature):
            return mime
    return "image/webp" if data[8:12] == b"WEBP" else None


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP image, from its header."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        return width, int.from_bytes(data[27:30], "little") + 1
    return None


def ogg_duration(data: bytes) -> int | None:
    """Seconds of an Ogg Opus voice note: the last page's granule position at 48 kHz."""
    if not data.startswith(b"OggS") or b"OpusHead" not in data[:64]:
        return None
    last = data.rfind(b"OggS")
    if last < 0 or last + 14 > len(data):
        return None
    granule = int.from_bytes(data[last + 6 : last + 14], "little")
    return round(granule / 48_000)
