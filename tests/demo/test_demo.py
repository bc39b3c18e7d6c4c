"""``lms demo load``: the fictitious city, its accounts, and the refusal on a non-empty database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from lms import db
from lms.auth.models import User
from lms.auth.passwords import policy_problems, verify_password
from lms.catalog.models import Course
from lms.competence.models import CompetenceTarget
from lms.demo import history, services
from lms.learning.models import Completion
from lms.org.models import Employee, OrgUnit


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_load_creates_the_city_and_prints_the_accounts(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    functions = sum(1 for a in services.ACCOUNTS if a.person is None)  # accounts without an employee
    assert (count(OrgUnit), count(Employee), count(User)) == (22, 300, 300 + functions)
    depths = db.session.scalars(select(OrgUnit.depth)).all()
    assert sorted(set(depths)) == [0, 1, 2, 3]
    with_password = db.session.scalars(select(User.email).where(User.password_hash.is_not(None))).all()
    assert sorted(with_password) == sorted(a.email for a in services.ACCOUNTS)
    # every employee has an account (completions belong to accounts); leavers' accounts are closed
    closed = db.session.scalars(select(User.email).where(User.is_active.is_(False))).all()
    assert sorted(closed) == sorted(r[3] for r in services.staff_rows() if r[7])
    for account in services.ACCOUNTS:
        assert account.email in result.stdout
    assert services.PASSWORD in result.stdout
    roles = dict(db.session.execute(select(User.email, User.role)).tuples().all())
    assert {a.email: roles[a.email] for a in services.ACCOUNTS} == {a.email: a.role for a in services.ACCOUNTS}
    assert sorted({a.role for a in services.ACCOUNTS}) == ["admin", "author", "committee", "coordinator", "employee", "hr", "personalrat"]
    demo_emails = {a.email for a in services.ACCOUNTS}
    assert {role for email, role in roles.items() if email not in demo_emails} == {"employee"}


def test_accounts_work_and_coordinator_is_scoped(runner, auth, client):
    runner.invoke(args=["demo", "load"])
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator"))
    assert [s.org_unit.code for s in coordinator.scopes] == ["GB3"]
    assert verify_password(coordinator.password_hash, services.PASSWORD)
    employees = db.session.scalars(select(User).where(User.role == "employee")).all()
    assert all(u.employee is not None for u in employees)
    assert all(u.employee.is_active for u in employees if u.password_hash is not None)
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
    assert len(rows) == 300
    assert len({r[0] for r in rows}) == 300 and len({r[3] for r in rows}) == 300
    assert all(r[3].endswith("@musterstadt.example") for r in rows)
    assert sum(1 for r in rows if r[7]) == 4  # former employees
    assert Counter(r[4] for r in rows) == services.HEADCOUNT
    # small groups for the committee's suppression: a department of 12 with a team of 3
    assert services.HEADCOUNT["14"] + services.HEADCOUNT["14.1"] == 12 and services.HEADCOUNT["14.1"] == 3
    holders = [(r[2], r[1], r[4]) for r in rows[:4]]
    assert holders == [a.person for a in services.ACCOUNTS if a.person is not None]


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
    assert count(Employee) == 300 and count(User) == 300 + sum(1 for a in services.ACCOUNTS if a.person is None)
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
    assert count(Assignment) == 0 and count(Completion) == 0 and count(CompetenceTarget) == 0
    assert "0 mandatory-course assignments, 0 completions in the history, 0 competence targets" in result.output


# --- the learning history ------------------------------------------------------------------------------

TODAY = date(2026, 11, 30)
COURSES = ["ki-grundlagen", *history.FURTHER]


def people() -> list[history.Person]:
    rows = services.staff_rows()
    parents = {code: parent for code, _n, parent in services.UNITS}

    def office(code: str) -> str:
        while parents[code] not in (None, "OB") and parents[parents[code]] not in (None, "OB"):
            code = parents[code]
        return code if parents[code] not in (None, "OB") else "OB"

    return [history.Person(n, office(r[4]), r[4], date.fromisoformat(r[6]), date.fromisoformat(r[7]) if r[7] else None)
            for n, r in enumerate(rows, 1)]


def test_history_plan_is_deterministic_and_possible():
    staff = people()
    planned = history.plan(staff, COURSES, TODAY, services.SEED)
    assert planned == history.plan(staff, COURSES, TODAY, services.SEED)
    assert planned != history.plan(staff, COURSES, TODAY, services.SEED + 1)
    by_id = {p.employee_id: p for p in staff}
    for item in planned:
        person = by_id[item.employee_id]
        day = item.completed_at.date()
        assert day < TODAY and day >= TODAY - timedelta(days=max(history.PILOT_DAYS))
        assert person.hired_on is None or day >= person.hired_on
        assert person.left_on is None or day < person.left_on
    assert {p.course for p in planned} == set(COURSES)
    # several courses per person, a renewal now and then, never the same course twice on one day
    keys = [(p.employee_id, p.course, p.completed_at.date()) for p in planned]
    assert len(keys) == len(set(keys))


def test_history_differs_by_office_and_gains_pace():
    staff = people()
    planned = history.plan(staff, COURSES, TODAY, services.SEED)
    basics = {p.employee_id for p in planned if p.course == "ki-grundlagen"}

    def share(office: str) -> float:
        members = [p.employee_id for p in staff if p.office == office]
        return sum(1 for m in members if m in basics) / len(members)

    assert share("12") > 0.8 > share("50") > share("66")
    start = TODAY - timedelta(days=history.PROGRAMME_DAYS)
    regular = [p.completed_at.date() for p in planned if p.completed_at.date() >= start]
    first_half = sum(1 for d in regular if d < start + timedelta(days=history.PROGRAMME_DAYS // 2))
    assert first_half < len(regular) - first_half  # more completions recently
    pilot = [p for p in planned if p.completed_at.date() < start]
    assert pilot and {p.course for p in pilot} == set(history.PILOT_COURSES)


def test_demo_with_courses_has_a_history_the_committee_can_count(runner):
    from lms.competence import queries as competence_queries
    from lms.competence.models import PersonContribution
    from lms.competence.summaries import COURSE, HEAD
    from lms.learning.models import Attempt
    from lms.learning.summaries import today

    assert runner.invoke(args=["courses", "import"]).exit_code == 0
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    done = count(Completion)
    assert done > 400 and f"{done} completions in the history" in result.output
    now = datetime.now(UTC)
    completions = db.session.scalars(select(Completion)).all()
    assert len({c.certificate_code for c in completions}) == done
    assert any(c.valid_until < now for c in completions)  # some expired
    assert all(c.completed_at < now for c in completions)
    passed = {a.id: a for a in db.session.scalars(select(Attempt).where(Attempt.passed.is_(True)))}
    assert all(c.attempt_id in passed and passed[c.attempt_id].submitted_at == c.completed_at for c in completions)
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.passed.is_(False))) > 0
    # the demo accounts' holders start with a clean slate (the README's tour)
    holders = [a.email for a in services.ACCOUNTS if a.person is not None]
    assert not db.session.scalars(select(Completion).join(User, User.id == Completion.user_id)
                                  .where(User.email.in_(holders))).all()
    targets = db.session.execute(select(CompetenceTarget.area_key, CompetenceTarget.level, OrgUnit.code)
                                 .outerjoin(OrgUnit, OrgUnit.id == CompetenceTarget.org_unit_id)).all()
    assert sorted(targets, key=str) == sorted([("grundlagen", 1, None), ("recht", 2, "50")], key=str)
    # the summaries are built: their counts today equal a count over the records
    assert count(PersonContribution) == 300
    day = today()
    rows = db.session.execute(competence_queries.unit_counts(
        day, db.session.scalar(competence_queries.last_checkpoint(day)))).all()
    units = dict(db.session.execute(select(OrgUnit.id, OrgUnit.code)).tuples().all())
    heads = {units[u]: n for u, m, _k, _lv, n in rows if m == HEAD}
    assert heads["14.1"] == 3 and heads["14"] == 9
    holding = sum(n for _u, m, k, _lv, n in rows if m == COURSE and k == "ki-grundlagen")
    valid = db.session.scalar(
        select(func.count(func.distinct(Completion.user_id))).join(User, User.id == Completion.user_id)
        .join(Employee, Employee.id == User.employee_id).join(Course, Course.id == Completion.course_id)
        .where(Course.slug == "ki-grundlagen", Completion.valid_until > now, Employee.is_active.is_(True)))
    assert holding == valid > 100
