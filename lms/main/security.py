"""Response headers for every response, and template globals."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, abort, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale

from lms.formatting import content, content_lang, iso_when, when
from lms.main.navigation import nav_items, role_label

#: ``img-src data:`` is needed because KERN's icons are SVG data URLs in its stylesheet; content
#: images from courses are served from 'self' and Markdown ``data:`` URLs are removed at import.
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


#: one year, subdomains included (ASVS 3.4.1); only outside development, where the app runs on https
HSTS = "max-age=31536000; includeSubDomains"


def set_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    if not current_app.config["LMS_DEV"]:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    response.vary.add("Cookie")
    return response


def forget_request_state() -> None:
    """Flask-Login and Flask-Babel cache the user and locale on ``g``. An app context can outlive a
    request (tests push one around many requests), so each request starts without those caches."""
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, signed with HMAC-SHA-256 instead of the default HMAC-SHA-1."""

    digest_method = staticmethod(hashlib.sha256)


def refuse_nul_bytes() -> None:
    """A NUL character has no business in a path, a query or a form field, and PostgreSQL cannot store
    or compare it (psycopg raises DataError: a 500). Refuse such a request with 400 before any view runs.
    Uploaded files are not inspected (the importer reads them as bytes)."""
    if "\x00" in request.path or any("\x00" in (key or "") or any("\x00" in (v or "") for v in values)
                                     for source in (request.args, request.form)
                                     for key, values in source.lists()):  # a malformed part has no name
        abort(400)


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.before_request_funcs.setdefault(None, []).insert(0, forget_request_state)
    app.before_request(refuse_nul_bytes)
    app.after_request(set_headers)
    app.add_template_filter(when, "when")
    app.add_template_filter(iso_when, "iso_when")
    app.add_template_filter(content, "content")

    @app.context_processor
    def _globals() -> dict:
        return {"nav_items": nav_items, "role_label": role_label, "current_locale": str(get_locale()),
                "content_lang": content_lang}
