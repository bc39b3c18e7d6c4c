"""The learner's pages: "Meine Schulungen", course, module, "Meine Daten"."""

from __future__ import annotations

import json
from datetime import date, timedelta

from lms import db
from lms.db import utcnow
from lms.learning import services
from lms.learning.models import Attempt, Completion
from lms.learning.pages import berlin_today
from lms.training.models import Assignment
from tests.learning.factories import read_all


def section_of(html: str, heading: str) -> str:
    start = html.index(f">{heading}</h2>")
    end = html.find("</section>", start)
    return html[start:end]


def test_empty_state(client, login_as):
    login_as()
    html = client.get("/schulungen").get_data(as_text=True)
    assert "Es sind noch keine Schulungen eingerichtet" in html


def test_employees_start_on_my_courses(client, login_as):
    login_as()
    assert client.get("/").headers["Location"].endswith("/schulungen")


def add_completion(user_id, cv, *, days_valid=365):
    now = utcnow()
    db.session.add(Completion(user_id=user_id, course_id=cv.course_id, course_version_id=cv.id,
                              completed_at=now - timedelta(days=30),
                              valid_until=now + timedelta(days=days_valid), awards={},
                              certificate_code=services.new_certificate_code(), holder_name="Test Person"))
    db.session.commit()


def test_my_courses_sections_and_order(client, login_as, make_course):
    user = login_as()
    today = berlin_today(utcnow())
    later = make_course(title="Pflicht später")
    overdue = make_course(title="Pflicht überfällig")
    started = make_course(title="Begonnen")
    done = make_course(title="Erledigt")
    expired = make_course(title="Abgelaufen")
    make_course(title="Katalog")
    for cv, due in ((later, today + timedelta(days=30)), (overdue, today - timedelta(days=3))):
        db.session.add(Assignment(employee_id=user.employee_id, course_id=cv.course_id, due_on=due))
    services.mark_read(user.id, started.modules[0])
    db.session.commit()
    add_completion(user.id, done)
    add_completion(user.id, expired, days_valid=-1)
    html = client.get("/schulungen").get_data(as_text=True)
    mandatory = section_of(html, "Pflichtschulungen")
    assert mandatory.index("Pflicht überfällig") < mandatory.index("Pflicht später")
    assert "Überfällig" in mandatory and "fällig seit" in mandatory
    assert "Begonnen" in section_of(html, "Begonnen")
    completed = section_of(html, "Abgeschlossen")
    assert "Erledigt" in completed and "Abgeschlossen, gültig" in completed
    assert "Abgelaufen" in completed and "Abgelaufen, bitte erneuern" in completed
    assert "Katalog" in section_of(html, "Weitere Schulungen")
    order = [html.index(f">{h}</h2>") for h in ("Pflichtschulungen", "Begonnen", "Abgeschlossen",
                                                 "Weitere Schulungen")]
    assert order == sorted(order)
    assert html.count('<progress class="kern-progress"') == 6
    assert "Fortschritt: 25 %" in html  # one of three modules plus the quiz


def test_renewal_due_after_a_major_bump(client, login_as, make_course):
    user = login_as()
    old = make_course(title="KI-Leitlinie")
    add_completion(user.id, old)
    minor = make_course(version="1.1.0", course=old.course, title="KI-Leitlinie")
    html = client.get("/schulungen").get_data(as_text=True)
    assert "Abgeschlossen, gültig" in html and "Erneuerung fällig" not in html
    make_course(version="2.0.0", course=minor.course, title="KI-Leitlinie")
    html = client.get("/schulungen").get_data(as_text=True)
    assert "Erneuerung fällig: neue Fassung" in section_of(html, "Abgeschlossen")
    course_page = client.get(f"/schulungen/{old.course.slug}").get_data(as_text=True)
    assert "Erneuerung fällig" in course_page and "Version 2.0.0" in course_page


def test_course_page_shows_modules_states_and_the_rule(client, login_as, make_course):
    user = login_as()
    cv = make_course(modules=3, acknowledge=(2,))
    services.mark_read(user.id, cv.modules[0])
    db.session.commit()
    html = client.get(f"/schulungen/{cv.course.slug}").get_data(as_text=True)
    assert html.count(">Modul ") >= 3
    assert "gelesen" in html and "noch nicht gelesen" in html and "Bestätigung fehlt" in html
    assert "Das Quiz können Sie jederzeit beginnen" in html
    assert "Weiter mit Modul 2" in html
    assert "Quiz jetzt starten" in html


