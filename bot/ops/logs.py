"""Log lines an operator can act on, and nothing about the people behind them.

At INFO the bot logs what happened to the service (started, migrated, purged,
backed up, a problem and where), never a message text, a name or a Telegram id.
httpx would log every request URL, and with it the token: it logs warnings only.
The scheduler's two lines a minute ("Running job…", "…executed successfully")
are moved down to DEBUG.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CHATTY_AT_INFO = ("apscheduler",)


class DemoteToDebug(logging.Filter):
    """Routine INFO records of a library become DEBUG (and are dropped unless DEBUG is on).

    On the root's handlers: a logger's own filters do not see its children's records.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        chatty = record.name.split(".")[0] in CHATTY_AT_INFO
        if chatty and record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def setup_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, DemoteToDebug) for f in handler.filters):
            handler.addFilter(DemoteToDebug())
