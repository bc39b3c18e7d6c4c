"""Log output: plain text (default) or one JSON object per line for log collectors (``LMS_LOG_FORMAT=json``).

A JSON line carries ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``process``, and inside
a request ``method``, ``path``, ``remote_addr``, ``user_id`` and ``request_id`` (the proxy's
``X-Request-ID``, when it sends one); a logged exception adds ``exc_type`` and ``traceback``. No form
data, no query string and no cookie is ever logged.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, has_request_context, request, session

#: marks the handler this module installed, so a second app in one process does not add another
_HANDLER_NAME = "lms-json"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if has_request_context():
            entry.update(_request_fields())
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_fields() -> dict[str, object]:
    user = session.get("_user_id") if session else None
    return {
        "method": request.method,
        "path": request.path,
        "remote_addr": request.remote_addr,
        "user_id": int(user.split(":", 1)[0]) if isinstance(user, str) and user[:1].isdigit() else None,
        "request_id": request.headers.get("X-Request-ID", "")[:64] or None,
    }


def configure(app: Flask) -> None:
    """Install the JSON handler on the root logger when ``LMS_LOG_FORMAT=json``; with ``text`` leave
    logging as the server (gunicorn, ``flask run``) set it up. ``LMS_LOG_LEVEL`` sets the level."""
    fmt = str(app.config.get("LMS_LOG_FORMAT", "text")).strip().lower()
    if fmt not in ("text", "json"):
        raise RuntimeError(f"LMS_LOG_FORMAT must be 'text' or 'json', not {fmt!r}")
    if fmt != "json":
        return
    root = logging.getLogger()
    if not any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(str(app.config.get("LMS_LOG_LEVEL", "INFO")).upper())
