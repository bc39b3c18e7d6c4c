"""What is due for deletion or anonymisation, given dates and the retention settings. Pure: no I/O.

The services turn the same decisions into set-based SQL (:mod:`lms.retention.services`); the tests
check both agree on the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from lms.config import ConfigError

#: audit actions of login, logout and refused logins: security events with their own, shorter period
#: (``LMS_RETENTION_SECURITY_DAYS``); login times and addresses are a behaviour profile otherwise
SECURITY_ACTIONS = frozenset({"auth.login", "auth.logout", "auth.login_failed", "auth.login_locked",
                              "auth.login_deactivated"})
#: the action of a retention run; its events are kept (proof that and what was deleted)
RETENTION_ACTION = "retention.applied"

#: what an anonymised person is called everywhere the application shows a name
ANONYMOUS_FIRST_NAME = "Ehemalige"
ANONYMOUS_LAST_NAME = "Person"
#: a reserved top-level domain (RFC 2606): never deliverable, never someone's address
ANONYMOUS_DOMAIN = "anonymisiert.invalid"


@dataclass(frozen=True)
class Periods:
    """The retention periods in days (``LMS_RETENTION_*``)."""

    attempt_days: int
    leavers_days: int
    audit_days: int
    security_days: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Periods:
        periods = cls(config["LMS_RETENTION_ATTEMPT_DAYS"], config["LMS_RETENTION_LEAVERS_DAYS"],
                      config["LMS_RETENTION_AUDIT_DAYS"], config["LMS_RETENTION_SECURITY_DAYS"])
        for key, value in (("LMS_RETENTION_ATTEMPT_DAYS", periods.attempt_days),
                           ("LMS_RETENTION_LEAVERS_DAYS", periods.leavers_days),
                           ("LMS_RETENTION_AUDIT_DAYS", periods.audit_days),
                           ("LMS_RETENTION_SECURITY_DAYS", periods.security_days)):
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be a whole number of days of at least 1, not {value!r}")
        return periods


@dataclass(frozen=True)
class Cutoffs:
    """Everything before these instants (dates for leavers) is due."""

    attempts: datetime
    leavers: date
    leavers_inactive: datetime
    audit: datetime
    security: datetime


def cutoffs(periods: Periods, now: datetime, today: date) -> Cutoffs:
    """``now`` in UTC, ``today`` the calendar day in Europe/Berlin (``left_on`` is a local date)."""
    return Cutoffs(
        attempts=now - timedelta(days=periods.attempt_days),
        leavers=today - timedelta(days=periods.leavers_days),
        leavers_inactive=now - timedelta(days=periods.leavers_days),
        audit=now - timedelta(days=periods.audit_days),
        security=now - timedelta(days=periods.security_days),
    )


def attempt_details_due(submitted_at: datetime | None, details_removed_at: datetime | None,
                        cut: Cutoffs) -> bool:
    """The answers of a submitted attempt are removed once its submission is older than the period.
    An open attempt (not submitted) is never touched, whatever its age."""
    return submitted_at is not None and details_removed_at is None and submitted_at < cut.attempts


def leaver_due(is_active: bool, left_on: date | None, updated_at: datetime, anonymised_at: datetime | None,
               cut: Cutoffs) -> bool:
    """An inactive person is anonymised once they left longer ago than the period. Without a leaving
    date the reference is the last change of the record (at the latest, when it became inactive)."""
    if is_active or anonymised_at is not None:
        return False
    if left_on is not None:
        return left_on < cut.leavers
    return updated_at < cut.leavers_inactive


def audit_due(action: str, occurred_at: datetime, cut: Cutoffs) -> bool:
    """Audit events go after the audit period, security events (logins) after their own period;
    the retention runs' own events stay."""
    if action == RETENTION_ACTION:
        return False
    if action in SECURITY_ACTIONS:
        return occurred_at < cut.security
    return occurred_at < cut.audit


def anonymous_personnel_no(employee_id: int) -> str:
    return f"anon-{employee_id}"


def anonymous_email(kind: str, row_id: int) -> str:
    """A unique, undeliverable address for an anonymised employee (``kind`` "employee") or account."""
    return f"anon-{kind}-{row_id}@{ANONYMOUS_DOMAIN}"
