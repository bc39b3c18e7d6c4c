"""The coordinators' weekly digest: counts per course for their subtrees only, no names, once per week."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.training.models import Notification
from tests.smtp import html_part, smtp_config, smtp_server, text_part  # noqa: F401

MONDAY = date(2027, 3, 1)


@pytest.fixture
def app_config(app_config, smtp_server):  # noqa: F811
    return {**app_config, **smtp_config(smtp_server.port), "LMS_DIGEST_WEEKDAY": 1}


@pytest.fixture
def city(make_unit, make_employee, make_user, make_course, oblige):
    top = make_unit(code="A", name="Amt A")
    sub = make_unit(code="A1", name="Abteilung A1", parent=top)
    other = make_unit(code="B", name="Amt B")
    cv = make_course(title="KI-Grundlagen")
    inside = [make_employee(sub, last_name="Schäfer"), make_employee(top, last_name="Schröder")]
    outside = make_employee(other, last_name="Außen")
    oblige(inside[0], cv, MONDAY - timedelta(days=3), today=MONDAY - timedelta(days=40))  # overdue
    oblige(inside[1], cv, MONDAY + timedelta(days=20), today=MONDAY)                     # open
    oblige(outside, cv, MONDAY - timedelta(days=3), today=MONDAY - timedelta(days=40))
    coordinator = make_user("coordinator", units=[top])
    return coordinator


def test_digest_counts_only_the_subtree(app, runner, smtp_server, city):  # noqa: F811
    result = runner.invoke(args=["reminders", "digest", "--today", MONDAY.isoformat()])
    assert result.exit_code == 0, result.output
    [message] = smtp_server.mailbox.to(city.email)
    assert message["Subject"] == "Pflichtschulungen in Ihrem Bereich: Wochenübersicht 2027-W09"
    text = text_part(message)
    assert "KI-Grundlagen: 1 offen, 1 überfällig, 0 abgeschlossen" in text
    assert "Amt A" in text and "http://localhost/organisation/beschaeftigte" in text
    for name in ("Schäfer", "Schröder", "Außen"):
        assert name not in text and name not in html_part(message)
    assert "<td" in html_part(message)
    # once per ISO week: again on Thursday nothing; the next Monday again
    assert runner.invoke(args=["reminders", "digest", "--today", (MONDAY + timedelta(days=3)).isoformat()]).exit_code == 0
    assert len(smtp_server.mailbox.to(city.email)) == 1
    keys = db.session.scalars(select(Notification.dedupe_key).where(Notification.kind == "digest")).all()
    assert keys == [f"digest:{city.id}:2027-W09"]


def test_send_includes_digest_on_the_weekday_only(app, runner, smtp_server, city):  # noqa: F811
    tuesday = MONDAY + timedelta(days=1)
    result = runner.invoke(args=["reminders", "send", "--today", tuesday.isoformat()])
    assert result.exit_code == 0, result.output
    assert "digests" not in result.output
    assert smtp_server.mailbox.to(city.email) == []
    result = runner.invoke(args=["reminders", "send", "--today", (MONDAY + timedelta(days=7)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "digests: 1 sent, 0 failed" in result.output
    assert len(smtp_server.mailbox.to(city.email)) == 1


def test_digest_dry_run(app, runner, smtp_server, city):  # noqa: F811
    result = runner.invoke(args=["reminders", "digest", "--dry-run", "--today", MONDAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"{city.email}\t1 course(s)\topen 1, overdue 1, completed 0" in result.output
    assert smtp_server.mailbox.messages == []
    assert db.session.scalars(select(Notification)).all() == []
