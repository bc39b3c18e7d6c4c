"""Finding 5 (low): an admin could give the role ``employee`` to an account with no employee record.

An employee account without an employee record has no unit, no assignments and no place in any
report; the role needs the record, as when the account is created.
"""

from __future__ import annotations

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
