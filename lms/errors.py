"""Error pages in the layout; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Ungültige Anfrage"), _l("Die Anfrage konnte nicht verarbeitet werden. Bitte laden Sie die Seite neu und versuchen Sie es erneut.")),
    403: (_l("Kein Zugriff"), _l("Sie haben keine Berechtigung für diese Seite.")),
    404: (_l("Seite nicht gefunden"), _l("Diese Seite gibt es nicht oder nicht mehr.")),
    405: (_l("Aktion nicht erlaubt"), _l("Diese Aktion ist auf dieser Seite nicht möglich.")),
    413: (_l("Datei zu groß"), _l("Die hochgeladene Datei ist zu groß.")),
    429: (_l("Zu viele Anfragen"), _l("Bitte warten Sie einen Moment und versuchen Sie es dann erneut.")),
    500: (_l("Interner Fehler"), _l("Es ist ein Fehler aufgetreten. Er wurde protokolliert. Bitte versuchen Sie es später erneut.")),
}


def render_error(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", title=title, message=message or default), code


def _who() -> str:
    """The account of the request for the log: "user <id> (<role>)" or "anonymous"."""
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False):
        return f"user {current_user.id} ({current_user.role})"
    return "anonymous"


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_error(400, str(_l("Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu und senden Sie es erneut ab.")))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 403:  # a refused authorisation is a security event (ASVS 16.3.2)
            log.warning("access denied: %s %s for %s", request.method, request.path, _who())
        if exc.code in MESSAGES:
            # an exception may carry a message meant for the user (e.g. which filter value is unknown)
            message = getattr(exc, "user_message", None)
            return render_error(exc.code, str(message) if message else None)
        return exc

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http(exc)
        if app.testing and not app.config.get("LMS_RENDER_500"):
            raise exc  # tests see the real error
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda exc: render_error(500))
