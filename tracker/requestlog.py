"""The request log: one line per request with its id, user, route, status and duration.

The id comes from the ``X-Request-ID`` header a proxy sets (when it looks like one),
else is made here; it is sent back in the response and shown on error pages, so a
user can quote it and an operator can find the line. With ``TRACKER_LOG_FORMAT=json``
every log line of the app is a JSON object.
"""

import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("tracker.requests")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ID_KEY, _STARTED_KEY = "tracker.request_id", "tracker.request_started"
# Health checks come every few seconds: logging them would drown everything else.
QUIET_ENDPOINTS = frozenset({"ops.healthz", "ops.readyz", "static"})


def init_app(app: Flask) -> None:
    """Give every request an id, send it back, and log the request when it is answered."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    if app.config.get("LOG_FORMAT") == "json":
        use_json_lines()


def request_id() -> str:
    """Return the id of the current request (made on first use)."""
    # Kept with the request itself: an app context, and so ``g``, may outlive one request.
    environ = request.environ
    if _ID_KEY not in environ:
        given = request.headers.get("X-Request-ID", "")
        environ[_ID_KEY] = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_id = environ[_ID_KEY]  # for templates: the error page shows it
    return environ[_ID_KEY]


def _start() -> None:
    request.environ[_STARTED_KEY] = time.perf_counter()
    request_id()


def _finish(response: Any) -> Any:
    response.headers["X-Request-ID"] = request_id()
    if request.endpoint in QUIET_ENDPOINTS:
        return response
    started = request.environ.get(_STARTED_KEY, time.perf_counter())
    user = current_user.get_id() if current_user and current_user.is_authenticated else None
    log.info(
        "%s %s %s %d %.1f ms",
        request.method,
        request.url_rule.rule if request.url_rule else "-",
        request_id(),
        response.status_code,
        (time.perf_counter() - started) * 1000,
        extra={
            "request_id": request_id(),
            "user_id": int(user.partition(":")[0]) if user else None,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return response


class JsonLines(logging.Formatter):
    """Format a log record as one JSON object: time, level, logger, message and extras."""

    FIELDS = ("request_id", "user_id", "method", "route", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line."""
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def use_json_lines() -> None:
    """Make every handler of the root logger write JSON lines."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonLines())
