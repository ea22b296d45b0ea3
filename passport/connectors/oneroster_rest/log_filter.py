"""What httpx and httpcore log about a connection, redacted like passport's own messages.

At DEBUG, httpcore logs every response's headers (a redirect's Location, a cookie a
server derived from the credentials) and httpx logs every URL. A filter on their loggers
passes each record through the redactor of every open connection first.
"""

from __future__ import annotations

import logging
import threading
import weakref

from passport.redaction import Redactor

LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class _Redacting(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(self.redactors)
        if redactors:
            message = record.getMessage()
            for redact in redactors:
                message = redact(message)
            record.msg, record.args = message, None
        return True


_FILTER = _Redacting()
_installed = threading.Lock()
_done = False


def watch(redactor: Redactor) -> None:
    """Redact what the HTTP libraries log with `redactor` while it lives."""
    global _done
    with _installed:
        if not _done:
            for name in LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _done = True
        _FILTER.redactors.add(redactor)
