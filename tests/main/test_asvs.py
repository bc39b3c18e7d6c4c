"""Requirements of OWASP ASVS 5.0 level 2 that the mapping in docs/security.md proves here (the others
are proven by the tests named there)."""

from __future__ import annotations

import logging
import time

import pytest

from lms import create_app, db
from tests.conftest import PASSWORD


@pytest.fixture
def production(app_config):
    """The app as in production (no LMS_DEV), requests over https."""
    prod = create_app(dict(app_config, LMS_DEV=False))
    with prod.app_context():
        yield prod
        db.session.close()
    db.get_db(prod).dispose()


def test_hsts_for_a_year_with_subdomains_in_production(production):
    """V3.4.1."""
    response = production.test_client().get("/anmelden", base_url="https://lernen.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_hsts_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/anmelden").headers


def test_session_cookie_is_a_host_cookie_in_production(production):
    """V3.3.1, V3.3.3, V3.3.4: __Host- prefix, Secure, HttpOnly, SameSite, Path=/ and no Domain."""
    response = production.test_client().post("/sprache", data={"lang": "en"}, base_url="https://lernen.example.org")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for part in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert part in cookie, part
    assert "Domain=" not in cookie


def test_responses_are_not_cached(client):
    """V14.3.2 (and V14.2.2 for proxies): no-store on every page."""
    for path in ("/anmelden", "/datenschutz", "/gibt-es-nicht"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_trace_and_other_methods_are_refused(client):
    """V13.4.4: TRACE is not supported."""
    for method in ("TRACE", "PUT", "DELETE", "PATCH"):
        assert client.open("/anmelden", method=method).status_code == 405, method


def test_logout_clears_site_data(login_as, client):
    """V14.3.1: the browser drops cached pages and storage of the site at logout."""
    login_as("employee")
    response = client.post("/abmelden")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_the_password_is_verified_exactly_as_typed(make_user, auth):
    """V6.2.8: no trimming, no truncation, no case change."""
    user = make_user("hr")
    for variant in (PASSWORD + " ", " " + PASSWORD, PASSWORD.upper(), PASSWORD[:-1]):
        assert auth.login(user.email, variant).status_code == 200, variant
    assert auth.login(user.email, PASSWORD).status_code == 302


def test_long_passwords_are_allowed(app, make_user, auth):
    """V6.2.9: at least 64 characters (the forms take 1,000)."""
    from lms.auth import services

    user = make_user("hr")
    long_password = "Ein sehr langer Satz als Passwort, " * 4
    services.set_password(user, long_password)
    db.session.commit()
    assert len(long_password) > 128
    assert auth.login(user.email, long_password).status_code == 302


def test_refused_authorisation_is_logged(login_as, client, caplog):
    """V16.3.2: a 403 and a request for someone else's attempt leave a log line."""
    login_as("employee")
    with caplog.at_level(logging.WARNING):
        assert client.get("/admin/konten").status_code == 403
    assert any("access denied: GET /admin/konten for user" in r.getMessage() for r in caplog.records)


def test_someone_elses_attempt_is_logged(login_as, client, make_user, caplog):
    from lms.learning import services
    from tests.learning.factories import create_course

    owner = make_user("employee")
    attempt = services.start_attempt(owner.id, create_course())
    db.session.commit()
    login_as("employee")
    with caplog.at_level(logging.WARNING):
        assert client.get(f"/schulungen/versuch/{attempt.id}").status_code == 404
    assert any(f"attempt {attempt.id} of another user" in r.getMessage() for r in caplog.records)


def test_login_starts_a_new_session(make_user, client):
    """V7.2.4: nothing of the session before the login survives it (no fixation)."""
    user = make_user("hr")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    assert client.post("/anmelden", data={"email": user.email, "password": PASSWORD}).status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess and "_user_id" in sess


def test_session_cookies_are_signed_with_hmac_sha256(app, make_user, client):
    """V11.4.1: a cookie signed with Flask's default HMAC-SHA-1 is not accepted."""
    import hashlib

    from flask.sessions import SecureCookieSessionInterface

    user = make_user("hr")
    sha1 = SecureCookieSessionInterface().get_signing_serializer(app)
    sha256 = app.session_interface.get_signing_serializer(app)
    assert sha256.signer_kwargs["digest_method"] is hashlib.sha256
    now = time.time()
    payload = {"_user_id": user.get_id(), "_fresh": True, "login_at": now, "seen_at": now}
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], sha256.dumps(payload))
    assert client.get("/organisation/einheiten").status_code == 200  # the control: logged in
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], sha1.dumps(payload))
    assert client.get("/organisation/einheiten").status_code == 302  # not logged in


def test_no_start_without_a_secret_key(monkeypatch):
    """V13.3.1: outside development the secret comes from the environment, or the app does not start."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://", "LMS_DEV": False})
