"""Räkna med mig: a multilingual Telegram bot for a ten-week digital-skills course."""

__version__ = "0.1.0"
