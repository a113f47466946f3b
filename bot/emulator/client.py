"""Acting as Telegram users against the emulator's control API, for tests and the bench.

async with EmulatorClient(emulator.url) as users:
    await users.send(42, "/start", first_name="Anna", language_code="sv")
    await users.idle()
    assert "Välkommen" in (await users.last_bot_message(42))["text"]
"""

from __future__ import annotations

import base64
from types import TracebackType
from typing import Any

import httpx


class EmulatorClient:
    """A thin async wrapper over /emulator/*; every call answers the route's JSON."""

    def __init__(self, base_url: str, client: httpx.AsyncClient | None = None):
        self.base_url = base_url.rstrip("/")
        self._own = client is None
        self._http = client or httpx.AsyncClient(base_url=self.base_url, timeout=60)

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self._http.post(path, json=body)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def _get(self, path: str, **query: Any) -> dict[str, Any]:
        params = {key: value for key, value in query.items() if value is not None}
        response = await self._http.get(path, params=params)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def send(self, user_id: int, text: str, **profile: str) -> dict[str, Any]:
        """The user types text (profile: first_name, last_name, username, language_code)."""
        body = {"text": text, **profile}
        return await self._post(f"/emulator/users/{user_id}/messages", body)

    async def block(self, user_id: int, blocked: bool = True) -> dict[str, Any]:
        """The user blocks the bot (or unblocks it): a my_chat_member update, then 403s."""
        return await self._post(f"/emulator/users/{user_id}/block", {"blocked": blocked})

    async def press(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        """The user presses a button of message_id carrying data (any data at all)."""
        body = {"message_id": message_id, "data": data}
        return await self._post(f"/emulator/users/{user_id}/presses", body)

    async def upload(
        self,
        user_id: int,
        kind: str,
        file_name: str,
        mime_type: str,
        content: bytes,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo, document, voice note or audio file."""
        body: dict[str, Any] = {
            "kind": kind,
            "file_name": file_name,
            "mime_type": mime_type,
            "content_base64": base64.b64encode(content).decode(),
        }
        if caption is not None:
            body["caption"] = caption
        return await self._post(f"/emulator/users/{user_id}/uploads", body)

    async def chat(self, user_id: int) -> dict[str, Any]:
        """{"messages": [...], "answers": [...], ...} as the user sees the chat."""
        return await self._get(f"/emulator/users/{user_id}/chat")

    async def bot_messages(self, user_id: int) -> list[dict[str, Any]]:
        """The bot's messages in this chat that are not deleted, oldest first."""
        messages = (await self.chat(user_id))["messages"]
        return [m for m in messages if m["from"] == "bot" and not m["deleted"]]

    async def last_bot_message(self, user_id: int) -> dict[str, Any] | None:
        messages = await self.bot_messages(user_id)
        return messages[-1] if messages else None

    async def idle(self, timeout: float = 10, quiet: float | None = None) -> None:
        """Wait until the bot has fetched everything and gone quiet; TimeoutError if not."""
        query = {"timeout": timeout, "quiet": quiet}
        params = {key: value for key, value in query.items() if value is not None}
        response = await self._http.post("/emulator/idle", params=params, timeout=timeout + 10)
        if response.status_code == 408:
            raise TimeoutError(f"the bot did not go idle in {timeout} s: {response.json()}")
        response.raise_for_status()

    async def fault(
        self,
        error_code: int,
        method: str | None = None,
        user_id: int | None = None,
        retry_after: int = 1,
        times: int | None = None,
        description: str | None = None,
        hang: bool = False,
    ) -> list[dict[str, Any]]:
        """Make the next `times` matching calls fail (all of them while times is None).

        With ``hang`` they never answer: the bot's request times out.
        """
        body = {
            "error_code": error_code,
            "method": method,
            "user_id": user_id,
            "retry_after": retry_after,
            "times": times,
            "description": description,
            "hang": hang,
        }
        faults: list[dict[str, Any]] = (await self._post("/emulator/faults", body))["faults"]
        return faults

    async def clear_faults(self, user_id: int | None = None) -> None:
        params = {"user_id": user_id} if user_id is not None else None
        response = await self._http.delete("/emulator/faults", params=params)
        response.raise_for_status()

    async def commands(self, user_id: int, language_code: str | None = None) -> list[Any]:
        """The command menu this user would see."""
        path = f"/emulator/users/{user_id}/commands"
        commands: list[Any] = (await self._get(path, language_code=language_code))["commands"]
        return commands

    async def calls(self) -> dict[str, Any]:
        return await self._get("/emulator/calls")

    async def media(self, url: str) -> bytes:
        """The bytes behind a chat view's media url (/emulator/media/<file_id>)."""
        response = await self._http.get(url)
        response.raise_for_status()
        return response.content

    async def reset(self, everything: bool = False) -> None:
        await self._post("/emulator/reset" + ("?all=1" if everything else ""))
