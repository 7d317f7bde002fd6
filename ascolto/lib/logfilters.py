"""Logging filters named in settings' LOGGING."""

from __future__ import annotations

import logging


class NoTracebackForClientErrors(logging.Filter):
    """Keep the one line of a 4xx response ("Forbidden (Permission denied): /path") and drop
    its traceback: a refused request is the product working, not a fault to debug. 5xx keep
    theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
