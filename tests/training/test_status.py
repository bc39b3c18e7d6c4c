"""The status of an obligation's current cycle: one pure function decides."""

from __future__ import annotations

from datetime import date

import pytest

from lms.training import rules
from lms.training.rules import Status

TODAY = date(2026, 12, 1)


def status(**kw):
    values = dict(due_on=date(2026, 12, 15), today=TODAY, fulfilled=False, lapsed=False, renewal_cycle=False,
                  started=False)
    values.update(kw)
    return rules.status(**values)


@pytest.mark.parametrize(("kw", "expected"), [
    ({}, Status.OFFEN),
    ({"started": True}, Status.BEGONNEN),
    ({"fulfilled": True}, Status.ABGESCHLOSSEN),
    ({"fulfilled": True, "due_on": date(2026, 1, 1)}, Status.ABGESCHLOSSEN),  # late but done
    ({"due_on": date(2026, 11, 30)}, Status.UEBERFAELLIG),
    ({"due_on": date(2026, 11, 30), "started": True}, Status.UEBERFAELLIG),
    ({"due_on": TODAY}, Status.OFFEN),  # due today is not yet overdue
    ({"lapsed": True}, Status.ABGELAUFEN),
    ({"renewal_cycle": True, "started": True}, Status.ABGELAUFEN),
    ({"renewal_cycle": True, "due_on": date(2026, 11, 1)}, Status.UEBERFAELLIG),
    # fulfilled in time, since lapsed: the renewal cycle brings its own due date
    ({"lapsed": True, "due_on": date(2026, 11, 1)}, Status.ABGELAUFEN),
])
def test_status(kw, expected):
    assert status(**kw) is expected


def test_every_status_is_reachable_and_german():
    assert {s.value for s in Status} == {"offen", "begonnen", "abgeschlossen", "ueberfaellig", "abgelaufen"}


def test_first_due_date_by_days_or_fixed_date():
    assert rules.first_due_on(today=TODAY, due_days=30, fixed_due_on=None) == date(2026, 12, 31)
    assert rules.first_due_on(today=TODAY, due_days=None, fixed_due_on=date(2027, 3, 1)) == date(2027, 3, 1)
    # someone reached after the fixed day gets the fallback period, never an overdue first day
    assert rules.first_due_on(today=TODAY, due_days=None, fixed_due_on=date(2026, 11, 1),
                              fallback_days=14) == date(2026, 12, 15)


def test_renewal_due_date():
    assert rules.renewal_due_on(opened_on=TODAY, due_days=10) == date(2026, 12, 11)
    assert rules.renewal_due_on(opened_on=TODAY, due_days=None, fallback_days=30) == date(2026, 12, 31)


@pytest.mark.parametrize(("pattern", "position", "expected"), [
    ("Sachbearbeiter*", "Sachbearbeiterin Bürgerbüro", True),
    ("sachbearbeiter*", "SACHBEARBEITER", True),
    ("*leitung*", "Amtsleitung", True),
    ("Amtsleitung", "Amtsleitung Stellvertretung", False),
    ("Amtsleitung", "amtsleitung", True),
    ("50%", "500", False),  # % and _ are text, not wildcards
    ("a_c", "abc", False),
    ("*", None, False),
    ("ärztin*", "Ärztin im Gesundheitsamt", True),
])
def test_position_patterns(pattern, position, expected):
    assert rules.position_matches(pattern, position) is expected
