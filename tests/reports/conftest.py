"""A small organisation with mandatory courses in every status, for HR's views."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from lms import db
from lms.auth.models import User
from lms.db import utcnow
from lms.learning.models import Completion
from lms.org.services import today as berlin_today
from lms.training import services as training
from lms.training.models import Assignment
from tests.learning.factories import create_course


@pytest.fixture
def city(app, make_unit, make_employee):
    """Units R > A, R > B; C separate. Staff: Anna Schmidt (A), Jörg Schäfer, Eva Schröder, Ole Schubert
    (B), Zoe Außen (C). Course "basis" for everyone, "daten" for B; Schäfer overdue in both, Schröder
    completed "basis"."""
    root = make_unit("R", "Rathaus")
    a = make_unit("A", "Amt für Ordnung", parent=root)
    b = make_unit("B", "Bürgerbüro", parent=root)
    c = make_unit("C", "Außenstelle")
    people = {
        "schmidt": make_employee(a, first_name="Anna", last_name="Schmidt", personnel_no="1001"),
        "schaefer": make_employee(b, first_name="Jörg", last_name="Schäfer", personnel_no="1002"),
        "schroeder": make_employee(b, first_name="Eva", last_name="Schröder", personnel_no="1003"),
        "schubert": make_employee(b, first_name="Ole", last_name="Schubert", personnel_no="=1+1"),
        "aussen": make_employee(c, first_name="Zoe", last_name="Außen", personnel_no="1005"),
    }
    basis = create_course("basis", title="KI-Grundlagen").course
    daten = create_course("daten", title="Daten und KI").course
    today = berlin_today()
    training.open_obligations([e.id for e in people.values()], basis, due_on=today + timedelta(days=10))
    training.open_obligations([e.id for k, e in people.items() if k in ("schaefer", "schroeder", "schubert")],
                              daten, due_on=today + timedelta(days=20))
    for assignment in db.session.query(Assignment).filter(Assignment.employee_id == people["schaefer"].id):
        assignment.due_on = today - timedelta(days=3)
    user = User(email=people["schroeder"].email, role="employee", employee_id=people["schroeder"].id)
    db.session.add(user)
    db.session.flush()
    completion = Completion(user_id=user.id, course_id=basis.id, course_version_id=basis.current_version_id,
                            completed_at=utcnow() - timedelta(days=1), valid_until=utcnow() + timedelta(days=700),
                            certificate_code=secrets.token_hex(13), holder_name="Eva Schröder")
    db.session.add(completion)
    db.session.flush()
    training.fulfil(completion)
    db.session.commit()
    return {"units": {"R": root, "A": a, "B": b, "C": c}, "people": people, "courses": {"basis": basis,
                                                                                        "daten": daten}}
