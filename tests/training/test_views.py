"""Rules are previewed before they are saved; coordinators act only within their subtrees."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms import db
from lms.org.services import today
from lms.training import services
from lms.training.models import Assignment, AssignmentRule


def count(model):
    n = db.session.scalar(select(func.count()).select_from(model))
    db.session.commit()  # frees SQLite's write lock for the test client's next request
    return n


def rule_data(cv, unit=None, **kw):
    data = {"course": str(cv.course_id), "unit": str(unit.id) if unit else "", "position": "",
            "due_kind": "days", "due_days": "30", "due_on": "", "note": "", "action": "preview"}
    data.update(kw)
    return data


def test_hr_sees_the_reach_before_saving_and_then_saves(client, login_as, make_unit, make_employee, make_course):
    cv = make_course(title="Pflichtkurs KI")
    unit = make_unit(name="Bürgeramt")
    for _ in range(3):
        make_employee(unit=unit)
    make_employee()  # elsewhere
    login_as("hr")
    response = client.post("/pflichtschulungen/neu", data=rule_data(cv, unit))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vorschau: Diese Regel erreicht 3 aktive Beschäftigte." in page
    assert "3 Personen bekommen die Schulung neu als Pflicht." in page
    assert "Regel speichern" in page
    assert count(AssignmentRule) == 0 and count(Assignment) == 0
    digest = page.split('name="digest" type="hidden" value="')[1].split('"')[0]
    response = client.post("/pflichtschulungen/neu", data=rule_data(cv, unit, action="save", digest=digest),
                           follow_redirects=True)
    assert "Die Regel ist gespeichert. 3 Personen haben die Schulung jetzt als Pflicht." in response.get_data(
        as_text=True)
    assert count(AssignmentRule) == 1 and count(Assignment) == 3
    listing = client.get("/pflichtschulungen").get_data(as_text=True)
    assert "Pflichtkurs KI" in listing and "Bürgeramt" in listing


def test_saving_other_values_than_the_preview_saves_nothing(client, login_as, make_unit, make_employee,
                                                            make_course):
    cv = make_course()
    unit = make_unit()
    make_employee(unit=unit)
    login_as("hr")
    page = client.post("/pflichtschulungen/neu", data=rule_data(cv, unit)).get_data(as_text=True)
    digest = page.split('name="digest" type="hidden" value="')[1].split('"')[0]
    response = client.post("/pflichtschulungen/neu", data=rule_data(cv, None, action="save", digest=digest))
    assert response.status_code == 200
    assert "seit der Vorschau geändert" in response.get_data(as_text=True)
    assert count(AssignmentRule) == 0


def test_bad_input_gets_a_clear_message_and_saves_nothing(client, login_as, make_course):
    cv = make_course()
    login_as("hr")
    past = (today() - timedelta(days=1)).isoformat()
    cases = [
        (rule_data(cv, due_kind="date", due_on=past), "Der Tag liegt in der Vergangenheit"),
        ({**rule_data(cv), "course": "999999"}, "Diesen Kurs gibt es nicht"),
        ({**rule_data(cv), "unit": "999999"}, "Diese Organisationseinheit gibt es nicht"),
        (rule_data(cv, due_days="0"), "Bitte 1 bis 3650 Tage."),
        (rule_data(cv, due_days=""), "Bitte geben Sie die Anzahl Tage an."),
        (rule_data(cv, due_kind="date", due_on="31.02.2027"), "Das ist kein gültiges Datum."),
        (rule_data(cv, due_kind="date", due_on=""), "Bitte geben Sie den Tag an"),
    ]
    for data, message in cases:
        response = client.post("/pflichtschulungen/neu", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
    assert count(AssignmentRule) == 0


def test_a_coordinator_works_only_in_their_subtrees(client, login_as, make_unit, make_employee, make_course):
    cv = make_course()
    mine, child, other = make_unit(name="Meine"), None, make_unit(name="Fremde")
    child = make_unit(name="Kind", parent=mine)
    inside = make_employee(unit=child)
    outside = make_employee(unit=other)
    theirs, _ = services.create_rule(cv.course, org_unit_id=other.id, position_pattern=None, due_days=9,
                                     due_on=None, note="", by=None)
    db.session.commit()
    login_as("coordinator", units=[mine])
    form = client.get("/pflichtschulungen/neu").get_data(as_text=True)
    assert "Alle Beschäftigten" not in form and "Fremde" not in form and "Kind" in form
    response = client.post("/pflichtschulungen/neu", data=rule_data(cv, other))
    assert response.status_code == 422 and "außerhalb Ihres Bereichs" in response.get_data(as_text=True)
    response = client.post("/pflichtschulungen/neu", data=rule_data(cv, None))  # everyone: not for coordinators
    assert response.status_code == 422
    assert "Fremde" not in client.get("/pflichtschulungen").get_data(as_text=True)
    assert client.get(f"/pflichtschulungen/{theirs.id}/beenden").status_code == 404
    assert client.get(f"/pflichtschulungen/zuweisen/{outside.id}").status_code == 404
    assert client.get(f"/pflichtschulungen/zuweisen/{inside.id}").status_code == 200
    due = (today() + timedelta(days=10)).isoformat()
    response = client.post(f"/pflichtschulungen/zuweisen/{inside.id}",
                           data={"course": str(cv.course_id), "due_on": due, "note": "Neue Aufgabe"},
                           follow_redirects=True)
    assert "Die Pflichtschulung ist zugewiesen." in response.get_data(as_text=True)
    assigned = db.session.scalar(select(Assignment).where(Assignment.employee_id == inside.id))
    db.session.commit()
    assert assigned.note == "Neue Aufgabe" and assigned.due_on.isoformat() == due


def test_manual_assignment_needs_a_note_and_is_not_repeated(client, login_as, make_employee, make_course):
    cv = make_course()
    person = make_employee()
    login_as("hr")
    due = (today() + timedelta(days=10)).isoformat()
    response = client.post(f"/pflichtschulungen/zuweisen/{person.id}",
                           data={"course": str(cv.course_id), "due_on": due, "note": ""})
    assert response.status_code == 422 and "Bitte nennen Sie den Anlass." in response.get_data(as_text=True)
    data = {"course": str(cv.course_id), "due_on": due, "note": "Projekt"}
    client.post(f"/pflichtschulungen/zuweisen/{person.id}", data=data)
    again = client.post(f"/pflichtschulungen/zuweisen/{person.id}", data=data, follow_redirects=True)
    assert "hat diesen Kurs schon als Pflichtschulung" in again.get_data(as_text=True)
    assert count(Assignment) == 1


def test_ending_a_rule_says_what_it_ends(client, login_as, make_employee, make_course):
    cv = make_course()
    make_employee()
    make_employee()
    rule, made = services.create_rule(cv.course, org_unit_id=None, position_pattern=None, due_days=9,
                                      due_on=None, note="", by=None)
    db.session.commit()
    login_as("hr")
    page = client.get(f"/pflichtschulungen/{rule.id}/beenden").get_data(as_text=True)
    assert f"enden {made} offene Pflichtschulungen" in page
    response = client.post(f"/pflichtschulungen/{rule.id}/beenden", follow_redirects=True)
    assert f"{made} offene Pflichtschulungen wurden beendet" in response.get_data(as_text=True)
    assert client.get(f"/pflichtschulungen/{rule.id}/beenden").status_code == 404
