"""The status in SQL (:func:`lms.training.queries.status_expression`) equals the pure
:func:`lms.training.rules.status` for every row, on small random data."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lms import db
from lms.auth.models import User
from lms.catalog.models import Course, Module
from lms.learning.models import Attempt, Completion, ModuleProgress
from lms.learning.rules import completion_status
from lms.org.models import Employee, OrgUnit
from lms.training import queries, rules
from lms.training.models import Assignment
from tests.learning.factories import create_course

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)
_seq = itertools.count(1)


@dataclass(frozen=True)
class Cycle:
    cycle: int
    reason: str
    due_offset: int
    assigned_offset: int
    #: None: no completion; else (version major, days of validity left relative to now)
    completion: tuple[int, int] | None
    #: offsets in days (relative to the cycle's assignment) of reads and attempts
    reads: tuple[int, ...]
    attempts: tuple[int, ...]
    has_account: bool


cycles = st.builds(
    Cycle,
    cycle=st.integers(1, 3),
    reason=st.sampled_from([rules.INITIAL, rules.EXPIRED, rules.RENEWAL]),
    due_offset=st.integers(-3, 3),
    assigned_offset=st.integers(-40, 0),
    completion=st.none() | st.tuples(st.integers(1, 2), st.integers(-2, 2)),
    reads=st.lists(st.integers(-5, 5), max_size=2).map(tuple),
    attempts=st.lists(st.integers(-5, 5), max_size=2).map(tuple),
    has_account=st.booleans(),
)


def _expected(c: Cycle, renewal_major: int, assigned_at: datetime) -> rules.Status:
    fulfilled = lapsed = False
    if c.completion is not None:
        major, days_left = c.completion
        valid = completion_status(NOW + timedelta(days=days_left), major, renewal_major, NOW) == "valid"
        fulfilled, lapsed = valid, not valid
    in_cycle = [o for o in c.reads + c.attempts if c.cycle == 1 or assigned_at + timedelta(days=o) >= assigned_at]
    started = c.has_account and bool(in_cycle)
    return rules.status(due_on=TODAY + timedelta(days=c.due_offset), today=TODAY, fulfilled=fulfilled,
                        lapsed=lapsed, renewal_cycle=c.reason != rules.INITIAL, started=started)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(cycles, min_size=1, max_size=8), renewal_major=st.integers(1, 2))
def test_status_in_sql_equals_pure_status(app, specs, renewal_major):
    n = next(_seq)
    v1 = create_course(f"status-{n}", "1.0.0", modules=1)
    v2 = create_course(version="2.0.0", course=v1.course, modules=1)
    v2.renewal_major = renewal_major
    course: Course = v1.course
    versions = {1: v1, 2: v2}
    unit = OrgUnit(code=f"S{n}", name="Einheit")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"/{unit.id}/"
    expected: dict[int, rules.Status] = {}
    for i, c in enumerate(specs):
        employee = Employee(personnel_no=f"S{n}-{i}", first_name="A", last_name="B", email=f"s{n}-{i}@x.example",
                            org_unit=unit)
        db.session.add(employee)
        db.session.flush()
        assigned_at = NOW + timedelta(days=c.assigned_offset)
        completion_id = None
        if c.has_account:
            user = User(email=employee.email, role="employee", employee_id=employee.id)
            db.session.add(user)
            db.session.flush()
            module: Module = v2.modules[0]
            for k, offset in enumerate(c.reads):
                # one read per module and user: the second read is of the old version's module
                read_module = module if k == 0 else v1.modules[0]
                db.session.add(ModuleProgress(user_id=user.id, module_id=read_module.id, course_id=course.id,
                                              module_key=read_module.key,
                                              read_at=assigned_at + timedelta(days=offset)))
            for offset in c.attempts:
                db.session.add(Attempt(user_id=user.id, course_version_id=v2.id,
                                       started_at=assigned_at + timedelta(days=offset)))
            if c.completion is not None:
                major, days_left = c.completion
                completion = Completion(user_id=user.id, course_id=course.id,
                                        course_version_id=versions[major].id,
                                        completed_at=NOW - timedelta(days=1),
                                        valid_until=NOW + timedelta(days=days_left),
                                        certificate_code=secrets.token_hex(12), holder_name="A B")
                db.session.add(completion)
                db.session.flush()
                completion_id = completion.id
        spec = c if c.has_account else Cycle(**{**c.__dict__, "completion": None})
        assignment = Assignment(employee_id=employee.id, course_id=course.id, cycle=c.cycle, reason=c.reason,
                                opened_on=TODAY, due_on=TODAY + timedelta(days=c.due_offset),
                                assigned_at=assigned_at, completion_id=completion_id, is_current=True)
        db.session.add(assignment)
        db.session.flush()
        expected[assignment.id] = _expected(spec, renewal_major, assigned_at)
    db.session.flush()
    rows = db.session.execute(queries.obligations_with_status(TODAY, NOW)
                              .where(Assignment.course_id == course.id)).all()
    got = {a.id: status for a, status in rows}
    assert got == {k: v.value for k, v in expected.items()}
    # the per-person listing computes the same status for running cycles
    for employee_id in db.session.scalars(select(Assignment.employee_id).where(Assignment.course_id == course.id)):
        for a, status, _completion in db.session.execute(queries.employee_cycles(employee_id, TODAY, NOW)):
            assert status == expected[a.id].value
    db.session.rollback()
