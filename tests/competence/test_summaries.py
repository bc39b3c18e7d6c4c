"""The per-unit summaries: each person's contribution (pure), and the maintained rows equal to a full
recomputation and to an independent count per person after random sequences of events."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from lms import db
from lms.auth import services as auth_services
from lms.catalog.models import Course
from lms.competence import queries as competence_queries
from lms.competence import services as competence_services
from lms.competence.models import (
    CompetenceLevel,
    CompetenceTarget,
    PersonContribution,
    UnitChange,
    UnitCheckpoint,
)
from lms.competence.profile import CompletionFacts, competence_profile
from lms.competence.summaries import (
    AREA,
    COURSE,
    HEAD,
    TARGET,
    PersonFacts,
    Span,
    Target,
    contribution,
    counts_on,
    targets_of,
)
from lms.learning import services as learning_services
from lms.learning import summaries
from lms.learning.models import Completion
from lms.learning.rules import add_months
from lms.org.models import Employee, OrgUnit
from tests.learning.factories import create_course

BERLIN = ZoneInfo("Europe/Berlin")
D = date(2026, 3, 10)


def person(spans=(), first=date(2020, 1, 1), last=None, path="/1/", position=None) -> PersonFacts:
    return PersonFacts(1, 1, path, position, first, last, tuple(spans))


def test_a_member_without_completions_counts_once_in_the_headcount():
    assert contribution(person()) == {(HEAD, "", 0, date(2020, 1, 1)): 1}


def test_a_completion_counts_from_its_day_until_it_expires():
    span = Span("ki", {"grundlagen": 2}, D, D + timedelta(days=365))
    changes = contribution(person([span]))
    assert changes[(AREA, "grundlagen", 2, D)] == 1
    assert changes[(AREA, "grundlagen", 2, D + timedelta(days=365))] == -1
    assert changes[(COURSE, "ki", 1, D)] == 1
    assert counts_on(changes.items(), D - timedelta(days=1)) == {(HEAD, "", 0): 1}
    assert counts_on(changes.items(), D + timedelta(days=364))[(AREA, "grundlagen", 2)] == 1
    assert (AREA, "grundlagen", 2) not in counts_on(changes.items(), D + timedelta(days=365))


def test_the_highest_level_of_valid_completions_counts_and_a_renewal_replaces_the_earlier_one():
    basics = Span("ki", {"grundlagen": 1}, D, D + timedelta(days=100), (1,))
    advanced = Span("ki-plus", {"grundlagen": 3}, D + timedelta(days=10), D + timedelta(days=50), (2,))
    # renewed early with a version that awards less: from then on the newer completion counts
    renewed = Span("ki", {"grundlagen": 1, "recht": 1}, D + timedelta(days=60), D + timedelta(days=400), (3,))
    changes = contribution(person([basics, advanced, renewed]))
    on = lambda d: counts_on(changes.items(), d)  # noqa: E731
    assert on(D)[(AREA, "grundlagen", 1)] == 1
    assert on(D + timedelta(days=20)) == {(HEAD, "", 0): 1, (AREA, "grundlagen", 3): 1, (COURSE, "ki", 1): 1,
                                          (COURSE, "ki-plus", 1): 1}
    assert on(D + timedelta(days=70)) == {(HEAD, "", 0): 1, (AREA, "grundlagen", 1): 1, (AREA, "recht", 1): 1,
                                          (COURSE, "ki", 1): 1}
    # the earlier completion's own expiry (day 100) changes nothing: it was replaced on day 60
    assert on(D + timedelta(days=150)) == on(D + timedelta(days=70))


def test_leaving_ends_every_count_and_a_target_is_met_from_the_completion_on():
    span = Span("ki", {"grundlagen": 2}, D, D + timedelta(days=365))
    targets = [Target("grundlagen", 2), Target("recht", 1, unit_path="/9/")]
    changes = contribution(person([span], last=D + timedelta(days=30)), targets)
    on = lambda d: counts_on(changes.items(), d)  # noqa: E731
    assert on(D - timedelta(days=1)) == {(HEAD, "", 0): 1, (TARGET, "grundlagen", 0): 1}
    assert on(D)[(TARGET, "grundlagen", 1)] == 1
    assert on(D + timedelta(days=30)) == {}


def test_targets_reach_by_unit_subtree_and_position_and_the_highest_wins():
    targets = [Target("recht", 1), Target("recht", 3, unit_path="/1/2/"), Target("ethik", 2, position_pattern="Sach*"),
               Target("recht", 4, unit_path="/7/")]
    assert targets_of("/1/2/5/", "Sachbearbeiterin", targets) == {"recht": 3, "ethik": 2}
    assert targets_of("/1/", "Amtsleiter", targets) == {"recht": 1}


# --- the maintained rows ------------------------------------------------------------------------------


_seq = itertools.count(1)


def _unit_counts(day: date, units=None) -> dict[tuple[int, str, str, int], int]:
    checkpoint = db.session.scalar(competence_queries.last_checkpoint(day))
    return {(u, m, k, lv): int(n) for u, m, k, lv, n in
            db.session.execute(competence_queries.unit_counts(day, checkpoint)) if n and (units is None or u in units)}


def _oracle(day: date, units) -> dict[tuple[int, str, str, int], int]:
    """Counted per person from the records, with the profile's own rule, independent of the sweep."""
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), BERLIN).astimezone(UTC) - timedelta(seconds=1)
    targets = summaries.targets()
    result: dict[tuple[int, str, str, int], int] = defaultdict(int)
    users = {u.employee_id: u.id for u in db.session.scalars(select(auth_services.User)) if u.employee_id}
    areas = [a.key for a in db.session.scalars(competence_queries.areas())]
    for employee in db.session.scalars(select(Employee).where(Employee.org_unit_id.in_(units))):
        first = employee.hired_on or employee.created_at.astimezone(BERLIN).date()
        done = db.session.scalars(select(Completion).where(Completion.user_id == users.get(employee.id, -1))).all()
        first = min([first, *(c.completed_at.astimezone(BERLIN).date() for c in done)])
        last = employee.left_on
        if not (first <= day and (last is None or day < last)):
            continue
        unit = employee.org_unit_id
        result[(unit, HEAD, "", 0)] += 1
        facts = [CompletionFacts(c.course.slug, c.course.slug, dict(c.awards), c.completed_at, c.valid_until,
                                 c.course_version.major, c.course.current_version.renewal_major)
                 for c in done if c.completed_at.astimezone(BERLIN).date() <= day]
        profile = competence_profile(areas, facts, end_of_day)
        levels = {a.area: a.level for a in profile.areas}
        for area, level in levels.items():
            if level:
                result[(unit, AREA, area, level)] += 1
        latest: dict[str, CompletionFacts] = {}
        for fact in sorted(facts, key=lambda f: f.completed_at):
            latest[fact.course_slug] = fact
        for slug, fact in latest.items():
            if fact.is_valid(end_of_day):
                result[(unit, COURSE, slug, 1)] += 1
        for area, wanted in targets_of(employee.org_unit.path, employee.position, targets).items():
            result[(unit, TARGET, area, 0)] += 1
            if levels.get(area, 0) >= wanted:
                result[(unit, TARGET, area, 1)] += 1
    return {k: v for k, v in result.items() if v}