def test_module_page_shows_stored_html_reading_time_and_neighbours(client, login_as, make_course):
    login_as()
    cv = make_course(modules=3, module_html="<h2>Stored</h2><p>Text <strong>fett</strong></p>")
    slug = cv.course.slug
    db.session.commit()
    html = client.get(f"/schulungen/{slug}/module/2").get_data(as_text=True)
    assert "<h2>Stored</h2><p>Text <strong>fett</strong></p>" in html
    assert "Lesezeit etwa 10 Minuten" in html
    assert f'href="/schulungen/{slug}/module/1"' in html and f'href="/schulungen/{slug}/module/3"' in html
    assert "Gelesen, weiter" in html
    assert client.get(f"/schulungen/{slug}/module/9").status_code == 404
    assert client.get("/schulungen/gibt-es-nicht").status_code == 404


def test_acknowledge_module_shows_the_checkbox(client, login_as, make_course):
    login_as()
    cv = make_course(acknowledge=(1,))
    slug = cv.course.slug
    db.session.commit()
    html = client.get(f"/schulungen/{slug}/module/1").get_data(as_text=True)
    assert "Ich habe diese Fassung gelesen und verstanden" in html and 'type="checkbox"' in html
    assert client.post(f"/schulungen/{slug}/module/2/bestaetigen", data={"confirm": "y"}).status_code == 404


def test_mark_read_is_idempotent(client, login_as, make_course):
    login_as()
    cv = make_course()
    slug = cv.course.slug
    db.session.commit()
    for _ in range(3):
        assert client.post(f"/schulungen/{slug}/module/3/gelesen").headers["Location"].endswith(
            f"/schulungen/{slug}")
    data = client.get("/meine-daten.json").get_json()
    assert [r["module"] for r in data["module_progress"]] == ["Modul 3"]  # once, with its time
    assert data["module_progress"][0]["read_at"]


def test_my_data_and_json_download(client, login_as, make_course):
    user = login_as()
    cv = make_course(acknowledge=(1,))
    read_all(user.id, cv)
    db.session.add(Assignment(employee_id=user.employee_id, course_id=cv.course_id, due_on=date(2027, 3, 1),
                              note="Dienstanweisung"))
    db.session.add(Attempt(user_id=user.id, course_version_id=cv.id, started_at=utcnow(),
                           submitted_at=utcnow(), score=80, passed=True))
    db.session.commit()
    add_completion(user.id, cv)
    employee = user.employee
    html = client.get("/meine-daten").get_data(as_text=True)
    for text in (employee.personnel_no, employee.last_name, employee.org_unit.name, "80 %", "Dienstanweisung",
                 "Meine Daten als JSON herunterladen", "01.03.2027"):
        assert text in html
    # the mandatory course is named by its title, not its folder name
    assert f"<td class=\"kern-table__cell\">{cv.title}</td>" in html
    response = client.get("/meine-daten.json")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["employee"]["personnel_no"] == employee.personnel_no
    assert data["profile"]["employee"]["org_unit"]["code"] == employee.org_unit.code
    assert [a["score"] for a in data["attempts"]] == [80]
    assert len(data["completions"]) == 1 and data["completions"][0]["version"] == "1.0.0"
    assert [a["module"] for a in data["acknowledgements"]] == ["Modul 1"]
    assert [(r["course"], r["version"], r["module"]) for r in data["module_progress"]] == [
        (cv.title, "1.0.0", f"Modul {n}") for n in (1, 2, 3)]
    assert data["assignments"][0]["due_on"] == "2027-03-01"
    assert data["assignments"][0]["course"] == cv.title


def test_my_data_holds_nothing_of_others(client, make_user, login_as, make_course):
    other = make_user()
    cv = make_course()
    read_all(other.id, cv)
    login_as()
    data = client.get("/meine-daten.json").get_json()
    assert data["attempts"] == data["completions"] == data["module_progress"] == []
