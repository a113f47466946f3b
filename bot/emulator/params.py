"""Method parameters as Telegram reads them, whatever the encoding.

A Bot API call may arrive as a query string, a form, a multipart upload or a JSON
body; in the first three every value is a string and JSON-serialized parameters
(reply_markup, entities, ...) are JSON text. Handlers ask for typed values here
and never see the encoding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from bot.emulator.errors import ApiError, bad_request

# Telegram's own words for a few missing parameters; the rest get the generic form.
MISSING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
    "voice": "there is no voice in the request",
    "audio": "there is no audio in the request",
    "file_id": "invalid file_id",
}


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart part."""

    file_name: str | None
    mime_type: str | None
    data: bytes


class Params:
    """Typed access to one call's parameters."""

    def __init__(self, values: Mapping[str, object], files: Mapping[str, Upload] | None = None):
        self._values = dict(values)
        self._files = dict(files or {})

    def __contains__(self, name: str) -> bool:
        """Present and not empty, which is how Telegram decides "missing"."""
        if name in self._files:
            return True
        value = self._values.get(name)
        return value is not None and value != ""

    def missing(self, required: tuple[str, ...]) -> ApiError | None:
        """The refusal for the first required parameter that is absent, if any."""
        for name in required:
            if name not in self:
                return bad_request(MISSING.get(name, f'parameter "{name}" is required'))
        return None

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def integer(self, name: str, error: str | None = None) -> int | None:
        """An integer parameter; a value that is not one is refused like Telegram does."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(error or f'field "{name}" must be a valid Number') from None

    def boolean(self, name: str) -> bool:
        value = self._values.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        return isinstance(value, str) and value.strip().lower() in {"true", "1", "yes"}

    def json(self, name: str, what: str) -> object | None:
        """A JSON-serialized parameter, given either as JSON text or already decoded."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            decoded: object = json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what} JSON object") from None
        return decoded

    def upload(self, name: str) -> Upload | None:
        """The multipart part of this name (an attach://name in a JSON parameter)."""
        return self._files.get(name)

    def file(self, name: str) -> Upload | str | None:
        """A file: an upload, an attach://name reference to one, a file_id or a URL."""
        if name in self._files:
            return self._files[name]
        value = self.text(name)
        if value is None or value == "":
            return None
        if value.startswith("attach://"):
            attached = self._files.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"file {value} not found in the request")
            return attached
        return value