def _reset() -> None:
    db.session.rollback()
    for model in (UnitCheckpoint, UnitChange, PersonContribution, CompetenceTarget):
        db.session.execute(delete(model))
    for level in range(1, 5):
        if db.session.get(CompetenceLevel, level) is None:
            db.session.add(CompetenceLevel(level=level, key=f"l{level}", name_de=f"Stufe {level}",
                                           name_en=f"Level {level}"))
    db.session.commit()


events = st.lists(st.tuples(
    st.sampled_from(["complete", "complete", "complete", "move", "leave", "target", "end_target", "checkpoint"]),
    st.integers(0, 5),  # which employee
    st.integers(-500, 0),  # days from today (the completion's day)
    st.sampled_from([1, 6, 12]),  # validity in months
    st.integers(0, 2),  # which course / unit / level
), min_size=1, max_size=14)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=events)
def test_maintained_rows_equal_recomputation_and_an_independent_count(app, make_unit, make_employee, events):
    _reset()
    today = summaries.today()
    root = make_unit()
    units = [make_unit(parent=root), make_unit(parent=root), root]
    courses = [create_course(awards={"grundlagen": 1}), create_course(awards={"grundlagen": 3}),
               create_course(awards={"grundlagen": 2})]
    staff = []
    for i in range(6):
        employee = make_employee(units[i % 3], position="Sachbearbeitung" if i % 2 else "Leitung",
                                 hired_on=today - timedelta(days=400 + 40 * i))
        staff.append((employee, auth_services.create_user(employee.email, "employee")))
    summaries.sync([e.id for e, _u in staff])
    db.session.commit()
    for kind, who, days, months, which in events:
        employee, user = staff[who]
        if kind == "complete":
            cv = courses[which]
            at = datetime.combine(today + timedelta(days=days), time(10), BERLIN).astimezone(UTC)
            db.session.add(Completion(user_id=user.id, course_id=cv.course_id, course_version_id=cv.id,
                                      completed_at=at, valid_until=add_months(at, months),
                                      awards=dict(cv.awards), certificate_code=learning_services.new_certificate_code(),
                                      holder_name="X"))
            db.session.flush()
            summaries.sync([employee.id])
        elif kind == "move":
            employee.org_unit_id = units[which].id
            db.session.flush()
            db.session.expire(employee, ["org_unit"])
            summaries.sync([employee.id])
        elif kind == "leave" and employee.left_on is None:
            employee.left_on = today + timedelta(days=days // 10)
            employee.is_active = employee.left_on > today
            db.session.flush()
            summaries.sync([employee.id])
        elif kind == "target":
            db.session.add(CompetenceTarget(area_key="grundlagen", level=which + 1,
                                            org_unit_id=units[which].id if which < 2 else None,
                                            position_pattern="Sach*" if which == 1 else None))
            db.session.flush()
            summaries.sync_all()
        elif kind == "end_target":
            target = db.session.scalars(select(CompetenceTarget).where(CompetenceTarget.ended_at.is_(None))).first()
            if target is not None:
                target.ended_at = datetime.now(UTC)
                db.session.flush()
                summaries.sync_all()
        elif kind == "checkpoint":
            competence_services.extend_checkpoints(today)
        db.session.commit()
    days = [today - timedelta(days=n) for n in (600, 450, 300, 200, 95, 40, 31, 1, 0)] + [today.replace(day=1)]
    ids = {u.id for u in units}
    maintained = {day: _unit_counts(day, ids) for day in days}
    for day in days:
        assert maintained[day] == _oracle(day, ids), day
    summaries.rebuild()
    db.session.commit()
    assert {day: _unit_counts(day, ids) for day in days} == maintained


def test_a_passed_quiz_updates_the_unit_in_the_same_transaction(app, make_unit, make_employee):
    from tests.learning.factories import answers, load_attempt, read_all

    _reset()
    unit = make_unit()
    employee = make_employee(unit)
    user = auth_services.create_user(employee.email, "employee")
    cv = create_course(awards={"grundlagen": 2}, questions=4, per_attempt=4)
    db.session.commit()
    read_all(user.id, cv)
    attempt = learning_services.start_attempt(user.id, cv)
    db.session.commit()
    loaded = load_attempt(attempt.id)
    learning_services.submit(loaded, {int(k[5:]): [int(v) for v in vs] for k, vs in answers(loaded).items()})
    db.session.commit()
    counts = _unit_counts(summaries.today())
    assert counts[(unit.id, AREA, "grundlagen", 2)] == 1
    assert counts[(unit.id, COURSE, db.session.get(Course, cv.course_id).slug, 1)] == 1


def test_a_staff_import_that_moves_someone_moves_their_counts(app, make_unit, make_employee):
    from lms.org import services as org_services

    _reset()
    a, b = make_unit(code=f"A{next(_seq)}"), make_unit(code=f"B{next(_seq)}")
    employee = make_employee(a, personnel_no="M-1", first_name="Mia", last_name="Moser", email="mia@stadt.example")
    summaries.sync([employee.id])
    db.session.commit()
    csv = f"personnel_no;first_name;last_name;email;org_unit\nM-1;Mia;Moser;mia@stadt.example;{b.code}\n"
    result = org_services.import_staff(csv.encode(), filename="x.csv")
    assert result.applied
    db.session.commit()
    counts = _unit_counts(summaries.today())
    assert counts.get((a.id, HEAD, "", 0)) is None
    assert counts[(b.id, HEAD, "", 0)] == 1
    assert db.session.get(OrgUnit, b.id) is not None
