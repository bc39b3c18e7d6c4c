""""Meine Daten" is complete: every table that holds a person's data is in the export (JSON download and
page), with one of each built for one person; a new table with a person column fails until it is listed.

The tables are derived from the schema: every table with a foreign key to ``users`` or ``employees``
(plus ``employees`` itself). Each is either in :data:`COVERED` (the key of the export that shows it) or in
:data:`EXCLUDED` with the reason.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.audit.models import AuditEvent
from lms.auth import services as auth_services
from lms.auth.models import Invitation, UserScope
from lms.db import Base, utcnow
from lms.learning.models import AttemptItem
from tests.seeded import FAILED_SCORES, PASSED_SCORE, Seeded, seed_learner

#: table -> where the export shows it (a path of keys in the JSON)
COVERED = {
    "employees": ("profile", "employee"),
    "users": ("profile",),
    "user_scopes": ("profile", "scopes"),
    "invitations": ("profile", "invitations"),
    "module_progress": ("module_progress",),
    "acknowledgements": ("acknowledgements",),
    "attempts": ("attempts",),
    "completions": ("completions",),
    "assignments": ("assignments",),
    "notifications": ("notifications",),
    "competence_targets": ("competence_targets",),
    # derived summary data (what the person adds to their unit's counts): included as stored
    "competence_contributions": ("competence_contribution",),
    "audit_events": ("audit_about_you",),
}
EXCLUDED = {
    "assignment_rules": "only as author (created_by/ended_by of an HR user or coordinator): a rule is about "
                        "others; creating and ending one is in the person's own audit events (audit_by_you)",
    "staged_imports": "an HR user's upload of other people's master data, kept minutes until confirmed; the "
                      "import itself is in the person's own audit events",
}


def person_tables() -> set[str]:
    tables = {"employees"}
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name in ("users", "employees"):
                tables.add(table.name)
    return tables


def test_every_table_with_a_person_is_covered_or_excluded_with_a_reason():
    tables = person_tables()
    unknown = sorted(tables - set(COVERED) - set(EXCLUDED))
    assert not unknown, (f"tables with a person's data that 'Meine Daten' does not show: {unknown}; add them "
                         "to lms/learning/pages.py (my_data) and to COVERED here, or to EXCLUDED with the reason")
    assert not (set(COVERED) | set(EXCLUDED)) - tables - {"employees"}
    assert not set(COVERED) & set(EXCLUDED)


@pytest.fixture
def person(app, client, make_unit, make_employee, login_as, auth) -> Seeded:
    """The seeded learner, plus a scope, an invitation, an HR look at her page, and her own login."""
    s = seed_learner(make_unit, make_employee)
    db.session.add(UserScope(user_id=s.user_id, org_unit_id=s.unit.id))
    db.session.add(Invitation(user_id=s.user_id, token_hash="0" * 64, purpose="invite",
                              created_at=utcnow() - timedelta(days=40), expires_at=utcnow() - timedelta(days=33),
                              used_at=utcnow() - timedelta(days=39)))
    db.session.commit()
    login_as("hr")
    assert client.get(f"/berichte/beschaeftigte/{s.employee_id}").status_code == 200
    auth.logout()
    assert auth.login(s.user.email).status_code == 302
    return s


def _at(data: dict, path: tuple[str, ...]):
    for key in path:
        data = data[key]
    return data


def test_the_json_holds_one_of_everything(client, person):
    response = client.get("/meine-daten.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    for table, path in COVERED.items():
        assert _at(data, path), f"{table}: {'.'.join(path)} is empty"
    profile = data["profile"]
    assert profile["employee"]["personnel_no"] == "LW-4711" and profile["scopes"] == ["MRK.1"]
    assert "password_hash" not in response.get_data(as_text=True)
    assert person.user.password_hash not in response.get_data(as_text=True)
    # reads with their time; attempts with the answers given
    assert all(r["read_at"] for r in data["module_progress"])
    scores = sorted(a["score"] for a in data["attempts"])
    assert [*FAILED_SCORES, PASSED_SCORE] == scores[:3]
    passed = next(a for a in data["attempts"] if a["score"] == PASSED_SCORE)
    assert len(passed["answers"]) == 4 and all(a["correct"] for a in passed["answers"])
    assert passed["answers"][0]["chosen"] == [f"{person.answer_token}-Antwort-1.1"]
    assert "Frage 1?" in passed["answers"][0]["question"]
    # obligations with every cycle, the e-mail sent, the target of her unit's parent
    assert data["assignments"][0]["cycle"] == 1 and data["assignments"][0]["fulfilled"] is True
    assert data["notifications"][0]["to"] == "you"
    assert data["competence_targets"][0]["org_unit"] == "MRK" and data["competence_targets"][0]["level"] == 2
    # who looked at her data (HR's view of her page) and what she did herself (her login)
    assert [e["action"] for e in data["audit_about_you"]] == ["report.view_person"]
    assert data["audit_about_you"][0]["actor"].startswith("hr")
    assert "auth.login" in [e["action"] for e in data["audit_by_you"]]


def test_answers_removed_by_retention_are_said_to_be_removed(client, person):
    attempt = person.attempts[0]
    db.session.execute(AttemptItem.__table__.delete().where(AttemptItem.attempt_id == attempt.id))
    attempt_row = db.session.get(type(attempt), attempt.id)
    attempt_row.details_removed_at = utcnow()
    db.session.commit()
    data = client.get("/meine-daten.json").get_json()
    removed = next(a for a in data["attempts"] if a["score"] == FAILED_SCORES[0])
    assert removed["answers"] == [] and removed["answers_deleted_at"]
    html = client.get("/meine-daten").get_data(as_text=True)
    assert "nach Ablauf der Aufbewahrungsfrist gelöscht" in html


def test_the_page_shows_the_same(client, person):
    html = client.get("/meine-daten").get_data(as_text=True)
    for expected in ("LW-4711", "MRK.1", f"{person.answer_token}-Antwort-1.1", "87 %", "41 %",
                     "Schulungsstand einer Person angesehen", "Anmeldung", "Gesendete E-Mails",
                     "Kompetenzziele, die für Sie gelten", "Modul 2", person.completion.certificate_code):
        assert expected in html, expected


def test_the_download_is_audited(client, person):
    client.get("/meine-daten.json")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "learning.my_data_export")).one()
    assert event.actor_id == person.user_id and event.object_id == str(person.user_id)
    assert event.detail == {"format": "json", "attempts": 4}
    db.session.rollback()
    # and it is in the next download, as her own action
    data = client.get("/meine-daten.json").get_json()
    assert "learning.my_data_export" in [e["action"] for e in data["audit_by_you"]]


def test_no_one_else_is_in_it(client, person, make_employee, make_user):
    """Another person's reads, attempts and audit events are not in her export."""
    other = make_user("employee")
    auth_services.set_password(other, "Anders-und-lang-genug-99")
    db.session.commit()
    data = client.get("/meine-daten.json").get_data(as_text=True)
    assert other.email not in data and other.employee.personnel_no not in data
