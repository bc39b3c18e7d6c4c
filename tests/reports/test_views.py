"""HR's and coordinators' views: tree, courses, the filterable list, one employee; scope and audit."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms import db
from lms.audit.models import AuditEvent


def _names(html: str) -> list[str]:
    return re.findall(r'/berichte/beschaeftigte/\d+">([^<]+)</a>', html)


def _last_audit(action: str) -> AuditEvent:
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.id.desc())).first()
    db.session.rollback()  # the test's session would hold SQLite's write lock (attributes stay loaded)
    return event


def test_unit_tree_counts_own_and_subtree(client, login_as, city):
    login_as("hr")
    html = client.get("/berichte/einheiten").get_data(as_text=True)
    rows = {m[0]: m[1] for m in re.findall(r'einheit=(\w)">[^<]+</a></th>(.*?)</tr>', html, re.S)}
    cells = {k: re.findall(r'numeric">(?:<a[^>]*>)?([^<]+)', v) for k, v in rows.items()}
    # columns: people, obligations, offen, begonnen, abgeschlossen, ueberfaellig, abgelaufen, rate
    assert cells["R"][:7] == ["0 / 4", "0 / 7", "0 / 4", "0 / 0", "0 / 1", "0 / 2", "0 / 0"]
    assert cells["B"][:2] == ["3 / 3", "6 / 6"] and cells["B"][5] == "2 / 2"
    assert cells["R"][7].strip() == "14 %"  # 1 of 7
    assert cells["C"][:2] == ["1 / 1", "1 / 1"]


def test_courses_summary(client, login_as, city):
    login_as("hr")
    html = client.get("/berichte/kurse").get_data(as_text=True)
    assert "KI-Grundlagen" in html and "Daten und KI" in html


def test_list_sorts_german_and_filters(client, login_as, city):
    login_as("hr")
    html = client.get("/berichte/pflichtschulungen?kurs=basis").get_data(as_text=True)
    assert _names(html) == ["Außen, Zoe", "Schäfer, Jörg", "Schmidt, Anna", "Schröder, Eva", "Schubert, Ole"]
    assert _names(client.get("/berichte/pflichtschulungen?q=Anna+Schmidt").get_data(as_text=True)) == \
        ["Schmidt, Anna"]
    assert _names(client.get("/berichte/pflichtschulungen?q=schmidt+anna").get_data(as_text=True)) == \
        ["Schmidt, Anna"]
    assert _names(client.get("/berichte/pflichtschulungen?q=1003").get_data(as_text=True)) == ["Schröder, Eva"] * 2
    assert len(_names(client.get("/berichte/pflichtschulungen?q=b%C3%BCrgerb%C3%BCro").get_data(as_text=True))) == 6
    assert len(_names(client.get("/berichte/pflichtschulungen?q=B").get_data(as_text=True))) == 6
    assert _names(client.get("/berichte/pflichtschulungen?q=Schafer").get_data(as_text=True)) == ["Schäfer, Jörg"] * 2
    overdue = client.get("/berichte/pflichtschulungen?einheit=R&ueberfaellig=1").get_data(as_text=True)
    assert _names(overdue) == ["Schäfer, Jörg"] * 2
    assert _names(client.get("/berichte/pflichtschulungen?status=abgeschlossen").get_data(as_text=True)) == \
        ["Schröder, Eva"]
    assert _names(client.get("/berichte/pflichtschulungen?einheit=A").get_data(as_text=True)) == ["Schmidt, Anna"]
    due = client.get("/berichte/pflichtschulungen?faellig_vor=2000-01-01").get_data(as_text=True)
    assert _names(due) == []
    event = _last_audit("report.list")
    assert event.detail["filters"] == {"faellig_vor": "2000-01-01"} and event.detail["rows"] == 0


def test_unknown_filter_values_are_400_with_a_message(client, login_as, city):
    login_as("hr")
    for query, text in [("einheit=NOPE", "NOPE"), ("kurs=nope", "nope"), ("status=fertig", "fertig"),
                        ("faellig_vor=31.12.2026", "31.12.2026"), ("ueberfaellig=ja", "1")]:
        response = client.get(f"/berichte/pflichtschulungen?{query}")
        assert response.status_code == 400, query
        assert text in response.get_data(as_text=True)
        assert client.get(f"/berichte/pflichtschulungen.csv?{query}").status_code == 400


def test_coordinator_sees_only_the_subtree(client, login_as, city):
    login_as("coordinator", units=[city["units"]["B"]])
    html = client.get("/berichte/pflichtschulungen").get_data(as_text=True)
    assert set(_names(html)) == {"Schäfer, Jörg", "Schröder, Eva", "Schubert, Ole"}
    assert "Außenstelle" not in client.get("/berichte/einheiten").get_data(as_text=True)
    assert client.get("/berichte/pflichtschulungen?einheit=A").status_code == 403
    assert client.get("/berichte/pflichtschulungen.csv?einheit=C").status_code == 403
    assert client.get("/berichte/pflichtschulungen.xlsx?einheit=R").status_code == 403
    assert client.get(f"/berichte/beschaeftigte/{city['people']['schmidt'].id}").status_code == 404
    assert client.get(f"/berichte/beschaeftigte/{city['people']['schaefer'].id}").status_code == 200
    csv = client.get("/berichte/pflichtschulungen.csv").get_data(as_text=True)
    assert "Schmidt" not in csv and "Außen" not in csv and "Schäfer" in csv


def test_employee_page_is_audited_and_hides_scores(client, login_as, city, app):
    user = login_as("hr")
    schroeder = city["people"]["schroeder"]
    html = client.get(f"/berichte/beschaeftigte/{schroeder.id}").get_data(as_text=True)
    assert "KI-Grundlagen" in html and "Daten und KI" in html and "Zertifikat prüfen" in html
    assert "Quiz-Ergebnisse und Antworten werden nicht angezeigt" in html
    assert f'href="/pflichtschulungen/zuweisen/{schroeder.id}"' in html  # one person, by hand
    event = _last_audit("report.view_person")
    assert event.actor_id == user.id and event.object_id == str(schroeder.id)
    db.session.rollback()
    assert client.get("/berichte/beschaeftigte/999999").status_code == 404


def test_committee_and_employee_reach_nothing(client, login_as, city):
    login_as("committee")
    for path in ("/berichte/einheiten", "/berichte/kurse", "/berichte/pflichtschulungen",
                 "/berichte/pflichtschulungen.csv", f"/berichte/beschaeftigte/{city['people']['schmidt'].id}"):
        assert client.get(path).status_code == 403, path


def test_scores_shown_when_configured_only_the_passed_attempt(client, login_as, city, app):
    """With LMS_HR_SEES_SCORES the employee page shows the agreed field: the result of the passed attempt
    that completed the obligation; not the failed attempts, their number, or any time of day."""
    from datetime import timedelta

    from lms.auth.models import User
    from lms.db import utcnow
    from lms.learning.models import Attempt, Completion

    app.config["LMS_HR_SEES_SCORES"] = True
    schroeder = city["people"]["schroeder"]
    schroeder_id = schroeder.id
    user = db.session.scalar(select(User).where(User.employee_id == schroeder.id))
    version = city["courses"]["basis"].current_version_id
    submitted = utcnow() - timedelta(days=2)
    failed = Attempt(user_id=user.id, course_version_id=version, started_at=submitted - timedelta(hours=3),
                     submitted_at=submitted - timedelta(hours=2), score=42, passed=False)
    passed = Attempt(user_id=user.id, course_version_id=version, started_at=submitted - timedelta(minutes=7),
                     submitted_at=submitted, score=83, passed=True)
    db.session.add_all([failed, passed])
    db.session.flush()
    db.session.scalar(select(Completion).where(Completion.user_id == user.id)).attempt_id = passed.id
    db.session.commit()
    login_as("hr")
    html = client.get(f"/berichte/beschaeftigte/{schroeder.id}").get_data(as_text=True)
    assert "83 %" in html and "42 %" not in html
    assert submitted.strftime("%H:%M") not in html
    assert _last_audit("report.view_person").detail["scores"] is True
    db.session.rollback()
    listing = client.get("/berichte/pflichtschulungen?kurs=basis").get_data(as_text=True)
    assert "83 %" in listing and "42 %" not in listing
    csv_text = client.get("/berichte/pflichtschulungen.csv?kurs=basis").get_data(as_text=True)
    assert "Ergebnis bestanden (%)" in csv_text.splitlines()[0]
    assert ";83" in csv_text and "42" not in csv_text
    app.config["LMS_HR_SEES_SCORES"] = False
    assert "83 %" not in client.get(f"/berichte/beschaeftigte/{schroeder_id}").get_data(as_text=True)
    assert "83" not in client.get("/berichte/pflichtschulungen.csv?kurs=basis").get_data(as_text=True)
