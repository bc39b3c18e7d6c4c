"""Journeys: a committee member reads the dashboard, drills down, finds a suppressed cell explained and
downloads the CSV; an admin sets a competence target (preview first) and an employee sees it with the gap.

Every dashboard state (departments, drill-down with a suppressed cell, an as-of day before any data) is
checked by axe on the way.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import MANDATORY_COURSE, LiveServer, assert_no_horizontal_scroll, login
from tests.browser.test_competence import complete_course

DEPARTMENT = "AZB"


def seed_department(server: LiveServer) -> None:
    """Department AZB of 12: sub-unit AZB.1 of 3 (one completed) and AZB.2 of 9 (six completed)."""
    from lms import db
    from lms.catalog.models import Course
    from lms.learning import summaries
    from lms.org.models import Employee, OrgUnit
    from tests.competence.factories import complete

    with server.app_context():
        if db.session.scalar(select(OrgUnit).where(OrgUnit.code == DEPARTMENT)) is not None:
            return
        course = db.session.scalar(select(Course).where(Course.slug == MANDATORY_COURSE))
        assert course is not None and course.current_version is not None
        department = OrgUnit(code=DEPARTMENT, name="Dezernat Ausschuss-Test")
        db.session.add(department)
        db.session.flush()
        department.path, department.depth = f"/{department.id}/", 0
        ids = []
        for code, name, size, done in (("AZB.1", "Kleinstelle", 3, 1), ("AZB.2", "Großstelle", 9, 6)):
            unit = OrgUnit(code=code, name=name, parent=department)
            db.session.add(unit)
            db.session.flush()
            unit.path, unit.depth = f"{department.path}{unit.id}/", 1
            for n in range(size):
                person = Employee(personnel_no=f"AZB{os.getpid()}{code[-1]}{n:02d}", first_name="Ausschuss",
                                  last_name=f"Geheim{code[-1]}{n}", email=f"azb{code[-1]}{n}.{os.getpid()}@stadt.example",
                                  org_unit_id=unit.id, position="Sachbearbeitung")
                db.session.add(person)
                db.session.flush()
                ids.append(person.id)
                if n < done:
                    complete(person, course.current_version)
        summaries.sync(ids)
        db.session.commit()


def test_committee_dashboard_drill_down_suppression_and_csv(live_server: LiveServer, page_as, axe,
                                                            tmp_path: Path) -> None:
    seed_department(live_server)
    page = page_as("committee")
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Ausschuss-Übersicht").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ausschuss-Übersicht: KI-Kompetenz")
    expect(page.locator("#abschluss table")).to_be_visible()
    axe(page, "committee dashboard")

    page.get_by_role("link", name=f"Dezernat Ausschuss-Test ({DEPARTMENT})").click()
    expect(page).to_have_url(re.compile(rf"/ausschuss\?einheit={DEPARTMENT}&"))
    expect(page.locator("nav.committee-trail")).to_contain_text("Dezernat Ausschuss-Test")
    small = page.locator("#abschluss tr", has=page.get_by_role("rowheader", name="Kleinstelle (AZB.1)"))
    expect(small.locator("td").first).to_contain_text("< 5")
    expect(page.get_by_text("Einige Zahlen sind aus Datenschutzgründen nicht ausgewiesen.")).to_be_visible()
    small.locator("td").first.get_by_role("link", name="Fußnote: aus Datenschutzgründen nicht ausgewiesen").click()
    expect(page).to_have_url(re.compile(r"#fussnote-datenschutz$"))
    expect(page.locator("#fussnote-datenschutz")).to_contain_text(
        "Weniger als 5 Personen oder rückrechenbar – aus Datenschutzgründen nicht ausgewiesen")
    axe(page, "committee drill-down with suppressed cells")
    page.set_viewport_size({"width": 320, "height": 720})
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as info:
        page.get_by_role("link", name="Tabellen als CSV herunterladen").click()
    path = tmp_path / "ausschuss.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    by_label = {r[0]: r for r in rows if r}
    assert by_label["Kleinstelle (AZB.1)"][1] == "< 5"
    assert not by_label["Großstelle (AZB.2)"][1].isdigit()  # 12 - 9 would give the 3 away
    assert "Geheim" not in path.read_text(encoding="utf-8-sig")

    page.goto("/ausschuss?stichtag=2000-01-01")
    expect(page.get_by_text("Zum Stichtag 01.01.2000 gibt es noch keine Daten")).to_be_visible()
    expect(page.locator("table")).to_have_count(0)
    axe(page, "committee dashboard before any data")

    response = page.goto("/ausschuss?einheit=GIBTSNICHT")
    assert response is not None and response.status == 400
    expect(page.get_by_text("Unbekannte Organisationseinheit „GIBTSNICHT“.")).to_be_visible()
    axe(page, "committee dashboard with an unknown unit")


def new_employee(server: LiveServer) -> str:
    """An employee of the seeded unit BT.1 with an account, for this journey alone."""
    from lms import db
    from lms.org.models import Employee, OrgUnit

    email = f"ziel.{os.getpid()}@stadt.example"
    with server.app_context():
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "BT.1"))
        assert unit is not None
        db.session.add(Employee(personnel_no=f"ZIEL{os.getpid()}", first_name="Ziel", last_name="Browser",
                                email=email, org_unit_id=unit.id, position="Sachbearbeitung"))
        db.session.commit()
    return server.create_account("employee", email)


def test_admin_sets_a_target_and_the_employee_sees_the_gap(live_server: LiveServer, page_as, new_context,
                                                           axe) -> None:
    email = new_employee(live_server)
    awards = complete_course(live_server, email)
    assert awards.get("verantwortung") == 2, awards
    admin = page_as("admin")
    admin.goto("/admin/kompetenzziele")
    admin.get_by_role("link", name="Neues Ziel").click()
    admin.get_by_label("Kompetenzbereich").select_option(label="Verantwortungsvolle und transparente Nutzung")
    admin.get_by_label("Zielstufe").select_option(label="3 Bewerten")
    admin.get_by_label("Eine Organisationseinheit mit allen Untereinheiten").check()
    admin.locator("select#unit").select_option(value="BT.1")
    admin.get_by_role("button", name="Vorschau").click()
    expect(admin.get_by_role("status")).to_contain_text("Vorschau: Das Ziel betrifft")
    axe(admin, "competence target preview")
    admin.get_by_role("button", name="Ziel speichern").click()
    expect(admin.get_by_text("Das Ziel ist gespeichert.")).to_be_visible()
    expect(admin.get_by_role("cell", name="BT.1 Abteilung Test")).to_be_visible()
    axe(admin, "competence targets")

    page = new_context().new_page()
    login(page, email)
    page.goto("/kompetenzprofil")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Verantwortungsvolle und transparente Nutzung"))
    expect(row).to_contain_text("Bewerten (3) – noch 1 Stufe")
    expect(page.locator("#targets-summary")).to_contain_text("fehlt noch mindestens eine Stufe")
    axe(page, "competence profile with targets")
