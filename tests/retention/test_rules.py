"""The pure decisions: what is due given dates and periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.config import ConfigError
from lms.retention import rules

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
PERIODS = rules.Periods(attempt_days=365, leavers_days=730, audit_days=1095, security_days=90)
CUT = rules.cutoffs(PERIODS, NOW, TODAY)


def test_attempt_details_due_only_when_submitted_and_old():
    old = NOW - timedelta(days=366)
    assert rules.attempt_details_due(old, None, CUT)
    assert not rules.attempt_details_due(NOW - timedelta(days=364), None, CUT)
    assert not rules.attempt_details_due(None, None, CUT)  # open: never, however old
    assert not rules.attempt_details_due(old, NOW, CUT)  # already removed


def test_attempt_boundary_is_exclusive():
    assert not rules.attempt_details_due(NOW - timedelta(days=365), None, CUT)
    assert rules.attempt_details_due(NOW - timedelta(days=365, seconds=1), None, CUT)


def test_leaver_due_after_the_period_from_left_on():
    long_ago = TODAY - timedelta(days=731)
    assert rules.leaver_due(False, long_ago, NOW, None, CUT)
    assert not rules.leaver_due(False, TODAY - timedelta(days=730), NOW - timedelta(days=5000), None, CUT)
    assert not rules.leaver_due(True, long_ago, NOW, None, CUT)  # active: never
    assert not rules.leaver_due(False, long_ago, NOW, NOW, CUT)  # anonymised already


def test_leaver_without_left_on_counts_from_the_last_change():
    assert rules.leaver_due(False, None, NOW - timedelta(days=731), None, CUT)
    assert not rules.leaver_due(False, None, NOW - timedelta(days=10), None, CUT)


def test_left_on_wins_over_a_recent_change():
    # a recent change of an old leaver's record does not postpone the anonymisation
    assert rules.leaver_due(False, TODAY - timedelta(days=800), NOW, None, CUT)


@pytest.mark.parametrize(("action", "age", "due"), [
    ("org.import_staff", 1096, True), ("org.import_staff", 1094, False),
    ("auth.login", 91, True), ("auth.login", 89, False), ("auth.login_failed", 91, True),
    ("auth.logout", 91, True), ("auth.login_locked", 91, True),
    ("retention.applied", 5000, False),
])
def test_audit_due(action, age, due):
    assert rules.audit_due(action, NOW - timedelta(days=age), CUT) is due


def test_periods_must_be_positive_whole_days():
    config = {"LMS_RETENTION_ATTEMPT_DAYS": 365, "LMS_RETENTION_LEAVERS_DAYS": 0,
              "LMS_RETENTION_AUDIT_DAYS": 1095, "LMS_RETENTION_SECURITY_DAYS": 90}
    with pytest.raises(ConfigError, match="LMS_RETENTION_LEAVERS_DAYS"):
        rules.Periods.from_config(config)
    config["LMS_RETENTION_LEAVERS_DAYS"] = 730
    assert rules.Periods.from_config(config) == PERIODS


def test_placeholders_are_unique_and_undeliverable():
    assert rules.anonymous_email("employee", 7) != rules.anonymous_email("employee", 8)
    assert rules.anonymous_email("employee", 7).endswith(".invalid")
    assert rules.anonymous_personnel_no(7) == "anon-7"
