"""Finding 5 (low): an admin could give the role ``employee`` to an account with no employee record.

An employee account without an employee record has no unit, no assignments and no place in any
report; the role needs the record, as when the account is created.
"""

from __future__ import annotations

import pytest

from lms import db
from lms.auth import services
from lms.auth.models import User


def role_of(user: User) -> str:
    return db.session.get(User, user.id, populate_existing=True).role


def test_admin_cannot_make_an_account_without_employee_record_an_employee(login_as, client, make_user):
    login_as("admin")
    function_account = make_user("committee")
    version = function_account.session_version
    response = client.post(f"/admin/konten/{function_account.id}", data={"role": "employee"})
    assert response.status_code == 200
    assert "Keine Beschäftigten mit der E-Mail-Adresse" in response.get_data(as_text=True)
    fresh = db.session.get(User, function_account.id, populate_existing=True)
    assert fresh.role == "committee" and fresh.session_version == version


def test_cli_cannot_either(runner, make_user):
    user = make_user("author")
    result = runner.invoke(args=["users", "set-role", user.email, "employee"])
    assert result.exit_code == 1
    assert "Keine Beschäftigten mit der E-Mail-Adresse" in result.output
    assert role_of(user) == "author"


def test_an_account_with_employee_record_can_become_an_employee_again(login_as, client, make_user, make_employee):
    login_as("admin")
    person = make_user("employee")
    services.set_role(person, "hr")
    db.session.commit()
    response = client.post(f"/admin/konten/{person.id}", data={"role": "employee"})
    assert response.status_code == 302
    assert role_of(person) == "employee"


# -- someone must be left to manage accounts: the rule lives in services.set_role, which the admin
#    page and `lms users set-role` both go through

def test_admin_page_refuses_to_take_the_admin_role_from_oneself(login_as, client, make_user):
    make_user("admin")  # not the last admin: the refusal is about oneself
    admin = login_as("admin")
    version = db.session.get(User, admin.id).session_version
    response = client.post(f"/admin/konten/{admin.id}", data={"role": "hr"})
    assert response.status_code == 200
    assert "Sie können sich die Administrationsrolle nicht selbst entziehen." in response.get_data(as_text=True)
    fresh = db.session.get(User, admin.id, populate_existing=True)
    assert fresh.role == "admin" and fresh.session_version == version
    assert client.get("/admin/konten").status_code == 200  # still logged in as admin


def test_admin_page_refuses_it_in_english_too(login_as, client, make_user):
    make_user("admin")
    admin = login_as("admin")
    client.post("/sprache", data={"lang": "en", "next": "/"})
    response = client.post(f"/admin/konten/{admin.id}", data={"role": "hr"})
    assert response.status_code == 200
    assert "You cannot remove the administrator role from yourself." in response.get_data(as_text=True)
    assert role_of(admin) == "admin"


def test_cli_refuses_to_take_the_admin_role_from_the_last_active_admin(runner, make_user):
    admin = make_user("admin")
    former = make_user("admin")
    former.is_active = False  # a switched-off admin account manages nothing
    db.session.commit()
    result = runner.invoke(args=["users", "set-role", admin.email, "hr"])
    assert result.exit_code == 1
    assert f"{admin.email} ist das letzte aktive Administrationskonto" in result.output
    assert role_of(admin) == "admin"


def test_cli_may_take_the_admin_role_while_another_admin_remains(runner, make_user):
    admin = make_user("admin")
    make_user("admin")
    result = runner.invoke(args=["users", "set-role", admin.email, "hr"])
    assert result.exit_code == 0, result.output
    assert role_of(admin) == "hr"


def test_service_refuses_both_for_any_caller(app, make_user):
    admin = make_user("admin")
    with pytest.raises(services.RoleError, match="letzte aktive Administrationskonto"):
        services.set_role(admin, "hr", actor_label="cli")
    other = make_user("admin")
    with pytest.raises(services.RoleError, match="nicht selbst entziehen"):
        services.set_role(admin, "hr", by=admin)
    services.set_role(admin, "hr", by=other)
    assert admin.role == "hr"
