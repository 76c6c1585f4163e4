"""Logging set-up: level and format from the settings (`LOG_LEVEL`, `LOG_FORMAT`).

Health information must never reach a log: the engine logs ids and labels only, and adapters
quiet the platform libraries' own loggers, which would otherwise print payloads at DEBUG.

Every record is one line with a UTC timestamp, in both formats: journald, `docker logs` and
log shippers split on newlines, so a multi-line traceback would otherwise arrive as many
unrelated entries, and a newline inside a value could forge a log line. `json` gives one JSON
object per line; fields passed with `extra={...}` become keys of that object.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

LOG_FORMATS = ("text", "json")

_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _utc(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class LineFormatter(logging.Formatter):
    """`time level logger: message`, with any newline (tracebacks included) written as `\\n`."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_utc(record)} {record.levelname} {record.name}: {record.getMessage()}"
        extras = _extras(record)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line.replace("\r", "\\r").replace("\n", "\\n")


def configure_logging(level: str = "INFO", fmt: str = "text", *, stream: TextIO | None = None) -> None:
    """Send every record to stderr (or `stream`), replacing any handler set before."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else LineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def quiet(*names: str, level: int = logging.WARNING) -> None:
    """Raise the level of third-party loggers that log request or message bodies."""
    for name in names:
        logging.getLogger(name).setLevel(level)
