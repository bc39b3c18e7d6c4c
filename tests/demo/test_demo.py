"""``lms demo load``: the fictitious city, its accounts, and the refusal on a non-empty database."""

from __future__ import annotations

from sqlalchemy import func, select

from lms import db
from lms.auth.models import User
from lms.auth.passwords import policy_problems, verify_password
from lms.demo import services
from lms.org.models import Employee, OrgUnit


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_load_creates_the_city_and_prints_the_accounts(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert (count(OrgUnit), count(Employee), count(User)) == (13, 60, 8)
    depths = db.session.scalars(select(OrgUnit.depth)).all()
    assert sorted(set(depths)) == [0, 1, 2]
    for account in services.ACCOUNTS:
        assert account.email in result.stdout
    assert services.PASSWORD in result.stdout
    roles = dict(db.session.execute(select(User.email, User.role)).tuples().all())
    assert sorted(roles.values()) == ["admin", "author", "committee", "coordinator", "employee", "employee", "hr",
                                      "personalrat"]


def test_accounts_work_and_coordinator_is_scoped(runner, auth, client):
    runner.invoke(args=["demo", "load"])
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator"))
    assert [s.org_unit.code for s in coordinator.scopes] == ["GB3"]
    assert verify_password(coordinator.password_hash, services.PASSWORD)
    employees = db.session.scalars(select(User).where(User.role == "employee")).all()
    assert all(u.employee is not None and u.employee.is_active for u in employees)
    db.session.commit()
    assert auth.login(coordinator.email, services.PASSWORD).status_code == 302
    page = client.get("/organisation/beschaeftigte").get_data(as_text=True)
    assert "Kaya, Mehmet" in page  # Umweltamt is in GB3
    assert "Schmidt, Anna" not in page  # Bürgeramt is in GB1


def test_the_published_demo_password_is_refused_by_the_policy(app):
    """The loader sets it past the policy on purpose (fictitious accounts, empty database only);
    nobody can choose it for an account (finding 5 of the security review)."""
    for account in services.ACCOUNTS:
        assert policy_problems(account.password, email=account.email), account.email


def test_staff_is_deterministic_plausible_and_fictitious():
    rows = services.staff_rows()
    assert rows == services.staff_rows()
    assert len(rows) == 60
    assert len({r[0] for r in rows}) == 60 and len({r[3] for r in rows}) == 60
    assert all(r[3].endswith("@musterstadt.example") for r in rows)
    assert sum(1 for r in rows if r[7]) == 2  # two former employees
    assert {r[4] for r in rows} <= {code for code, _n, _p in services.UNITS}


def test_refuses_a_database_with_data(runner, make_employee):
    make_employee()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "only loaded into an empty database" in result.stderr
    assert count(User) == 0 and count(Employee) == 1


def test_refuses_a_database_with_accounts_only(runner, make_user):
    make_user("admin")
    assert runner.invoke(args=["demo", "load"]).exit_code == 1


def test_if_empty_is_a_no_op_the_second_time(runner):
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0
    assert again.stdout.startswith("demo data already present")
    assert "admin@musterstadt.example" in again.stdout and services.PASSWORD in again.stdout
    assert count(Employee) == 60 and count(User) == len(services.ACCOUNTS)
    assert runner.invoke(args=["demo", "load"]).exit_code == 1


def test_if_empty_on_real_data(runner, make_employee):
    make_employee()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "the database already holds data (no demo accounts): demo not loaded"
    assert count(Employee) == 1


def test_demo_assigns_mandatory_courses_when_imported(runner):
    from datetime import date, timedelta

    from lms.training.models import Assignment

    imported = runner.invoke(args=["courses", "import"])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    active = db.session.scalar(select(func.count()).select_from(Employee).where(Employee.is_active.is_(True)))
    by_course = dict(db.session.execute(
        select(Assignment.course_id, func.count()).group_by(Assignment.course_id)).tuples().all())
    assert max(by_course.values()) == active  # the basics course for everyone
    assert len(by_course) == 3
    overdue = db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.due_on < date.today()))  # noqa: DTZ011
    assert overdue > 0
    assert db.session.scalar(select(func.max(Assignment.due_on))) == date.today() + timedelta(days=70)  # noqa: DTZ011


def test_demo_without_courses_makes_no_assignments(runner):
    from lms.training.models import Assignment

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert count(Assignment) == 0
    assert "0 mandatory-course assignments" in result.output
