"""Accounts: CLI, invitations, password policy, admin pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.auth import services
from lms.auth.models import Invitation, User
from lms.auth.passwords import policy_problems
from tests.conftest import PASSWORD


@pytest.mark.parametrize("password,ok", [
    ("kurz", False),
    ("passwort1234", False),
    ("aaaaaaaaaaaaaaaa", False),
    ("Sommer im Elbtal 2026", True),
    ("Lange-genug-und-geheim-42", True),
])
def test_password_policy(password, ok, app):
    assert (policy_problems(password) == []) is ok


def test_password_must_not_contain_mail_local_part(app):
    assert policy_problems("erika.muster-2026!", email="erika.muster@stadt.example")


def test_cli_create_with_password_and_list(runner, app):
    result = runner.invoke(args=["users", "create", "Chef@Stadt.example", "--role", "admin",
                                 "--password-stdin"], input="Ein-sicheres-Passwort-9\n")
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["users", "list"])
    assert "chef@stadt.example\tadmin" in listing.output


def test_cli_create_refuses_weak_password(runner, app):
    result = runner.invoke(args=["users", "create", "a@stadt.example", "--role", "admin", "--password-stdin"],
                           input="passwort1234\n")
    assert result.exit_code == 1
    assert "verbreitet" in result.output or "common" in result.output


def test_cli_employee_needs_employee_record(runner, app):
    result = runner.invoke(args=["users", "create", "x@stadt.example", "--role", "employee"])
    assert result.exit_code == 1
    assert "Keine Beschäftigten mit der E-Mail-Adresse" in result.output


def test_cli_coordinator_needs_unit(runner, app, make_unit):
    result = runner.invoke(args=["users", "create", "k@stadt.example", "--role", "coordinator"])
    assert result.exit_code == 1
    unit = make_unit("50")
    result = runner.invoke(args=["users", "create", "k@stadt.example", "--role", "coordinator", "--unit", "50"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "k@stadt.example"))
    assert [s.org_unit_id for s in user.scopes] == [unit.id]


def test_cli_employee_account_links_employee_and_prints_invitation(runner, app, make_employee):
    employee = make_employee(email="erika@stadt.example")
    result = runner.invoke(args=["users", "create", "ERIKA@stadt.example", "--role", "employee"])
    assert result.exit_code == 0, result.output
    assert "/einladung/" in result.output
    user = db.session.scalar(select(User).where(User.email == "erika@stadt.example"))
    assert user.employee_id == employee.id
    assert user.password_hash is None


def test_cli_unknown_role_is_refused(runner, app):
    result = runner.invoke(args=["users", "create", "a@stadt.example", "--role", "king"])
    assert result.exit_code == 2


def _invite(email: str = "neu@stadt.example") -> tuple[User, str]:
    user = services.create_user(email, "hr")
    token = services.invite(user)
    db.session.commit()
    return user, token


def test_invitation_sets_password_once(app, client, auth):
    user, token = _invite()
    page = client.get(f"/einladung/{token}")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    response = client.post(f"/einladung/{token}", data={"password": "Neues-Passwort-fuer-mich", "confirm":
                                                        "Neues-Passwort-fuer-mich"})
    assert response.status_code == 302
    assert auth.login(user.email, "Neues-Passwort-fuer-mich").status_code == 302
    # used: the link is dead
    auth.logout()
    assert client.get(f"/einladung/{token}").status_code == 404


def test_invitation_refuses_weak_password(app, client):
    _user, token = _invite()
    response = client.post(f"/einladung/{token}", data={"password": "kurz", "confirm": "kurz"})
    assert response.status_code == 200
    assert "mindestens 12 Zeichen" in response.get_data(as_text=True)


def test_invitation_expires_after_seven_days(app, client):
    user, token = _invite()
    inv = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    assert timedelta(days=6, hours=23) < inv.expires_at - datetime.now(UTC) <= timedelta(days=7)
    inv.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/einladung/{token}")
    assert response.status_code == 404
    assert "nicht mehr gültig" in response.get_data(as_text=True)


def test_invitation_token_is_stored_hashed(app):
    _user, token = _invite()
    stored = db.session.scalars(select(Invitation.token_hash)).all()
    assert token not in stored


def test_admin_creates_account_and_sees_link(login_as, client):
    login_as("admin")
    response = client.post("/admin/konten/neu", data={"email": "Rat@stadt.example", "role": "committee"})
    assert response.status_code == 200
    assert "/einladung/" in response.get_data(as_text=True)
    assert db.session.scalar(select(User.role).where(User.email == "rat@stadt.example")) == "committee"


def test_admin_create_duplicate_shows_error(login_as, client):
    admin = login_as("admin")
    response = client.post("/admin/konten/neu", data={"email": admin.email, "role": "hr"})
    assert "gibt es bereits ein Konto" in response.get_data(as_text=True)


def test_admin_changes_role_with_scope(login_as, client, make_user, make_unit):
    login_as("admin")
    unit = make_unit("10")
    other = make_user("author")
    version = other.session_version
    response = client.post(f"/admin/konten/{other.id}", data={"role": "coordinator", "units": ["10"]})
    assert response.status_code == 302
    fresh = db.session.get(User, other.id, populate_existing=True)
    assert fresh.role == "coordinator" and [s.org_unit_id for s in fresh.scopes] == [unit.id]
    assert fresh.session_version == version + 1


def test_admin_cannot_demote_self(login_as, client):
    admin = login_as("admin")
    response = client.post(f"/admin/konten/{admin.id}", data={"role": "hr"})
    assert response.status_code == 200
    assert db.session.get(User, admin.id, populate_existing=True).role == "admin"


def test_admin_edit_unknown_user_is_404(login_as, client):
    login_as("admin")
    assert client.get("/admin/konten/999999").status_code == 404


def test_audit_log_lists_logins(login_as, client):
    admin = login_as("admin")
    page = client.get("/admin/protokoll?action=auth.").get_data(as_text=True)
    assert "auth.login" in page and admin.email in page
    assert PASSWORD not in page


def test_invite_employees_creates_accounts_once_and_prints_links(runner, app, make_unit, make_employee,
                                                                 make_user, tmp_path):
    root = make_unit("GB1")
    child = make_unit("12", parent=root)
    other = make_unit("50")
    inside = [make_employee(child), make_employee(root)]
    outside = make_employee(other)
    make_employee(child, is_active=False)
    already = make_user("employee", employee=make_employee(child))
    out = tmp_path / "links.csv"
    result = runner.invoke(args=["users", "invite-employees", "--unit", "GB1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "email;invitation_link"
    emails = {line.split(";")[0] for line in lines[1:]}
    assert emails == {e.email for e in inside}
    assert all("/einladung/" in line for line in lines[1:])
    accounts = db.session.scalars(select(User).where(User.email.in_(emails))).all()
    assert {a.role for a in accounts} == {"employee"} and all(a.password_hash is None for a in accounts)
    assert already.email not in emails and outside.email not in emails
    # again: nobody new in GB1; then the whole organisation picks up the rest
    again = runner.invoke(args=["users", "invite-employees", "--unit", "GB1"])
    assert again.exit_code == 0 and again.stdout.strip() == "email;invitation_link"
    everyone = runner.invoke(args=["users", "invite-employees"])
    assert outside.email in everyone.stdout


def test_invite_employees_unknown_unit(runner, app):
    result = runner.invoke(args=["users", "invite-employees", "--unit", "NOPE"])
    assert result.exit_code == 1
    assert "NOPE" in result.output


def test_invite_employees_file_is_private_and_escaped(runner, app, make_unit, make_employee, tmp_path):
    """The links are passwords for a week: only the owner may read the file (also one that existed,
    readable by all, before); an e-mail that Excel would run as a formula is written as text."""
    unit = make_unit("GB7")
    hostile = make_employee(unit, email="=hyperlink(1)@stadt.example")
    out = tmp_path / "links.csv"
    out.write_text("old")
    out.chmod(0o644)
    result = runner.invoke(args=["users", "invite-employees", "--unit", "GB7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "email;invitation_link"
    assert lines[1].startswith("'" + hostile.email + ";")
