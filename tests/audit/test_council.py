"""The staff council's access log and the admin's search of security events by person.

The staff council (Personalrat) reads who looked at or exported whose data, never login events, account
changes or learning data; searching one person's logins needs a stated reason that is itself logged;
every read of either log is logged.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms import db
from lms.audit import filters
from lms.audit.models import AuditEvent
from lms.main import permissions
from lms.retention.rules import SECURITY_ACTIONS

REASON = "Verdacht auf Kontomissbrauch, Ticket 4711"


def add(action: str, actor, *, day: int = 1, object_type: str | None = None, object_id=None,
        ip: str | None = "10.1.2.3", detail=None) -> None:
    db.session.add(AuditEvent(occurred_at=datetime(2026, 3, day, 12, tzinfo=UTC), actor_id=actor.id,
                              actor_label=actor.email, action=action, object_type=object_type,
                              object_id=None if object_id is None else str(object_id), ip=ip, detail=detail))
    db.session.commit()


def shown(action: str) -> str:
    """The action as a row of the log shows it (the filter's choices list titles, not codes)."""
    return f'<code class="kern-body--small">{action}</code>'


def logged(action: str) -> list[AuditEvent]:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)).all()
    db.session.commit()
    return list(events)


# -- pure rules -------------------------------------------------------------------------------------

def test_the_council_reads_exactly_the_view_and_log_read_events():
    council = filters.council_actions(permissions.AUDIT_ACTIONS, permissions.COUNCIL_KINDS)
    assert {"org.view_staff", "report.list", "report.view_person", "report.export"} <= council
    assert "audit.security_search" in council and "audit.log_viewed" in council
    assert not council & SECURITY_ACTIONS
    assert not {a for a in council if permissions.AUDIT_ACTIONS[a] in ("accounts", "training", "imports")}


@pytest.mark.parametrize(("action", "actor", "expected"), [
    ("", "", False),                      # no person: the whole log
    ("auth.", "", False),                 # all logins, no person
    ("", "anna@stadt.example", True),     # a person, every action: includes logins
    ("auth.", "anna", True),
    ("auth.login", "anna", True),
    ("report.", "anna", False),           # a person, but no security event can match
    ("auth.role", "anna", False),
])
def test_a_person_filter_over_security_events_is_recognised(action, actor, expected):
    assert filters.person_search_over_security(action, actor, SECURITY_ACTIONS) is expected


@pytest.mark.parametrize(("reason", "ok"), [("", False), ("weil", False), ("  kurz     ", False),
                                            ("Ticket 4711 Missbrauch", True), (REASON, True)])
def test_a_reason_needs_some_words(reason, ok):
    assert filters.valid_reason(reason) is ok


# -- the staff council's page -----------------------------------------------------------------------

def test_council_sees_who_looked_at_whom_but_no_logins_or_accounts(client, login_as, make_user, make_employee):
    hr = make_user("hr")
    employee = make_employee(first_name="Jörg", last_name="Schäfer", personnel_no="4711")
    add("report.view_person", hr, object_type="employee", object_id=employee.id, detail={"obligations": 3})
    add("report.export", hr, day=2, object_type="report", object_id="obligations", detail={"rows": 12})
    add("auth.login", hr, day=3, object_type="user", object_id=hr.id, ip="192.0.2.77")
    add("auth.login_failed", hr, day=3, object_type="account", object_id=hr.email)
    add("auth.role_changed", hr, day=4, object_type="user", object_id=hr.id)
    council = login_as("personalrat")
    html = client.get("/personalrat/protokoll").get_data(as_text=True)
    assert "Schulungsstand einer Person angesehen" in html and "Jörg Schäfer (4711)" in html
    assert shown("report.export") in html
    for hidden in ("Anmeldung fehlgeschlagen", "Rolle geändert", "192.0.2.77", "10.1.2.3", "auth.login"):
        assert hidden not in html, hidden
    # filters: from/to, actor, action
    only_export = client.get("/personalrat/protokoll?action=report.export").get_data(as_text=True)
    assert shown("report.export") in only_export and "Jörg Schäfer" not in only_export
    march_1 = client.get("/personalrat/protokoll?von=2026-03-01&bis=2026-03-01").get_data(as_text=True)
    assert "Jörg Schäfer" in march_1 and shown("report.export") not in march_1
    nobody = client.get("/personalrat/protokoll?actor=niemand").get_data(as_text=True)
    assert "Jörg Schäfer" not in nobody
    # a security action typed into the filter shows nothing
    assert "192.0.2.77" not in client.get("/personalrat/protokoll?action=auth.login").get_data(as_text=True)
    reads = logged("audit.council_log_viewed")
    assert len(reads) == 5 and {e.actor_id for e in reads} == {council.id}
    assert reads[1].detail == {"action": "report.export", "actor": "", "von": "", "bis": ""}


