"""Log lines: one line per event, as text for people or as JSON for log shippers.

``LOG_FORMAT=json`` writes one JSON object a line (time, level, logger, message, and the
traceback as one string), so a shipper never splits an event. A traceback in text mode is
folded onto the same line for the same reason.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    ``process`` and, when there is one, ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class OneLineFormatter(logging.Formatter):
    """The text format, with a traceback folded onto its line (``\\n`` shown as `` | ``)."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", " | ")


def configure_logging(level: str, log_format: str) -> None:
    """The root logger's one handler (stderr), replacing any set before."""
    handler = logging.StreamHandler()
    formatter: logging.Formatter = (
        JsonFormatter() if log_format == "json" else OneLineFormatter(TEXT_FORMAT)
    )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
