"""Clause 2 of the Dienstvereinbarung (docs/dv.md): an overdue training has no automated consequence.
The only thing the software does about it is a reminder to the person (and the coordinators' digest);
the account, its role, the employee record and the obligation stay as they were."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.org.models import Employee
from lms.training.models import Assignment
from tests.smtp import smtp_config, smtp_server  # noqa: F401

TODAY = date(2027, 3, 1)


@pytest.fixture
def app_config(app_config, smtp_server):  # noqa: F811
    return {**app_config, **smtp_config(smtp_server.port), "LMS_BASE_URL": "https://lernen.example.org"}


def snapshot(user_id: int, employee_id: int, assignment_id: int) -> tuple:
    user = db.session.get(User, user_id, populate_existing=True)
    employee = db.session.get(Employee, employee_id, populate_existing=True)
    assignment = db.session.get(Assignment, assignment_id, populate_existing=True)
    state = ((user.is_active, user.role, user.session_version, user.password_hash),
             (employee.is_active, employee.org_unit_id, employee.position, employee.left_on),
             (assignment.is_current, assignment.ended_at, assignment.due_on, assignment.completion_id))
    db.session.commit()
    return state


def test_a_long_overdue_training_only_brings_a_reminder(app, runner, smtp_server, make_user, make_course,  # noqa: F811
                                                         oblige):
    user = make_user("employee")
    cv = make_course(title="Pflichtkurs")
    assignment = oblige(user.employee, cv, TODAY - timedelta(days=400), today=TODAY - timedelta(days=500))
    before = snapshot(user.id, user.employee.id, assignment.id)
    result = runner.invoke(args=["reminders", "send", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert [m["Subject"] for m in smtp_server.mailbox.to(user.email)] == ["Überfällig: Pflichtkurs"]
    assert snapshot(user.id, user.employee.id, assignment.id) == before
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert actions <= {"training.reminders_sent", "training.digests_sent", "auth.user_created"}, actions