def test_council_reads_are_listed_for_the_council_and_the_admin(client, login_as, auth, make_user):
    login_as("personalrat")
    client.get("/personalrat/protokoll")
    auth.logout()
    login_as("admin")
    html = client.get("/admin/protokoll").get_data(as_text=True)
    assert shown("audit.council_log_viewed") in html


def test_council_gets_no_learning_data_and_no_admin_log(client, login_as):
    login_as("personalrat")
    for path in ("/admin/protokoll", "/berichte/pflichtschulungen", "/berichte/einheiten",
                 "/organisation/beschaeftigte", "/admin/konten", "/pflichtschulungen"):
        assert client.get(path).status_code == 403, path


def test_council_log_bad_date_is_400(client, login_as):
    login_as("personalrat")
    response = client.get("/personalrat/protokoll?von=1.3.2026")
    assert response.status_code == 400 and "1.3.2026" in response.get_data(as_text=True)


# -- the admin's log: a person's security events only with a reason --------------------------------

def test_admin_person_search_hides_security_events_without_a_reason(client, login_as, make_user):
    anna = make_user("hr", email="anna.meier@stadt.example")
    add("auth.login", anna, object_type="user", object_id=anna.id, ip="192.0.2.11")
    add("auth.login_failed", anna, day=2, object_type="account", object_id=anna.email, ip="192.0.2.12")
    add("report.list", anna, day=3, object_type="report", object_id="obligations", detail={"rows": 4})
    login_as("admin")
    for query in ("?actor=anna.meier", "?actor=anna.meier&action=auth.", "?actor=anna&grund=kurz"):
        html = client.get("/admin/protokoll" + query).get_data(as_text=True)
        assert "192.0.2.11" not in html and "192.0.2.12" not in html, query
        assert "Anmeldeereignisse sind ausgeblendet" in html, query
    assert shown("report.list") in client.get("/admin/protokoll?actor=anna.meier").get_data(
        as_text=True)  # other events of the person stay searchable
    assert logged("audit.security_search") == []
    # the whole log without a person filter still lists logins (incident overview)
    assert "192.0.2.11" in client.get("/admin/protokoll").get_data(as_text=True)


def test_admin_person_search_with_a_reason_is_logged_with_reason_and_filter(client, login_as, make_user):
    anna = make_user("hr", email="anna.meier@stadt.example")
    add("auth.login", anna, object_type="user", object_id=anna.id, ip="192.0.2.11")
    admin = login_as("admin")
    html = client.get("/admin/protokoll", query_string={"actor": "anna.meier", "action": "auth.",
                                                        "grund": REASON}).get_data(as_text=True)
    assert "192.0.2.11" in html
    [event] = logged("audit.security_search")
    assert event.actor_id == admin.id
    assert event.detail == {"reason": REASON, "action": "auth.", "actor": "anna.meier", "von": "", "bis": ""}


def test_every_read_of_the_admin_log_is_logged(client, login_as):
    admin = login_as("admin")
    client.get("/admin/protokoll?action=report.")
    [event] = logged("audit.log_viewed")
    assert event.actor_id == admin.id and event.detail["action"] == "report."


def test_the_council_sees_the_admins_security_search_and_its_reason(client, login_as, auth, make_user):
    anna = make_user("hr", email="anna.meier@stadt.example")
    add("auth.login", anna, object_type="user", object_id=anna.id, ip="192.0.2.11")
    login_as("admin")
    client.get("/admin/protokoll", query_string={"actor": "anna.meier", "grund": REASON})
    auth.logout()
    login_as("personalrat")
    html = client.get("/personalrat/protokoll").get_data(as_text=True)
    assert shown("audit.security_search") in html and REASON in html
    assert "192.0.2.11" not in html
