"""Which bot this is: Telegram says (getMe), so links and QR codes always name it.

An operator who copied a `.env` from another installation would otherwise hand
out invitation links to somebody else's bot without noticing; a BOT_USERNAME
that disagrees with the token stops the start instead.
"""

from __future__ import annotations

from telegram import Bot

from bot.config import Settings


class IdentityError(RuntimeError):
    """The token's bot is not the one BOT_USERNAME names, or there is no username at all."""


def check_username(settings: Settings, actual: str) -> str:
    """The username links should use; refuses a BOT_USERNAME that is not the token's bot."""
    wanted = settings.bot_username
    if wanted is not None and wanted.lower() != actual.lower():
        raise IdentityError(
            f"BOT_USERNAME is @{wanted}, but BOT_TOKEN belongs to @{actual}. Invitation links"
            f" and QR codes would lead to the wrong bot. Fix BOT_TOKEN, or set"
            f" BOT_USERNAME={actual} (or remove it: the bot learns its name from Telegram)."
        )
    return actual


async def fetch_username(settings: Settings) -> str:
    """Ask Telegram (getMe) when there is a token, else trust BOT_USERNAME."""
    if settings.bot_token is None:
        if settings.bot_username is None:
            raise IdentityError(
                "Neither BOT_TOKEN nor BOT_USERNAME is set: the link needs the bot's username."
            )
        return settings.bot_username
    bot = Bot(settings.bot_token, base_url=settings.bot_api_url)
    async with bot:
        me = await bot.get_me()
    return check_username(settings, me.username or "")
