"""Account lifecycle on the account page: deactivate, reactivate, unlock, re-invite by e-mail (voiding
older links), last login; HR only for employees' accounts; the rules live in the services."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms import db
from lms.auth import services, throttle
from lms.auth.models import LoginThrottle
from tests.conftest import PASSWORD, Auth
from tests.smtp import free_port, smtp_config, smtp_server, text_part  # noqa: F401


@pytest.fixture
def app_config(app_config, smtp_server):  # noqa: F811
    return {**app_config, **smtp_config(smtp_server.port), "LMS_SUPPORT_CONTACT": "Personalstelle, Zimmer 12"}


def page(response) -> str:
    return response.get_data(as_text=True)


def test_deactivate_ends_sessions_and_login_says_so(app, client, make_user, login_as):
    person = make_user("employee")
    other = app.test_client()
    assert Auth(other).login(person.email).status_code == 302
    assert other.get("/schulungen").status_code == 200
    login_as("admin")
    response = client.post(f"/admin/konten/{person.id}/deaktivieren", follow_redirects=True)
    assert "ist deaktiviert" in page(response)
    assert "deaktiviert" in page(client.get(f"/admin/konten/{person.id}/verwalten"))
    # the running session ended
    assert other.get("/schulungen").status_code == 302
    refused = Auth(other).login(person.email)
    assert refused.status_code == 403
    assert "Ihr Konto ist deaktiviert. Bitte wenden Sie sich an Personalstelle, Zimmer 12." in page(refused)
    wrong = Auth(other).login(person.email, "Ganz-falsches-Passwort-9")
    assert wrong.status_code == 200 and "deaktiviert" not in page(wrong)
    # reactivate: the password works again
    client.post(f"/admin/konten/{person.id}/reaktivieren")
    assert Auth(other).login(person.email).status_code == 302


def test_nobody_deactivates_or_demotes_themselves(app, client, login_as):
    admin = login_as("admin")
    with pytest.raises(services.AccountError):
        services.deactivate(admin, by=admin)
    with pytest.raises(services.RoleError):
        services.set_role(admin, "hr", by=admin)
    response = client.post(f"/admin/konten/{admin.id}/deaktivieren", follow_redirects=True)
    assert "nicht deaktivieren" in page(response)
    db.session.expire_all()
    assert admin.is_active


def test_reactivation_refused_for_a_leaver(app, make_user):
    person = make_user("employee")
    person.is_active = False
    person.employee.is_active = False
    db.session.commit()
    with pytest.raises(services.AccountError, match="ausgeschieden"):
        services.reactivate(person, by=None)


def test_unlock_a_locked_login(app, client, auth, make_user, login_as):
    person = make_user("employee")
    for _ in range(app.config["LMS_LOGIN_MAX_FAILURES"]):
        throttle.register_failure(throttle.account_key(person.email), app.config["LMS_LOGIN_MAX_FAILURES"])
    db.session.commit()
    assert auth.login(person.email).status_code == 429  # locked, even with the right password
    login_as("hr")
    account_page = page(client.get(f"/admin/konten/{person.id}/verwalten"))
    assert "gesperrt bis" in account_page
    response = client.post(f"/admin/konten/{person.id}/entsperren", follow_redirects=True)
    assert "Anmeldesperre" in page(response) and "aufgehoben" in page(response)
    assert db.session.get(LoginThrottle, "acct:" + person.email, populate_existing=True) is None
    db.session.commit()  # (a rollback would expire ``person``: reading it again would hold the write lock)
    auth.logout()
    assert auth.login(person.email).status_code == 302


def test_reinvite_by_mail_voids_older_link(app, client, smtp_server, make_user, login_as):  # noqa: F811
    person = make_user("employee")
    old = services.invite(person)
    db.session.commit()
    login_as("hr")
    response = client.post(f"/admin/konten/{person.id}/einladen", follow_redirects=True)
    assert "per E-Mail an" in page(response)
    [message] = smtp_server.mailbox.to(person.email)
    assert message["Subject"] == "Ihre Einladung zu KI-Kompetenz"
    new = re.search(r"/einladung/([A-Za-z0-9_-]+)", text_part(message)).group(1)
    assert client.get(f"/einladung/{old}").status_code == 404
    assert client.get(f"/einladung/{new}").status_code == 200


def test_reinvite_with_smtp_down_changes_nothing(app, client, make_user, login_as):
    person = make_user("employee")
    old = services.invite(person)
    db.session.commit()
    login_as("admin")
    app.config["LMS_SMTP_PORT"] = free_port()
    response = client.post(f"/admin/konten/{person.id}/einladen", follow_redirects=True)
    assert "konnte nicht gesendet werden" in page(response)
    assert client.get(f"/einladung/{old}").status_code == 200  # still valid


def test_last_login_shown(app, client, make_user, login_as):
    person = make_user("employee")
    login_as("admin")
    assert "noch nie" in page(client.get(f"/admin/konten/{person.id}/verwalten"))
    person.last_login_at = datetime(2027, 1, 5, 13, 30, tzinfo=UTC)
    db.session.commit()
    assert "05.01.2027, 14:30" in page(client.get(f"/admin/konten/{person.id}/verwalten"))
    assert "05.01.2027, 14:30" in page(client.get("/admin/konten"))


def test_hr_manages_employees_accounts_only(app, client, make_user, login_as):
    person = make_user("employee")
    author = make_user("author")
    login_as("hr")
    listing = page(client.get("/admin/konten"))
    assert person.email in listing and author.email not in listing
    assert client.get(f"/admin/konten/{author.id}/verwalten").status_code == 404
    assert client.post(f"/admin/konten/{author.id}/deaktivieren").status_code == 404
    db.session.expire_all()
    assert author.is_active
    assert client.get(f"/admin/konten/{person.id}").status_code == 403  # role changes stay with admins


def test_admin_create_user_sends_invitation(app, client, smtp_server, make_employee, login_as):  # noqa: F811
    employee = make_employee(email="neu@stadt.example")
    login_as("admin")
    response = client.post("/admin/konten/neu", data={"email": employee.email, "role": "employee"})
    assert response.status_code == 200
    assert "wurde per E-Mail an neu@stadt.example gesendet" in page(response)
    link = re.search(r"http://localhost/einladung/[A-Za-z0-9_-]+", page(response)).group(0)
    [message] = smtp_server.mailbox.to(employee.email)
    assert link in text_part(message)


def test_cli_invite_employees_mails_each(app, runner, smtp_server, make_unit, make_employee):  # noqa: F811
    unit = make_unit()
    people = [make_employee(unit) for _ in range(3)]
    result = runner.invoke(args=["users", "invite-employees"])
    assert result.exit_code == 0, result.output
    assert "3 invitation e-mail(s) sent" in result.output
    assert {m["To"] for m in smtp_server.mailbox.messages} == {p.email for p in people}
    smtp_server.stop()
    result = runner.invoke(args=["users", "invite", people[0].email])
    assert result.exit_code == 1
    assert "could not be sent" in result.output
    assert "/einladung/" in result.stdout  # the link is printed all the same


def test_login_records_last_login(app, auth, make_user):
    person = make_user("employee")
    assert person.last_login_at is None
    auth.login(person.email, PASSWORD)
    db.session.expire_all()
    assert db.session.scalar(select(type(person).last_login_at).where(type(person).id == person.id)) is not None


def test_cli_without_smtp_server_prints_links_only(app, runner, make_employee):
    app.config.update(LMS_SMTP_HOST="", LMS_DEV=False)
    employee = make_employee()
    result = runner.invoke(args=["users", "invite-employees"])
    assert result.exit_code == 0, result.output
    assert "no e-mail sent (LMS_SMTP_HOST is not set)" in result.output
    assert f"{employee.email};http://localhost/einladung/" in result.stdout
