"""Obligations follow rules, imports, leavers, completions and new versions, and keep their history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from lms import db
from lms.learning import services as learning
from lms.learning.models import Completion
from lms.org import services as org_services
from lms.training import queries, services
from lms.training.models import Assignment
from lms.training.rules import Status
from tests.learning.factories import load_attempt, read_all

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def cycles(employee, course_id=None):
    query = select(Assignment).where(Assignment.employee_id == employee.id).order_by(Assignment.cycle)
    if course_id is not None:
        query = query.where(Assignment.course_id == course_id)
    return db.session.scalars(query).all()


def statuses(today=TODAY, now=NOW):
    rows = db.session.execute(queries.obligations_with_status(today, now)).all()
    return {(a.employee_id, a.course_id): status for a, status in rows}


def complete(user, cv, now):
    read_all(user.id, cv)
    attempt = load_attempt(learning.start_attempt(user.id, cv, now=now).id)
    correct = {i.id: [o.id for o in i.question.options if o.is_correct] for i in attempt.items}
    learning.submit(attempt, correct, now=now)
    db.session.commit()
    return db.session.scalars(select(Completion).where(Completion.user_id == user.id)
                              .order_by(Completion.id.desc())).first()


def test_a_rule_reaches_a_subtree_and_a_position_and_says_so_before_it_is_saved(
        app, make_unit, make_employee, make_course):
    cv = make_course()
    city = make_unit()
    office = make_unit(parent=city)
    other = make_unit()
    inside = make_employee(unit=office, position="Sachbearbeiterin Bürgerbüro")
    boss = make_employee(unit=office, position="Amtsleitung")
    make_employee(unit=other, position="Sachbearbeiter Kasse")
    make_employee(unit=office, position="Sachbearbeiter", is_active=False)  # left: never reached
    reach = services.reach(cv.course, unit_path=city.path, position_pattern="sachbearbeiter*")
    assert (reach.covered, reach.already, reach.new) == (1, 0, 1)
    assert services.reach(cv.course, unit_path=None, position_pattern=None).covered == 3
    assert db.session.scalar(select(Assignment.id)) is None  # a preview writes nothing

    rule, made = services.create_rule(cv.course, org_unit_id=city.id, position_pattern="Sachbearbeiter*",
                                      due_days=30, due_on=None, note="", by=None, today=TODAY)
    db.session.commit()
    assert made == 1
    (only,) = db.session.scalars(select(Assignment)).all()
    assert only.employee_id == inside.id and only.rule_id == rule.id and only.due_on == date(2026, 12, 31)
    assert cycles(boss) == []
    # the same rule again reaches no one new: a person has one running obligation per course
    assert services.reach(cv.course, unit_path=city.path, position_pattern="Sachbearbeiter*").new == 0
    assert services.apply_rules(today=TODAY) == 0


def test_a_valid_completion_fulfils_a_new_obligation_at_once(app, make_user, make_course):
    cv = make_course()
    user = make_user()
    complete(user, cv, datetime.now(UTC))
    services.create_rule(cv.course, org_unit_id=None, position_pattern=None, due_days=10, due_on=None,
                         note="", by=None)
    db.session.commit()
    (cycle,) = cycles(user.employee)
    assert cycle.completion_id is not None
    assert statuses(today=org_services.today(), now=datetime.now(UTC))[(user.employee_id, cv.course_id)] \
        == Status.ABGESCHLOSSEN


def test_status_moves_from_offen_to_begonnen_to_abgeschlossen(app, make_user, make_course):
    cv = make_course(modules=2)
    user = make_user()
    services.open_obligations([user.employee_id], cv.course, due_on=TODAY + timedelta(days=5), today=TODAY)
    db.session.commit()
    key = (user.employee_id, cv.course_id)
    assert statuses()[key] == Status.OFFEN
    assert statuses(today=TODAY + timedelta(days=6))[key] == Status.UEBERFAELLIG
    learning.mark_read(user.id, cv.modules[0])
    db.session.commit()
    assert statuses()[key] == Status.BEGONNEN
    now = datetime.now(UTC)
    completion = complete(user, cv, now)
    assert cycles(user.employee)[0].completion_id == completion.id
    assert statuses(now=now + timedelta(minutes=1))[key] == Status.ABGESCHLOSSEN


def test_expiry_opens_a_renewal_cycle_and_keeps_the_first(app, make_user, make_course):
    cv = make_course(validity_months=1)
    user = make_user()
    rule, _ = services.create_rule(cv.course, org_unit_id=None, position_pattern=None, due_days=20,
                                   due_on=None, note="", by=None, today=TODAY)
    db.session.commit()
    done_at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    first = complete(user, cv, done_at)
    key = (user.employee_id, cv.course_id)
    after_expiry = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
    # before the run, the lapsed completion already shows as "abgelaufen"
    assert statuses(today=date(2027, 1, 10), now=after_expiry)[key] == Status.ABGELAUFEN
    assert services.open_renewals(now=after_expiry, today=date(2027, 1, 10)) == 1
    assert services.open_renewals(now=after_expiry, today=date(2027, 1, 10)) == 0  # idempotent
    db.session.commit()
    one, two = cycles(user.employee)
    assert (one.cycle, one.is_current, one.completion_id) == (1, False, first.id)
    assert (two.cycle, two.is_current, two.reason, two.completion_id) == (2, True, "expired", None)
    assert two.opened_on == date(2027, 1, 2) and two.due_on == date(2027, 1, 22)  # 20 days, the rule's
    assert statuses(today=date(2027, 1, 10), now=after_expiry)[key] == Status.ABGELAUFEN
    assert statuses(today=date(2027, 1, 23), now=after_expiry)[key] == Status.UEBERFAELLIG
    second = complete(user, cv, datetime(2027, 1, 12, 9, 0, tzinfo=UTC))
    db.session.refresh(two)
    assert two.completion_id == second.id
    assert statuses(today=date(2027, 1, 12), now=datetime(2027, 1, 12, 10, 0, tzinfo=UTC))[key] \
        == Status.ABGESCHLOSSEN
    assert db.session.get(Completion, first.id) is not None  # the first completion stays


def test_a_major_version_that_requires_renewal_opens_a_cycle_on_import(app, make_user, make_course):
    cv = make_course()
    user = make_user()
    services.open_obligations([user.employee_id], cv.course, due_on=TODAY + timedelta(days=30), today=TODAY)
    db.session.commit()
    complete(user, cv, datetime.now(UTC))
    from lms.catalog.signals import version_imported

    new = make_course(version="2.0.0", course=cv.course)
    new.renewal_major = 2
    db.session.flush()
    version_imported.send(app, course=cv.course, version=new, previous=cv)
    db.session.commit()
    one, two = cycles(user.employee)
    assert one.completion_id is not None and not one.is_current
    assert two.reason == "renewal" and two.completion_id is None and two.is_current


def test_a_plain_major_version_changes_nothing(app, make_user, make_course):
    cv = make_course()
    user = make_user()
    services.open_obligations([user.employee_id], cv.course, due_on=TODAY + timedelta(days=30), today=TODAY)
    db.session.commit()
    complete(user, cv, datetime.now(UTC))
    from lms.catalog.signals import version_imported

    new = make_course(version="2.0.0", course=cv.course)
    new.renewal_major = 1  # a major version without requires_renewal keeps completions valid
    db.session.flush()
    version_imported.send(app, course=cv.course, version=new, previous=cv)
    db.session.commit()
    assert len(cycles(user.employee)) == 1


def test_staff_import_onboards_new_and_moved_staff_and_ends_leavers_obligations(
        app, make_unit, make_employee, make_course):
    cv = make_course()
    social = make_unit(code="50", name="Sozialamt")
    other = make_unit(code="10", name="Hauptamt")
    stays = make_employee(unit=social, personnel_no="100001", first_name="Anna", last_name="Alt",
                          email="anna@stadt.example")
    mover = make_employee(unit=other, personnel_no="100002", first_name="Ben", last_name="Wechsel",
                          email="ben@stadt.example")
    services.create_rule(cv.course, org_unit_id=social.id, position_pattern=None, due_days=30, due_on=None,
                         note="", by=None, today=TODAY)
    db.session.commit()
    assert len(cycles(stays)) == 1 and cycles(mover) == []
    csv = (b"Personalnummer;Vorname;Nachname;E-Mail;Organisationseinheit;Austritt\n"
           b"100001;Anna;Alt;anna@stadt.example;50;2026-01-31\n"
           b"100002;Ben;Wechsel;ben@stadt.example;50;\n"
           b"100003;Cem;Neu;cem@stadt.example;50;\n")
    result = org_services.import_staff(csv, on=TODAY)
    assert result.applied, result.problems
    db.session.commit()
    (left,) = cycles(stays)
    assert left.ended_reason == "left" and left.ended_at is not None and not left.is_current
    assert len(cycles(mover)) == 1 and cycles(mover)[0].is_current
    from lms.org.models import Employee

    cem = db.session.scalar(select(Employee).where(Employee.personnel_no == "100003"))
    assert len(cycles(cem)) == 1
    # a leaver is no longer counted
    assert (stays.id, cv.course_id) not in statuses()


def test_ending_a_rule_ends_its_open_obligations_but_keeps_fulfilled_ones(app, make_user, make_course):
    cv = make_course()
    done, open_ = make_user(), make_user()
    rule, made = services.create_rule(cv.course, org_unit_id=None, position_pattern=None, due_days=30,
                                      due_on=None, note="", by=None)
    db.session.commit()
    assert made >= 2
    complete(done, cv, datetime.now(UTC))
    assert services.end_rule(rule, by=None) == made - 1
    db.session.commit()
    assert cycles(done.employee)[0].ended_at is None
    assert cycles(open_.employee)[0].ended_reason == "rule_ended"
    assert services.apply_rules() == 0  # an ended rule reaches no one


def test_manual_assignment_with_a_note(app, make_user, make_course):
    cv = make_course()
    hr = make_user("hr")
    user = make_user()
    made = services.assign_manually(user.employee, cv.course, due_on=TODAY + timedelta(days=14), by=hr,
                                    note="Neue Aufgabe im Bürgerbüro", today=TODAY)
    db.session.commit()
    assert made is not None and made.assigned_by_id == hr.id and made.note.startswith("Neue")
    assert made.rule_id is None and made.due_on == date(2026, 12, 15)
    # one running obligation per person and course
    assert services.assign_manually(user.employee, cv.course, due_on=TODAY, by=hr, note="", today=TODAY) is None


def test_a_renewal_completed_before_the_daily_run_opens_its_own_cycle(app, make_user, make_course):
    cv = make_course(validity_months=1)
    user = make_user()
    services.open_obligations([user.employee_id], cv.course, due_on=TODAY + timedelta(days=14), today=TODAY)
    db.session.commit()
    first = complete(user, cv, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    second = complete(user, cv, datetime(2027, 2, 2, 9, 0, tzinfo=UTC))  # expired, no run in between
    assert second.id != first.id
    one, two = cycles(user.employee)
    assert (one.completion_id, one.is_current) == (first.id, False)
    assert (two.completion_id, two.is_current, two.reason) == (second.id, True, "expired")
