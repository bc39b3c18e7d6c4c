"""A small world with something due and something not in every category of the retention run."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lms import db
from lms.audit.models import AuditEvent
from lms.auth import services as auth_services
from lms.db import utcnow
from lms.learning import services as learning
from lms.learning.models import Attempt
from lms.training.models import berlin_today
from tests.learning.factories import create_course, read_all


def correct(attempt: Attempt) -> dict[int, list[int]]:
    return {item.id: [o.id for o in item.question.options if o.is_correct] for item in attempt.items}


def attempt_at(user, cv, days_ago: int, *, submit: bool = True) -> Attempt:
    when = utcnow() - timedelta(days=days_ago)
    attempt = learning.start_attempt(user.id, cv, now=when)
    if submit:
        learning.submit(attempt, correct(attempt), now=when)
    db.session.commit()
    return attempt


def event(action: str, days_ago: int, **fields) -> AuditEvent:
    row = AuditEvent(action=action, actor_label="someone@stadt.example",
                     occurred_at=utcnow() - timedelta(days=days_ago), **fields)
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def world(app, make_user, make_employee, make_unit):
    unit = make_unit()
    cv = create_course()
    leaver = make_user("employee", employee=make_employee(unit, first_name="Lena", last_name="Weggang"))
    stayer = make_user("employee", employee=make_employee(unit, first_name="Bernd", last_name="Bleibt"))
    recent_leaver = make_user("employee", employee=make_employee(unit, first_name="Rita", last_name="Neu"))
    for user in (leaver, stayer):
        read_all(user.id, cv)
    w = SimpleNamespace(unit=unit, cv=cv, leaver=leaver, stayer=stayer, recent_leaver=recent_leaver)
    w.old_passed = attempt_at(leaver, cv, 400)  # due: submitted 400 days ago (and completes the course)
    w.old_open = attempt_at(leaver, cv, 500, submit=False)  # never due: not submitted
    w.recent = attempt_at(stayer, cv, 10)  # not due yet
    w.stayer_old = attempt_at(stayer, cv, 380)  # due, the person stays
    today = berlin_today()
    leaver.employee.is_active = False
    leaver.employee.left_on = today - timedelta(days=800)
    recent_leaver.employee.is_active = False
    recent_leaver.employee.left_on = today - timedelta(days=100)
    db.session.commit()
    w.leaver_token = auth_services.invite(leaver, actor_label="test")
    db.session.commit()
    w.events = {
        "old": event("org.import_staff", 1100), "recent": event("org.import_staff", 10),
        "old_login": event("auth.login", 100, ip="192.0.2.1"), "recent_login": event("auth.login", 10),
        "old_failed": event("auth.login_failed", 200), "old_run": event("retention.applied", 5000),
    }
    w.event_ids = {key: e.id for key, e in w.events.items()}
    return w


def audit_ids() -> set[int]:
    return set(db.session.scalars(select(AuditEvent.id)))
