"""Login, logout, sessions, throttling and redirects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.audit.models import AuditEvent
from lms.auth.models import LoginThrottle, User
from lms.auth.urls import safe_next
from tests.conftest import PASSWORD


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_success_redirects_and_audits(make_user, auth, client):
    user = make_user("hr")
    response = auth.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "auth.login" in actions()


def test_login_is_case_insensitive_on_email(make_user, auth):
    user = make_user("hr")
    assert auth.login(user.email.upper()).status_code == 302


def test_wrong_password_shows_error_and_is_counted(make_user, auth):
    user = make_user("hr")
    response = auth.login(user.email, "falsch-falsch-falsch")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    row = db.session.get(LoginThrottle, "acct:" + user.email)
    assert row is not None and row.failures == 1
    assert "auth.login_failed" in actions()


def test_unknown_account_gets_the_same_message(auth):
    response = auth.login("niemand@stadt.example", "irgendein-passwort")
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)


def test_account_locks_after_max_failures_and_survives_new_app(make_user, auth, app, app_config):
    user = make_user("hr")
    for _ in range(app.config["LMS_LOGIN_MAX_FAILURES"]):
        auth.login(user.email, "falsch-falsch-falsch")
    # even the right password is refused while locked
    response = auth.login(user.email)
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)
    # a second app process (new engine, same database) sees the same lock
    from lms import create_app

    other = create_app(app_config)
    with other.app_context():
        response = other.test_client().post("/anmelden", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 429
        db.session.close()
    db.get_db(other).dispose()


def test_lock_expires(make_user, auth, app):
    user = make_user("hr")
    for _ in range(app.config["LMS_LOGIN_MAX_FAILURES"]):
        auth.login(user.email, "falsch-falsch-falsch")
    row = db.session.get(LoginThrottle, "acct:" + user.email, populate_existing=True)
    row.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert auth.login(user.email).status_code == 302


def test_address_locks_after_many_failures_across_accounts(app, auth):
    app.config["LMS_IP_MAX_FAILURES"] = 3
    for i in range(3):
        auth.login(f"user{i}@stadt.example", "falsch-falsch-falsch")
    response = auth.login("user9@stadt.example", "falsch-falsch-falsch")
    assert response.status_code == 429


def test_success_clears_account_counter(make_user, auth):
    user = make_user("hr")
    auth.login(user.email, "falsch-falsch-falsch")
    auth.login(user.email)
    assert db.session.get(LoginThrottle, "acct:" + user.email, populate_existing=True) is None


def test_inactive_account_cannot_log_in(app, make_user, auth, client):
    """The right password of a deactivated account is told so and whom to ask; a wrong one gets the
    generic answer (the account's state is no oracle)."""
    app.config["LMS_SUPPORT_CONTACT"] = "der IT-Servicestelle, Tel. 1234"
    user = make_user("hr")
    user.is_active = False
    db.session.commit()
    response = auth.login(user.email)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Ihr Konto ist deaktiviert. Bitte wenden Sie sich an der IT-Servicestelle, Tel. 1234." in page
    assert client.get("/admin/konten").status_code == 302  # not logged in
    wrong = auth.login(user.email, "Falsches-Passwort-1234")
    assert wrong.status_code == 200
    assert "deaktiviert" not in wrong.get_data(as_text=True)
    assert "E-Mail-Adresse oder Passwort ist falsch." in wrong.get_data(as_text=True)


@pytest.mark.parametrize("target,expected", [
    ("/organisation/beschaeftigte", "/organisation/beschaeftigte"),
    ("/admin/konten?page=2", "/admin/konten?page=2"),
    ("https://evil.example/", None),
    ("//evil.example/x", None),
    ("/\\evil.example", None),
    ("javascript:alert(1)", None),
    ("", None),
])
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_login_follows_local_next_only(make_user, client):
    user = make_user("hr")
    response = client.post("/anmelden", data={"email": user.email, "password": PASSWORD,
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    client.post("/abmelden")
    response = client.post("/anmelden", data={"email": user.email, "password": PASSWORD,
                                              "next": "/organisation/einheiten"})
    assert response.headers["Location"] == "/organisation/einheiten"


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/admin/konten")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden?next=")


def test_logout_ends_all_sessions_of_the_user(make_user, app):
    user = make_user("admin")
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        assert c.post("/anmelden", data={"email": user.email, "password": PASSWORD}).status_code == 302
        assert c.get("/admin/konten").status_code == 200
    first.post("/abmelden")
    assert second.get("/admin/konten").status_code == 302


def test_role_change_ends_sessions(make_user, app, runner):
    user = make_user("admin")
    make_user("admin")  # another admin remains (the last one keeps the role)
    c = app.test_client()
    c.post("/anmelden", data={"email": user.email, "password": PASSWORD})
    assert c.get("/admin/konten").status_code == 200
    result = runner.invoke(args=["users", "set-role", user.email, "hr"])
    assert result.exit_code == 0, result.output
    response = c.get("/organisation/einheiten")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    assert "auth.role_changed" in actions()


def test_password_change_ends_other_sessions_but_keeps_this_one(make_user, app):
    user = make_user("hr")
    this, other = app.test_client(), app.test_client()
    for c in (this, other):
        c.post("/anmelden", data={"email": user.email, "password": PASSWORD})
    response = this.post("/konto/passwort", data={
        "current": PASSWORD, "password": "Ein-ganz-neues-Passwort-7", "confirm": "Ein-ganz-neues-Passwort-7"})
    assert response.status_code == 302
    assert this.get("/organisation/einheiten").status_code == 200
    assert other.get("/organisation/einheiten").status_code == 302


def test_password_change_requires_current_password(login_as, client):
    login_as("hr")
    response = client.post("/konto/passwort", data={
        "current": "falsch", "password": "Ein-ganz-neues-Passwort-7", "confirm": "Ein-ganz-neues-Passwort-7"})
    assert "Das aktuelle Passwort ist falsch." in response.get_data(as_text=True)


def test_idle_timeout_returns_to_login(login_as, client, app):
    login_as("hr")
    with client.session_transaction() as sess:
        sess["seen_at"] -= app.config["LMS_SESSION_IDLE_MINUTES"] * 60 + 1
    response = client.get("/organisation/einheiten")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ihre Sitzung ist abgelaufen" in page


def test_absolute_timeout(login_as, client, app):
    login_as("hr")
    with client.session_transaction() as sess:
        sess["login_at"] -= app.config["LMS_SESSION_MAX_HOURS"] * 3600 + 1
    assert client.get("/organisation/einheiten").status_code == 302


def test_activity_keeps_session_alive(login_as, client):
    login_as("hr")
    with client.session_transaction() as sess:
        sess["seen_at"] -= 20 * 60
    assert client.get("/organisation/einheiten").status_code == 200


def test_session_cookie_flags(make_user, app, app_config):
    from lms import create_app

    cfg = dict(app_config, LMS_DEV=False)
    prod = create_app(cfg)
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    db.get_db(prod).dispose()


def test_rehash_on_login_when_parameters_change(make_user, auth, monkeypatch):
    from argon2 import PasswordHasher

    from lms.auth import passwords

    user = make_user("hr")
    old_hash = user.password_hash
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert auth.login(user.email).status_code == 302
    refreshed = db.session.scalar(select(User).where(User.id == user.id).execution_options(populate_existing=True))
    assert refreshed.password_hash != old_hash
    assert "t=2" in refreshed.password_hash


def test_extend_session_resets_the_idle_time(login_as, client, app):
    """What the timeout warning's "stay logged in" calls: one request that counts as activity."""
    login_as("employee")
    idle = app.config["LMS_SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as sess:
        sess["seen_at"] -= idle - 60  # the warning is showing: one minute left
        before = sess["seen_at"]
    response = client.post("/sitzung/verlaengern")
    assert response.status_code == 200
    assert response.json == {"idle_seconds": idle, "warn_seconds": 120}
    with client.session_transaction() as sess:
        assert sess["seen_at"] >= before + idle - 60 - 5
        sess["seen_at"] -= 5 * 60  # five minutes later: would have expired without the extension
    assert client.get("/schulungen").status_code == 200


def test_extend_session_after_expiry_is_refused(login_as, client, app):
    login_as("employee")
    with client.session_transaction() as sess:
        sess["seen_at"] -= app.config["LMS_SESSION_IDLE_MINUTES"] * 60 + 1
    response = client.post("/sitzung/verlaengern")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_pages_carry_the_idle_timeout_for_the_warning(login_as, client):
    assert "data-session-idle" not in client.get("/anmelden").get_data(as_text=True)
    login_as("employee")
    page = client.get("/schulungen").get_data(as_text=True)
    assert 'data-session-idle="1800" data-session-warn="120"' in page
    assert 'data-session-extend="/sitzung/verlaengern"' in page
    assert 'role="alertdialog"' in page


def test_failed_login_with_a_long_email_is_audited_cut_to_the_column(auth, app):
    """The form allows 254 characters; the audit log's object id holds 100. PostgreSQL refused the longer
    value (500 on a failed login; found by the XSS corpus in the PostgreSQL pass)."""
    email = "a" * 240 + "@stadt.example"
    response = auth.login(email, "falsch")
    assert response.status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).one()
    assert len(event.object_id) == 100 and event.object_id.endswith("…")
    assert event.object_id[:99] == email[:99]
    assert event.actor_label == email  # 254 characters: fits
