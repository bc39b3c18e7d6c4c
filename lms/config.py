"""Configuration: defaults, overridden by environment variables and the instance config file.

Every setting is documented in the table in README.md ("Configuration").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

TRUE = {"1", "true", "yes", "on"}
#: the public address in development mode (``LMS_DEV``) and tests, where ``LMS_BASE_URL`` may stay unset
DEV_BASE_URL = "http://127.0.0.1:5000"
#: why a setting without a default is needed: the one-line message when it is missing
REQUIRED = {
    "SECRET_KEY": "it signs sessions and CSRF tokens; set a long random value",
    "LMS_BASE_URL": "it is the public address printed in certificates and invitation links; "
                    "set it, e.g. LMS_BASE_URL=https://lernen.example.org",
}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and why, in one line."""


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
    #: a full staff list that deactivates more people than this needs a typed confirmation / --yes
    LMS_IMPORT_CONFIRM_DEACTIVATIONS = 10
    #: days to renew after a completion ran out or a major version requires renewal, when the rule names a
    #: fixed date (rules with "N days" use their N); also the period for people a fixed-date rule reaches late
    LMS_RENEWAL_DAYS = 30
    LMS_COURSES_DIR: str | None = None
    #: required outside development mode (see REQUIRED); DEV_BASE_URL with LMS_DEV
    LMS_BASE_URL: str | None = None
    LMS_ORG_NAME = "Stadtverwaltung"
    LMS_LOGIN_MAX_FAILURES = 5
    LMS_LOGIN_LOCK_MINUTES = 15
    LMS_IP_MAX_FAILURES = 50
    LMS_INVITATION_DAYS = 7
    LMS_SESSION_IDLE_MINUTES = 30
    LMS_SESSION_MAX_HOURS = 12
    LMS_RATELIMIT_STORAGE_URI = "memory://"
    #: reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none)
    LMS_TRUSTED_PROXIES = 0
    #: when Redis (the shared rate-limit storage) is unreachable, each process counts in memory instead
    #: of failing the request: logins keep working, limits hold per process until Redis is back
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: "text" (as the server sets it up) or "json" (one JSON object per line, see lms/logs.py)
    LMS_LOG_FORMAT = "text"
    LMS_LOG_LEVEL = "INFO"
    #: SMTP for e-mail (lms/mail.py). Unset host: in development mode (LMS_DEV) mails are logged, not sent
    LMS_SMTP_HOST = ""
    LMS_SMTP_PORT = 25
    LMS_SMTP_USER = ""
    LMS_SMTP_PASSWORD = ""
    #: STARTTLS after connecting (port 587), or TLS from the start (LMS_SMTP_SSL, port 465)
    LMS_SMTP_STARTTLS = False
    LMS_SMTP_SSL = False
    #: seconds to wait for the SMTP server (connect and each command)
    LMS_SMTP_TIMEOUT = 30
    LMS_MAIL_FROM = "KI-Kompetenz <ki-kompetenz@localhost>"
    #: whom a deactivated user is told to ask (login page, e-mails)
    LMS_SUPPORT_CONTACT = "Ihre Personalstelle"
    #: weekday (1 = Monday … 7 = Sunday) on which `lms reminders send` also sends the coordinators' digest
    LMS_DIGEST_WEEKDAY = 1
    #: whether an overdue reminder also goes, as a copy, to the coordinators of the person's unit
    #: (the service agreement decides; off: reminders go to the learner only)
    LMS_REMINDERS_COPY_COORDINATOR = False
    # the accessibility statement (/barrierefreiheit, BITV 2.0 § 7, model of Decision (EU) 2018/1523):
    # placeholders until the administration sets its own contact and its state's conciliation body
    LMS_A11Y_CONTACT = "Personalstelle – Ansprechstelle Barrierefreiheit"
    LMS_A11Y_EMAIL = "barrierefreiheit@stadt.example"
    LMS_A11Y_PHONE = ""
    LMS_A11Y_CONCILIATION = ("Schlichtungsstelle nach § 16 BGG beim Beauftragten der Bundesregierung "
                             "für die Belange von Menschen mit Behinderungen")
    LMS_A11Y_CONCILIATION_URL = "https://www.schlichtungsstelle-bgg.de"
    LMS_A11Y_LAW = "Barrierefreie-Informationstechnik-Verordnung (BITV 2.0)"
    #: ISO dates: when the statement was prepared and when it was last reviewed
    LMS_A11Y_STATEMENT_DATE = "2026-12-01"
    LMS_A11Y_REVIEWED_ON = "2026-12-01"
    # retention (lms retention apply; the reasons for the defaults: docs/retention.md)
    #: days after submission after which a quiz attempt's answers are deleted (the result stays)
    LMS_RETENTION_ATTEMPT_DAYS = 365
    #: days after leaving (or becoming inactive) after which a person is anonymised
    LMS_RETENTION_LEAVERS_DAYS = 730
    #: days an audit entry is kept (the retention runs' own entries stay)
    LMS_RETENTION_AUDIT_DAYS = 1095
    #: days login, logout and failed-login entries (times and addresses) are kept
    LMS_RETENTION_SECURITY_DAYS = 90
    # the privacy notice (/datenschutz, docs/privacy.md): placeholders until the administration sets them
    LMS_CONTROLLER_NAME = "nicht konfiguriert (LMS_CONTROLLER_NAME)"
    LMS_CONTROLLER_ADDRESS = "Anschrift nicht konfiguriert (LMS_CONTROLLER_ADDRESS)"
    LMS_DPO_CONTACT = "nicht konfiguriert (LMS_DPO_CONTACT)"
    LMS_PRIVACY_LEGAL_BASIS = (
        "Art. 6 Abs. 1 Buchst. c und e DSGVO in Verbindung mit Art. 88 DSGVO und § 26 BDSG oder der "
        "Vorschrift Ihres Landes zum Beschäftigtendatenschutz; die Pflicht zur Schulung folgt aus Art. 4 "
        "der Verordnung (EU) 2024/1689 (KI-Verordnung), die Betreiber von KI-Systemen verpflichtet, für "
        "ausreichende KI-Kompetenz ihres Personals zu sorgen.")
    LMS_PRIVACY_AUTHORITY = ("die oder der Landesbeauftragte für den Datenschutz Ihres Landes "
                             "(nicht konfiguriert: LMS_PRIVACY_AUTHORITY)")
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
    "LMS_IMPORT_CONFIRM_DEACTIVATIONS": int,
    "LMS_RENEWAL_DAYS": int,
    "LMS_LOGIN_MAX_FAILURES": int,
    "LMS_LOGIN_LOCK_MINUTES": int,
    "LMS_IP_MAX_FAILURES": int,
    "LMS_INVITATION_DAYS": int,
    "LMS_SESSION_IDLE_MINUTES": int,
    "LMS_SESSION_MAX_HOURS": int,
    "LMS_SMTP_PORT": int,
    "LMS_SMTP_STARTTLS": _bool,
    "LMS_SMTP_SSL": _bool,
    "LMS_SMTP_TIMEOUT": int,
    "LMS_DIGEST_WEEKDAY": int,
    "LMS_REMINDERS_COPY_COORDINATOR": _bool,
    "LMS_TRUSTED_PROXIES": int,
    "LMS_RETENTION_ATTEMPT_DAYS": int,
    "LMS_RETENTION_LEAVERS_DAYS": int,
    "LMS_RETENTION_AUDIT_DAYS": int,
    "LMS_RETENTION_SECURITY_DAYS": int,
    "MAX_CONTENT_LENGTH": int,
}


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Collect ``DATABASE_URL``, ``SECRET_KEY`` and every ``LMS_*`` variable, cast to its type."""
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if key in ("DATABASE_URL", "SECRET_KEY", "MAX_CONTENT_LENGTH") or key.startswith("LMS_"):
            try:
                out[key] = _CASTS.get(key, str)(value)
            except ValueError:
                raise ConfigError(f"{key} must be a whole number, not {value!r}") from None
    return out


def require(config: Mapping[str, Any], key: str) -> Any:
    """The value of the required setting ``key``; :class:`ConfigError` saying why when it is unset.

    ``lms`` commands that need a setting the command line can otherwise do without call this before
    they change anything (the ``lms`` group prints the message as one line and exits with status 1).
    """
    value = config.get(key)
    if not value:
        raise ConfigError(missing(key))
    return value


def missing(key: str) -> str:
    return f"{key} is not set: {REQUIRED[key]} (or LMS_DEV=1 for local development)"


def default_sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "lms.sqlite3")
