"""Finding 2 (high behind the TLS proxy): client addresses and the per-address login lock.

Behind a reverse proxy every request came from the proxy's address: one person guessing passwords
locked the whole organisation out, and the audit log showed only the proxy. Now the app trusts
``LMS_TRUSTED_PROXIES`` proxies (werkzeug's ProxyFix) for ``X-Forwarded-For``, and an address lock
never refuses the correct password of an account that was not itself guessed at from that address.
The rules are in docs/security.md ("Failed logins").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms import create_app, db
from lms.audit.models import AuditEvent
from lms.auth import throttle
from lms.auth.models import LoginThrottle
from tests.conftest import PASSWORD

WRONG = "falsch-falsch-falsch"
LATER = datetime(2026, 1, 1, 12, 15, tzinfo=UTC)


def login(client, email, password=PASSWORD, xff=None):
    headers = {"X-Forwarded-For": xff} if xff else {}
    return client.post("/anmelden", data={"email": email, "password": password}, headers=headers)


def last_address(action: str) -> str | None:
    return db.session.scalar(select(AuditEvent.ip).where(AuditEvent.action == action)
                             .order_by(AuditEvent.id.desc()).limit(1))


# -- which address is the client's --------------------------------------------------------------

def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, client, make_user):
    assert app.config["LMS_TRUSTED_PROXIES"] == 0
    user = make_user("hr")
    assert login(client, user.email, xff="203.0.113.7").status_code == 302
    assert last_address("auth.login") == "127.0.0.1"


def test_one_trusted_proxy_gives_the_client_address_it_saw(app_config, make_user):
    app = create_app(dict(app_config, LMS_TRUSTED_PROXIES=1))
    with app.app_context():
        user = make_user("hr")
        client = app.test_client()
        # a client may send its own X-Forwarded-For; the proxy appends the address it saw
        assert login(client, user.email, xff="198.51.100.1, 203.0.113.7").status_code == 302
        assert last_address("auth.login") == "203.0.113.7"
        db.session.close()
    db.get_db(app).dispose()


def test_trusted_proxies_is_read_from_the_environment(monkeypatch, app_config):
    monkeypatch.setenv("LMS_TRUSTED_PROXIES", "2")
    cfg = dict(app_config)
    app = create_app(cfg)
    assert app.config["LMS_TRUSTED_PROXIES"] == 2
    db.get_db(app).dispose()


@pytest.fixture
def proxied(app_config):
    """An app behind one trusted proxy with a small address limit."""
    app = create_app(dict(app_config, LMS_TRUSTED_PROXIES=1, LMS_IP_MAX_FAILURES=3))
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.close()
    db.get_db(app).dispose()


def test_guessing_from_one_client_does_not_lock_the_others_behind_the_proxy(proxied, make_user):
    victim = make_user("hr")
    client = proxied.test_client()
    for i in range(3):
        login(client, f"user{i}@stadt.example", WRONG, xff="203.0.113.66")
    assert login(client, "user9@stadt.example", WRONG, xff="203.0.113.66").status_code == 429
    # another person behind the same proxy fails normally and logs in normally
    assert login(client, "user9@stadt.example", WRONG, xff="203.0.113.8").status_code == 200
    assert login(client, victim.email, xff="203.0.113.8").status_code == 302
    keys = set(db.session.scalars(select(LoginThrottle.key)))
    assert "ip:203.0.113.66" in keys and "ip:203.0.113.8" in keys
    assert not any(key.startswith("ip:127.") for key in keys)


# -- an address lock never refuses another account's correct password --------------------------

def test_address_lock_lets_an_untouched_account_log_in_with_its_correct_password(app, auth, make_user):
    """No proxy configured (every user has the proxy's address): the organisation keeps working."""
    app.config["LMS_IP_MAX_FAILURES"] = 3
    colleague = make_user("hr")
    for i in range(3):
        auth.login(f"geraten{i}@stadt.example", WRONG)
    assert auth.login("geraten9@stadt.example", WRONG).status_code == 429  # the address is locked
    assert auth.login(colleague.email).status_code == 302


def test_address_lock_refuses_accounts_guessed_at_from_that_address(app, auth, make_user):
    app.config["LMS_IP_MAX_FAILURES"] = 3
    target = make_user("hr")
    auth.login(target.email, WRONG)
    for i in range(2):
        auth.login(f"geraten{i}@stadt.example", WRONG)
    # locked address + an account that failed from it: refused even with the right password
    response = auth.login(target.email)
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)


def test_while_an_address_is_locked_each_account_gets_one_more_failure_from_it(app, auth, make_user):
    app.config["LMS_IP_MAX_FAILURES"] = 3
    colleague = make_user("hr")
    for i in range(3):
        auth.login(f"geraten{i}@stadt.example", WRONG)
    assert auth.login(colleague.email, WRONG).status_code == 429
    # that account is now one guessed at from the locked address: refused there until the lock ends
    assert auth.login(colleague.email).status_code == 429


def test_account_lock_still_refuses_the_correct_password(app, auth, make_user):
    user = make_user("hr")
    for _ in range(app.config["LMS_LOGIN_MAX_FAILURES"]):
        auth.login(user.email, WRONG)
    assert auth.login(user.email).status_code == 429


def test_failures_older_than_the_window_are_forgotten(app, auth, make_user):
    """Failures count towards a lock only while they follow each other within the lock time."""
    user = make_user("hr")
    for _ in range(app.config["LMS_LOGIN_MAX_FAILURES"] - 1):
        auth.login(user.email, WRONG)
    row = db.session.get(LoginThrottle, throttle.account_key(user.email), populate_existing=True)
    row.last_failure_at = datetime.now(UTC) - timedelta(minutes=app.config["LMS_LOGIN_LOCK_MINUTES"] + 1)
    db.session.commit()
    auth.login(user.email, WRONG)
    assert auth.login(user.email).status_code == 302


@pytest.mark.parametrize("account,address,pair_failed,expected", [
    (None, None, False, None),
    (None, None, True, None),
    (LATER, None, False, LATER),
    (None, LATER, False, None),
    (None, LATER, True, LATER),
    (LATER, LATER, False, LATER),
])
def test_refusal_decision(account, address, pair_failed, expected):
    assert throttle.refused_until(account, address, pair_failed) == expected
