"""The local preview: the emulator on 127.0.0.1 and the bot talking to it.

This is what `make run` starts without BOT_TOKEN, so a newcomer or a trainer can
use the whole bot with no Telegram account and no network.
"""

from __future__ import annotations

from dataclasses import replace

from bot.config import Settings
from bot.course.model import Course
from bot.emulator.server import Emulator

PREVIEW_TOKEN = "1000000001:preview-token"


async def start_preview(settings: Settings, course: Course) -> tuple[Emulator, Settings]:
    """Start the emulator and return it with settings that point the bot at it."""
    emulator = Emulator()
    url = await emulator.start(settings.host, settings.port)
    print(f"Local preview: the emulator listens on {url}")
    print(f"  talk to the bot:  curl -X POST {url}/emulator/users/1/messages \\")
    print('                       -H "Content-Type: application/json" -d \'{"text": "/start"}\'')
    print(f"  read the chat:    curl {url}/emulator/users/1/chat")
    return emulator, preview_settings(settings, url)


def preview_settings(settings: Settings, emulator_url: str) -> Settings:
    """Settings for a bot that talks to the local emulator instead of Telegram."""
    return replace(
        settings, bot_token=PREVIEW_TOKEN, bot_api_url=f"{emulator_url}/bot", webhook_url=None
    )
