"""``lms retention apply``: answers of old attempts, leavers, audit entries; dry run; idempotence."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from lms import db
from lms.audit.models import AuditEvent
from lms.auth.models import Invitation, User
from lms.learning.models import Attempt, AttemptItem, Completion, ModuleProgress
from lms.org.models import Employee
from lms.retention import rules, services
from lms.training.models import Assignment
from tests.retention.conftest import audit_ids


def periods(app) -> rules.Periods:
    return rules.Periods.from_config(app.config)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table the run may touch, as plain tuples."""
    out = {}
    for model in (Attempt, AttemptItem, Completion, Employee, User, Invitation, AuditEvent, Assignment,
                  ModuleProgress):
        columns = list(model.__table__.columns)
        out[model.__tablename__] = sorted(
            tuple(str(v) for v in row) for row in db.session.execute(select(*columns)))
    db.session.commit()
    return out


def items_of(attempt_id: int) -> int:
    return db.session.scalar(select(func.count()).where(AttemptItem.attempt_id == attempt_id))


def completions_per_course() -> dict[int, int]:
    return dict(db.session.execute(select(Completion.course_id, func.count()).group_by(Completion.course_id)).all())


def test_the_defaults(app):
    assert periods(app) == rules.Periods(365, 730, 1095, 90)


def test_old_submitted_attempts_lose_their_answers_and_keep_their_result(app, world):
    before = {a.id: (a.score, a.passed, a.started_at, a.submitted_at)
              for a in db.session.scalars(select(Attempt))}
    report = services.apply(periods(app))
    db.session.commit()
    assert (report.attempts, report.answers) == (2, 8)  # two attempts of four questions
    for attempt in (world.old_passed, world.stayer_old):
        row = db.session.get(Attempt, attempt.id)
        assert items_of(attempt.id) == 0
        assert row.details_removed_at is not None
        assert (row.score, row.passed, row.started_at, row.submitted_at) == before[attempt.id]
    for attempt in (world.old_open, world.recent):  # open (500 days old) and recent ones keep theirs
        assert items_of(attempt.id) == 4
        assert db.session.get(Attempt, attempt.id).details_removed_at is None


def test_leavers_are_anonymised_after_the_period_only(app, world):
    completions = completions_per_course()
    certificate = db.session.scalar(select(Completion).where(Completion.user_id == world.leaver.id))
    assert certificate is not None and certificate.holder_name == "Lena Weggang"
    version = world.leaver.session_version
    employee_id, user_id = world.leaver.employee_id, world.leaver.id
    left_on = world.leaver.employee.left_on  # 800 days before today (conftest)
    report = services.apply(periods(app))
    db.session.commit()
    assert (report.leavers, report.accounts, report.invitations) == (1, 1, 1)
    employee = db.session.get(Employee, employee_id)
    assert (employee.first_name, employee.last_name) == ("Ehemalige", "Person")
    assert employee.email == rules.anonymous_email("employee", employee_id)
    assert employee.personnel_no == rules.anonymous_personnel_no(employee_id)
    # the dates of employment stay: the aggregate history counts the person without naming them
    assert employee.position is None
    assert (employee.hired_on, employee.left_on) == (date(2020, 1, 1), left_on)
    assert employee.anonymised_at is not None and employee.org_unit_id == world.unit.id
    user = db.session.get(User, user_id)
    assert not user.is_active and user.email == rules.anonymous_email("account", user_id)
    assert user.display_name == "Ehemalige Person" and user.password_hash is None
    assert user.session_version == version + 1
    assert db.session.scalar(select(func.count()).select_from(Invitation)
                             .where(Invitation.user_id == user_id)) == 0
    # the person's certificate still says who earned it; every count stays true
    db.session.refresh(certificate)
    assert (certificate.holder_name, certificate.holder_short) == ("Lena Weggang", "L. Weggang")
    assert completions_per_course() == completions
    # not yet due: left 100 days ago; never: active
    recent = db.session.get(Employee, world.recent_leaver.employee_id)
    assert recent.anonymised_at is None and recent.last_name == "Neu"
    assert db.session.get(Employee, world.stayer.employee_id).last_name == "Bleibt"


def test_leaver_without_left_on_counts_from_the_last_change(app, world):
    employee = db.session.get(Employee, world.recent_leaver.employee_id)
    employee.left_on = None
    employee.updated_at = employee.updated_at - timedelta(days=731)
    db.session.commit()
    # the ORM's onupdate would overwrite updated_at on a later flush: set it in SQL
    db.session.execute(Employee.__table__.update().where(Employee.id == employee.id)
                       .values(updated_at=employee.updated_at))
    db.session.commit()
    assert services.apply(periods(app)).leavers == 2


def test_audit_entries_by_age_and_kind(app, world):
    ids = world.event_ids
    report = services.apply(periods(app))
    db.session.commit()
    assert (report.audit_events, report.security_events) == (1, 2)
    left = audit_ids()
    assert ids["old"] not in left and ids["old_login"] not in left and ids["old_failed"] not in left
    assert {ids["recent"], ids["recent_login"], ids["old_run"]} <= left
    run = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.applied")
                             .order_by(AuditEvent.id.desc())).first()
    assert run.id not in ids.values()
    assert run.detail["leavers"] == 1 and run.detail["periods"]["attempt_days"] == 365
    assert "Weggang" not in str(run.detail)


def test_dry_run_changes_nothing_and_counts_the_same(app, world):
    before = snapshot()
    dry = services.apply(periods(app), dry_run=True)
    db.session.rollback()
    assert snapshot() == before
    real = services.apply(periods(app))
    db.session.commit()
    assert dry == real
    assert dry.attempts and dry.leavers and dry.audit_events and dry.security_events


def test_a_second_run_finds_nothing(app, world):
    services.apply(periods(app))
    db.session.commit()
    before = snapshot()
    again = services.apply(periods(app))
    db.session.commit()
    assert again == services.Report()
    after = snapshot()
    runs_before = [r for r in before["audit_events"] if "retention.applied" in r]
    # the second run adds its own audit event and nothing else changes
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"}
    assert len(after["audit_events"]) == len(before["audit_events"]) + 1
    assert len([r for r in after["audit_events"] if "retention.applied" in r]) == len(runs_before) + 1


def test_shorter_periods_from_configuration(app, world):
    app.config["LMS_RETENTION_ATTEMPT_DAYS"] = 5
    app.config["LMS_RETENTION_LEAVERS_DAYS"] = 50
    report = services.apply(periods(app))
    assert (report.attempts, report.leavers) == (3, 2)


def test_all_or_nothing(app, world, monkeypatch):
    before = snapshot()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "record", broken)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code != 0
    db.session.rollback()
    assert snapshot() == before
