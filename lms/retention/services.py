"""Applying the retention periods: set-based SQL over the rows :mod:`lms.retention.rules` calls due.

One call of :func:`apply` does everything in the caller's transaction (flushes, never commits): the
command commits once, or rolls back everything when anything fails. A dry run counts and changes
nothing. A second run finds nothing left to do (idempotent).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, String, and_, cast, delete, func, literal, or_, select, update

from lms import db
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.auth import throttle
from lms.auth.models import Invitation, User
from lms.db import utcnow
from lms.learning.models import Attempt, AttemptItem
from lms.org import services as org_services
from lms.org.models import Employee
from lms.retention import rules
from lms.training.models import berlin_today


@dataclass
class Report:
    """What a run did (or, dry, would do): counts only, never a name."""

    #: submitted attempts reduced to their result, and the answers (attempt items) deleted from them
    attempts: int = 0
    answers: int = 0
    #: leavers anonymised, their accounts deactivated and anonymised, their invitation links deleted
    leavers: int = 0
    accounts: int = 0
    invitations: int = 0
    #: audit events deleted after the audit period, and login/logout events after the security period
    audit_events: int = 0
    security_events: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- the rules of lms.retention.rules as SQL conditions ---------------------------------------------


def attempts_due(cut: rules.Cutoffs) -> ColumnElement[bool]:
    """:func:`rules.attempt_details_due` in SQL."""
    return and_(Attempt.submitted_at.is_not(None), Attempt.details_removed_at.is_(None),
                Attempt.submitted_at < cut.attempts)


def leavers_due(cut: rules.Cutoffs) -> ColumnElement[bool]:
    """:func:`rules.leaver_due` in SQL."""
    return and_(Employee.is_active.is_(False), Employee.anonymised_at.is_(None),
                or_(and_(Employee.left_on.is_not(None), Employee.left_on < cut.leavers),
                    and_(Employee.left_on.is_(None), Employee.updated_at < cut.leavers_inactive)))


def audit_due(cut: rules.Cutoffs, *, security: bool) -> ColumnElement[bool]:
    """:func:`rules.audit_due` in SQL, for the security events or for all the others."""
    if security:
        return and_(AuditEvent.action.in_(rules.SECURITY_ACTIONS), AuditEvent.occurred_at < cut.security)
    return and_(AuditEvent.action.not_in(rules.SECURITY_ACTIONS | {rules.RETENTION_ACTION}),
                AuditEvent.occurred_at < cut.audit)


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _due_attempt_ids(cut: rules.Cutoffs):
    return select(Attempt.id).where(attempts_due(cut))


def _due_employee_ids(cut: rules.Cutoffs):
    return select(Employee.id).where(leavers_due(cut))


def _due_account_ids(cut: rules.Cutoffs):
    return select(User.id).where(User.employee_id.in_(_due_employee_ids(cut)))


def plan(cut: rules.Cutoffs) -> Report:
    """Count what is due (seven counting queries, nothing changed)."""
    return Report(
        attempts=_count(_due_attempt_ids(cut)),
        answers=_count(select(AttemptItem.id).where(AttemptItem.attempt_id.in_(_due_attempt_ids(cut)))),
        leavers=_count(_due_employee_ids(cut)),
        accounts=_count(_due_account_ids(cut)),
        invitations=_count(select(Invitation.id).where(Invitation.user_id.in_(_due_account_ids(cut)))),
        audit_events=_count(select(AuditEvent.id).where(audit_due(cut, security=False))),
        security_events=_count(select(AuditEvent.id).where(audit_due(cut, security=True))),
    )


def _placeholder(prefix: str, column, suffix: str = ""):
    """``prefix || id || suffix`` in SQL (the same on SQLite and PostgreSQL)."""
    expr = literal(prefix, String) + cast(column, String)
    return expr + literal(suffix, String) if suffix else expr


def apply(periods: rules.Periods, *, dry_run: bool = False, now: datetime | None = None,
          today: date | None = None, actor_label: str = "cli") -> Report:
    """Apply the periods as of ``now`` (UTC) and ``today`` (Europe/Berlin); returns the counts.

    Leavers keep their unit, completions, obligations and certificates (the name printed at issue
    time stays with the completion): every count and aggregate stays true, only the person is no
    longer named. A real run records one audit event with the counts and the periods.
    """
    now = now or utcnow()
    cut = rules.cutoffs(periods, now, today or berlin_today())
    report = plan(cut)
    if dry_run:
        return report
    quiet = {"synchronize_session": False}
    # 1. answers: the attempt keeps score, passed and its dates, and says when its answers went
    db.session.execute(delete(AttemptItem).where(AttemptItem.attempt_id.in_(_due_attempt_ids(cut)))
                       .execution_options(**quiet))
    db.session.execute(update(Attempt).where(attempts_due(cut)).values(details_removed_at=now)
                       .execution_options(**quiet))
    # 2. leavers: accounts and links first (they are found through the not yet anonymised employees)
    accounts = _due_account_ids(cut).scalar_subquery()
    db.session.execute(delete(Invitation).where(Invitation.user_id.in_(accounts)).execution_options(**quiet))
    db.session.execute(
        update(User).where(User.id.in_(_due_account_ids(cut))).values(
            is_active=False, email=_placeholder("anon-account-", User.id, "@" + rules.ANONYMOUS_DOMAIN),
            display_name=f"{rules.ANONYMOUS_FIRST_NAME} {rules.ANONYMOUS_LAST_NAME}",
            password_hash=None, external_issuer=None, external_subject=None, last_login_at=None,
            session_version=User.session_version + 1,  # every session of the account ends
        ).execution_options(**quiet))
    db.session.execute(
        update(Employee).where(leavers_due(cut)).values(
            first_name=rules.ANONYMOUS_FIRST_NAME, last_name=rules.ANONYMOUS_LAST_NAME,
            email=_placeholder("anon-employee-", Employee.id, "@" + rules.ANONYMOUS_DOMAIN),
            personnel_no=_placeholder("anon-", Employee.id),
            position=None, anonymised_at=now,
        ).execution_options(**quiet))
    # 3. the audit log: old events, then login events after their shorter period
    db.session.execute(delete(AuditEvent).where(audit_due(cut, security=False)).execution_options(**quiet))
    db.session.execute(delete(AuditEvent).where(audit_due(cut, security=True)).execution_options(**quiet))
    # housekeeping that also holds personal data: expired staged uploads, stale login counters
    org_services.purge_expired(now)
    throttle.purge_stale(now)
    audit.record(rules.RETENTION_ACTION, actor_label=actor_label,
                 detail={**report.as_dict(), "periods": asdict(periods)})
    db.session.flush()
    db.session.expire_all()
    return report
