"""A local Telegram Bot API server for tests, the benchmark and the trainers' preview."""

from bot.emulator.server import Emulator

__all__ = ["Emulator"]
