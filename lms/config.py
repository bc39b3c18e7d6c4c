"""Configuration: defaults, overridden by environment variables and the instance config file.

Every setting is documented in the table in README.md ("Configuration").
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

TRUE = {"1", "true", "yes", "on"}


def _bool(value: str) -> bool:
    return value.strip().lower() in TRUE


class Defaults:
    #: SQLAlchemy URL; the embedded default is SQLite in the instance folder (set in create_app).
    DATABASE_URL: str | None = None
    SECRET_KEY: str | None = None
    LMS_DEV = False
    LMS_MIN_GROUP_SIZE = 5
    LMS_HR_SEES_SCORES = False
    LMS_IMPORT_MAX_ROWS = 20000
    LMS_COURSES_DIR: str | None = None
    LMS_BASE_URL = "http://127.0.0.1:5000"
    LMS_ORG_NAME = "Stadtverwaltung"
    LMS_LOGIN_MAX_FAILURES = 5
    LMS_LOGIN_LOCK_MINUTES = 15
    LMS_IP_MAX_FAILURES = 50
    LMS_INVITATION_DAYS = 7
    LMS_SESSION_IDLE_MINUTES = 30
    LMS_SESSION_MAX_HOURS = 12
    LMS_RATELIMIT_STORAGE_URI = "memory://"
    #: when Redis (the shared rate-limit storage) is unreachable, each process counts in memory instead
    #: of failing the request: logins keep working, limits hold per process until Redis is back
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: "text" (as the server sets it up) or "json" (one JSON object per line, see lms/logs.py)
    LMS_LOG_FORMAT = "text"
    LMS_LOG_LEVEL = "INFO"
    LMS_MAIL_SERVER = "localhost"
    LMS_MAIL_PORT = 25
    LMS_MAIL_SENDER = "ki-kompetenz@localhost"
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    #: a quiz may stay open for a long time: the CSRF token must outlive it
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")


_CASTS: dict[str, Any] = {
    "LMS_DEV": _bool,
    "LMS_HR_SEES_SCORES": _bool,
    "LMS_MIN_GROUP_SIZE": int,
    "LMS_IMPORT_MAX_ROWS": int,
    "LMS_LOGIN_MAX_FAILURES": int,
    "LMS_LOGIN_LOCK_MINUTES": int,
    "LMS_IP_MAX_FAILURES": int,
    "LMS_INVITATION_DAYS": int,
    "LMS_SESSION_IDLE_MINUTES": int,
    "LMS_SESSION_MAX_HOURS": int,
    "LMS_MAIL_PORT": int,
    "MAX_CONTENT_LENGTH": int,
}


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Collect ``DATABASE_URL``, ``SECRET_KEY`` and every ``LMS_*`` variable, cast to its type."""
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if key in ("DATABASE_URL", "SECRET_KEY", "MAX_CONTENT_LENGTH") or key.startswith("LMS_"):
            out[key] = _CASTS.get(key, str)(value)
    return out


def default_sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "lms.sqlite3")
