"""Logging helpers for the settings' LOGGING: the request's id and workspace on every line, and
one JSON object per line when `ASCOLTO_LOG_FORMAT=json` (docs/deployment.md).

Loaded by the logging configuration before the apps, so this module imports no app; the
request's values are set by `ascolto.ops.requestlog.RequestLogMiddleware`.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("ascolto_request_id", default="-")
workspace_var: ContextVar[str] = ContextVar("ascolto_workspace", default="-")


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `workspace` to every record (a dash outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.workspace = workspace_var.get()
        return True


# Attributes every LogRecord has; anything else was passed in `extra`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Line breaks in messages stay inside the JSON string, so text
    from a request can never start a forged line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
