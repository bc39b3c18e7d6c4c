"""Headers on every response, error pages, language switch."""

from __future__ import annotations

import pytest
from flask import abort

from tests.conftest import PASSWORD

CSP_PARTS = ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
             "form-action 'self'"]


@pytest.mark.parametrize("path", ["/anmelden", "/gibt-es-nicht", "/static/css/app.css", "/healthz"])
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Permissions-Policy"]


def test_max_content_length_set(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024


def test_404_in_layout(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Seite nicht gefunden" in body and 'class="site-header"' in body


def test_405_in_layout(client):
    response = client.put("/anmelden")
    assert response.status_code == 405
    assert "Aktion nicht erlaubt" in response.get_data(as_text=True)


def test_403_in_layout(login_as, client):
    login_as("employee")
    response = client.get("/admin/konten")
    assert response.status_code == 403
    assert "Kein Zugriff" in response.get_data(as_text=True)


def test_413_in_layout(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = client.post("/anmelden", data={"email": "x" * 100})
    assert response.status_code == 413
    assert "Datei zu groß" in response.get_data(as_text=True)


@pytest.mark.parametrize("code,text", [(400, "Ungültige Anfrage"), (429, "Zu viele Anfragen")])
def test_other_error_pages(app, client, code, text):
    app.add_url_rule(f"/_boom{code}", f"boom{code}", lambda: abort(code))
    response = client.get(f"/_boom{code}")
    assert response.status_code == code and text in response.get_data(as_text=True)


def test_500_shows_no_stack_trace(app, client):
    app.config["LMS_RENDER_500"] = True

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/_boom", "boom", boom)
    response = client.get("/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Interner Fehler" in body and "secret internals" not in body and "Traceback" not in body


def test_csrf_failure_is_a_400_page(app, app_config, database_url):
    from lms import create_app

    strict = create_app(dict(app_config, WTF_CSRF_ENABLED=True))
    response = strict.test_client().post("/anmelden", data={"email": "a@b.de", "password": "x"})
    assert response.status_code == 400
    assert "Formular ist abgelaufen" in response.get_data(as_text=True)
    from lms import db

    db.get_db(strict).dispose()


def test_csrf_time_limit_outlasts_a_long_quiz(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] >= 4 * 3600


def test_language_switch_is_remembered(client):
    response = client.post("/sprache", data={"lang": "en", "next": "/anmelden"})
    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"
    assert '<html lang="en">' in client.get("/anmelden").get_data(as_text=True)
    client.post("/sprache", data={"lang": "de", "next": "https://evil.example"})
    assert '<html lang="de">' in client.get("/anmelden").get_data(as_text=True)


def test_language_from_browser(client):
    body = client.get("/anmelden", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in body


def test_skip_link_and_landmarks(client):
    body = client.get("/anmelden").get_data(as_text=True)
    assert 'href="#main"' in body and '<main id="main"' in body and "<header" in body and "<footer" in body


def test_language_chosen_before_login_survives_login_and_is_remembered(make_user, client, app):
    user = make_user("hr")
    client.post("/sprache", data={"lang": "en", "next": "/anmelden"})
    client.post("/anmelden", data={"email": user.email, "password": PASSWORD})
    assert '<html lang="en">' in client.get("/organisation/einheiten").get_data(as_text=True)
    client.post("/abmelden")
    # a new browser: the account's language is used after login
    other = app.test_client()
    other.post("/anmelden", data={"email": user.email, "password": PASSWORD})
    assert '<html lang="en">' in other.get("/organisation/einheiten").get_data(as_text=True)


def test_dates_follow_the_language(app):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from lms.formatting import when

    moment = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("de"):
            assert when(moment) == "25.11.2026, 14:30"  # Europe/Berlin
        with force_locale("en"):
            assert when(moment) == "Nov 25, 2026, 14:30"


@pytest.mark.parametrize(("method", "path", "data"), [
    ("GET", "/anmelden?next=/a%00b", None),
    ("GET", "/schulungen/a%00b", None),
    ("POST", "/anmelden", {"email": "a\x00@b.example", "password": "x"}),
    ("POST", "/sprache", {"lang\x00": "en"}),
])
def test_nul_bytes_are_refused_with_400(client, method, path, data):
    """PostgreSQL cannot store or compare NUL: without the guard these were 500 there (found by the fuzz)."""
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
