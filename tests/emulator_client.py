"""The emulator's control client, re-exported for tests (it lives in bot.emulator.client)."""

from bot.emulator.client import EmulatorClient

__all__ = ["EmulatorClient"]
