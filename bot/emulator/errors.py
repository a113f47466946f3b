"""The errors the emulator answers with, worded as Telegram words them.

Bots (and PTB) branch on the exact description and HTTP code, so an emulator
that answers "error" where Telegram answers "Bad Request: message is too long"
would let the wrong branch pass its tests. Every refusal goes through here.
"""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class ApiError(Exception):
    """A refusal: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 flood control, with the retry_after parameter PTB turns into RetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def forbidden(reason: str = BLOCKED) -> ApiError:
    """403: the user blocked the bot (or a similar refusal)."""
    return ApiError(403, reason if reason.startswith("Forbidden") else f"Forbidden: {reason}")


def default_description(error_code: int, retry_after: int) -> str:
    """What Telegram says for an injected error code when the test gives no wording."""
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after}"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: BLOCKED,
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(error_code, "Internal Server Error")
