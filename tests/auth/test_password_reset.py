"""Passwort vergessen: the e-mail arrives at a real SMTP server (aiosmtpd), the link works once for an
hour, voids other links, and the page answers the same for unknown and deactivated addresses."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.audit.models import AuditEvent
from lms.auth import services
from lms.auth.models import Invitation
from tests.conftest import PASSWORD
from tests.smtp import html_part, smtp_config, smtp_server, text_part  # noqa: F401

NEW = "Ein-ganz-neues-Passwort-2027"
LINK = re.compile(r"http://localhost/passwort-neu/[A-Za-z0-9_-]+")


@pytest.fixture
def app_config(app_config, smtp_server):  # noqa: F811
    return {**app_config, **smtp_config(smtp_server.port)}


def request_reset(client, email: str):
    return client.post("/passwort-vergessen", data={"email": email}, follow_redirects=True)


def link_from(message) -> str:
    return LINK.search(text_part(message)).group(0).removeprefix("http://localhost")


def answer(response) -> str:
    """The page text without the echoed address."""
    return response.get_data(as_text=True)


def test_reset_by_mail_works_once_and_voids_other_links(app, client, auth, smtp_server, make_user):  # noqa: F811
    user = make_user("employee")
    invitation = services.invite(user)  # an older open link
    db.session.commit()
    response = request_reset(client, user.email.upper())
    assert response.status_code == 200
    assert "haben wir einen Link an diese Adresse geschickt" in answer(response)
    [message] = smtp_server.mailbox.wait_for(user.email)
    assert message["Subject"] == "Neues Passwort für KI-Kompetenz"
    assert "60 Minuten gültig" in text_part(message)
    path = link_from(message)
    assert f'href="http://localhost{path}"' in html_part(message)
    # the reset link voided the older invitation
    assert client.get(f"/einladung/{invitation}").status_code == 404
    page = client.get(path)
    assert page.status_code == 200 and "Neues Passwort festlegen" in page.get_data(as_text=True)
    # the password policy applies
    weak = client.post(path, data={"password": "kurz", "confirm": "kurz"})
    assert weak.status_code == 200
    assert client.post(path, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert auth.login(user.email, PASSWORD).status_code == 200  # the old password is gone
    assert auth.login(user.email, NEW).status_code == 302
    auth.logout()
    # once only
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": PASSWORD + "x", "confirm": PASSWORD + "x"}).status_code == 404
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
    assert "auth.password_reset_requested" in actions and "auth.password_reset" in actions


def test_same_answer_for_unknown_and_deactivated(app, client, smtp_server, make_user):  # noqa: F811
    known = make_user("employee")
    off = make_user("employee")
    off.is_active = False
    db.session.commit()
    pages = {}
    for email in (known.email, "niemand@stadt.example", off.email):
        text = answer(request_reset(client, email)).replace(email, "ADDRESS")
        pages[email] = re.sub(r'name="csrf_token"[^>]*>', "", text)
    assert pages[known.email] == pages["niemand@stadt.example"] == pages[off.email]
    smtp_server.mailbox.wait_for(known.email)
    time.sleep(0.3)
    assert {m["To"] for m in smtp_server.mailbox.messages} == {known.email}  # none for the others
    reasons = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "auth.password_reset_refused")).all()
    assert sorted(r["reason"] for r in reasons) == ["deactivated", "unknown"]


def test_answer_does_not_wait_for_the_mail_server(app, client, smtp_server, make_user):  # noqa: F811
    """A slow SMTP server does not slow the answer for a known address (the timing is no oracle)."""
    smtp_server.mailbox.delay = 1.5
    user = make_user("employee")
    timings = {}
    for email in (user.email, "niemand@stadt.example"):
        start = time.perf_counter()
        assert request_reset(client, email).status_code == 200
        timings[email] = time.perf_counter() - start
    assert timings[user.email] < 1.0, timings
    assert abs(timings[user.email] - timings["niemand@stadt.example"]) < 0.5, timings
    smtp_server.mailbox.wait_for(user.email)


def test_link_expires_after_one_hour(app, client, make_user):
    user = make_user("employee")
    now = datetime.now(UTC)
    fresh = services.invite(user, purpose=services.RESET, now=now - timedelta(minutes=59))
    db.session.commit()
    assert client.get(f"/passwort-neu/{fresh}").status_code == 200
    stale = services.invite(user, purpose=services.RESET, now=now - timedelta(minutes=61))
    db.session.commit()
    assert client.get(f"/passwort-neu/{stale}").status_code == 404
    inv = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id)
                            .order_by(Invitation.id.desc()))
    assert inv.expires_at - inv.created_at == timedelta(hours=1)
    # with a fixed "now" the service decides the same
    assert services.find_invitation(stale, services.RESET, now=now - timedelta(minutes=2)) is not None
    assert services.find_invitation(stale, services.RESET, now=now) is None


def test_reset_and_invitation_links_are_not_interchangeable(app, client, make_user):
    user = make_user("employee")
    invite_token = services.invite(user)
    db.session.commit()
    assert client.get(f"/passwort-neu/{invite_token}").status_code == 404
    reset_token = services.invite(user, purpose=services.RESET)
    db.session.commit()
    assert client.get(f"/einladung/{reset_token}").status_code == 404


def test_english_reset_mail(app, client, smtp_server, make_user):  # noqa: F811
    user = make_user("employee")
    user.locale = "en"
    db.session.commit()
    request_reset(client, user.email)
    [message] = smtp_server.mailbox.wait_for(user.email)
    assert message["Subject"] == "New password for KI-Kompetenz"
    assert "valid for 60 minutes" in text_part(message)
    assert "<html lang=\"en\">" in html_part(message)


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True}

    def test_five_requests_per_address_and_hour(self, client):
        statuses = [client.post("/passwort-vergessen", data={"email": "x@stadt.example"}).status_code
                    for _ in range(6)]
        assert statuses == [302] * 5 + [429]
        # another address is not affected
        assert client.post("/passwort-vergessen", data={"email": "y@stadt.example"}).status_code == 302
