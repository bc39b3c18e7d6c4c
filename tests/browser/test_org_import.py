"""Journey: HR uploads a staff file, sees every problem in the preview, fixes the file and confirms."""

from __future__ import annotations

import re

from playwright.sync_api import expect

HEADER = "Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Eintritt"
BROKEN = "\n".join([
    HEADER,
    "HR0001;Neumann;Nina;nina.neumann@stadt.example;BT.1;01.03.2026",
    "HR0002;Ostertag;Olaf;kein-at-zeichen;BT.1;01.03.2026",
    "HR0003;Pohl;Paula;paula.pohl@stadt.example;GIBTESNICHT;31.02.2026",
]) + "\n"
FIXED = "\n".join([
    HEADER,
    "HR0001;Neumann;Nina;nina.neumann@stadt.example;BT.1;01.03.2026",
    "HR0002;Ostertag;Olaf;olaf.ostertag@stadt.example;BT.1;01.03.2026",
    "HR0003;Pohl;Paula;paula.pohl@stadt.example;BT;28.02.2026",
]) + "\n"


def upload(page, name: str, content: str) -> None:
    page.goto("/organisation/import")
    page.get_by_label("Beschäftigte", exact=True).check()
    page.get_by_label("CSV-Datei").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode("cp1252")})
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorschau des Imports")


def test_hr_upload_errors_then_fixed_file_and_confirm(page_as, axe) -> None:
    page = page_as("hr")
    page.goto("/organisation/import")
    axe(page, "import form")
    # no file chosen: the error is announced and tied to the field
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte wählen Sie eine Datei aus.")
    expect(page.get_by_label("CSV-Datei")).to_have_attribute("aria-describedby", re.compile("file-error"))
    axe(page, "import form without a file")

    upload(page, "personal.csv", BROKEN)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("3 Probleme")
    problems = page.get_by_role("table", name="Probleme in der Datei")
    expect(problems.locator("tbody tr")).to_have_count(3)
    expect(problems).to_contain_text("E-Mail")
    expect(problems).to_contain_text("GIBTESNICHT")
    expect(page.get_by_role("button", name="Import bestätigen")).to_have_count(0)
    axe(page, "import preview with problems")

    upload(page, "personal-korrigiert.csv", FIXED)
    expect(page.get_by_role("alert")).to_have_count(0)
    changes = page.get_by_role("table", name="Änderungen, die der Import vornimmt")
    expect(changes.locator("tbody tr")).to_have_count(3)
    axe(page, "import preview ready to confirm")
    page.get_by_role("button", name="Import bestätigen").click()
    expect(page.get_by_role("status")).to_be_visible()
    axe(page, "after confirmed import")

    page.goto("/organisation/beschaeftigte?q=Ostertag")
    expect(page.get_by_role("table", name="Beschäftigte")).to_contain_text("Ostertag, Olaf")


# --- identity changes and full lists ----------------------------------------------------------------

STAFF_HEADER = "Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit"


def seed_staff(live_server, name: str, rows: list[str]) -> None:
    path = live_server.tmp / name
    path.write_text("\n".join([STAFF_HEADER, *rows]) + "\n", encoding="utf-8")
    live_server.lms("import", "staff", str(path))


def first_name(live_server, personnel_no: str) -> str:
    with live_server.app_context():
        from sqlalchemy import select

        from lms import db
        from lms.org.models import Employee

        name = db.session.scalar(select(Employee.first_name).where(Employee.personnel_no == personnel_no))
        db.session.rollback()
        return name


def active_leavers(live_server) -> int:
    with live_server.app_context():
        from sqlalchemy import func, select

        from lms import db
        from lms.org.models import Employee

        n = db.session.scalar(select(func.count()).select_from(Employee).where(
            Employee.personnel_no.like("FL%"), Employee.is_active.is_(True)))
        db.session.rollback()
        return n


def test_identity_change_is_refused_until_the_row_is_confirmed(page_as, axe, live_server) -> None:
    seed_staff(live_server, "identity-before.csv", ["ID0001;Alt;Anton;anton.alt@stadt.example;BT.1",
                                                    "ID0002;Berg;Berta;berta.berg@stadt.example;BT.1"])
    live_server.create_account("employee", "anton.alt@stadt.example")
    live_server.create_account("employee", "berta.berg@stadt.example")
    page = page_as("hr")
    upload(page, "identitaet.csv", "\n".join([
        STAFF_HEADER,
        "ID0001;Neu;Nora;nora.neu@stadt.example;BT.1",         # another person under Anton's number
        "ID0002;Weber;Berta;berta.weber@stadt.example;BT.1",   # a marriage name: an ordinary change
    ]) + "\n")
    expect(page.get_by_role("alert")).to_contain_text("1 Zeile ändert die Identität einer Person.")
    identities = page.get_by_role("table", name="Zeilen mit Identitätswechsel")
    expect(identities.locator("tbody tr")).to_have_count(1)
    expect(identities).to_contain_text("Alt, Anton")
    expect(identities).to_contain_text("anton.alt@stadt.example")
    expect(identities).to_contain_text("Neu, Nora")
    expect(identities).to_contain_text("nora.neu@stadt.example")
    expect(identities).to_contain_text("Konto anton.alt@stadt.example gehört zur bisherigen Person")
    changes = page.get_by_role("table", name="Änderungen, die der Import vornimmt")
    expect(changes).to_contain_text("Nachname: Berg")
    expect(changes).to_contain_text("Anmeldung ändert sich: berta.berg@stadt.example → berta.weber@stadt.example")
    axe(page, "import preview with an identity change")

    # confirming without the row's checkbox saves nothing and says why
    page.get_by_role("button", name="Import bestätigen").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Der Import wurde nicht gespeichert.")
    expect(summary).to_contain_text("1 Identitätswechsel ist nicht bestätigt.")
    checkbox = page.get_by_label(re.compile("Identitätswechsel bestätigen"))
    expect(checkbox).to_have_attribute("aria-invalid", "true")
    axe(page, "import preview: identity change not confirmed")
    assert first_name(live_server, "ID0001") == "Anton"  # nothing was written

    page.get_by_label(re.compile("Identitätswechsel bestätigen")).check()
    page.get_by_role("button", name="Import bestätigen").click()
    expect(page.get_by_role("status")).to_contain_text("0 angelegt, 2 geändert")
    page.goto("/organisation/beschaeftigte?q=ID0001")
    expect(page.get_by_role("table", name="Beschäftigte")).to_contain_text("Neu, Nora")
    with live_server.app_context():
        from sqlalchemy import select

        from lms import db
        from lms.auth.models import User

        anton = db.session.scalar(select(User).where(User.email == "anton.alt@stadt.example"))
        berta = db.session.scalar(select(User).where(User.email == "berta.weber@stadt.example"))
        assert (anton.employee_id, anton.is_active) == (None, False)
        assert berta is not None and berta.is_active
        db.session.rollback()


def test_full_list_names_the_people_and_asks_for_the_number(page_as, axe, live_server) -> None:
    leavers = [f"FL{n:04d};Fortgang{n:02d};Frieda;frieda.fortgang{n}@stadt.example;BT.1" for n in range(1, 13)]
    seed_staff(live_server, "leavers.csv", leavers)
    with live_server.app_context():  # the full list: everyone active now, except the twelve
        from sqlalchemy import select

        from lms import db
        from lms.org.models import Employee

        everyone = [f"{e.personnel_no};{e.last_name};{e.first_name};{e.email};{e.org_unit.code}"
                    for e in db.session.scalars(select(Employee).where(Employee.is_active.is_(True)))
                    if not e.personnel_no.startswith("FL")]
        db.session.rollback()
    page = page_as("hr")
    page.goto("/organisation/import")
    page.get_by_label("Beschäftigte", exact=True).check()
    page.get_by_label(re.compile("Vollständige Liste")).check()
    page.get_by_label("CSV-Datei").set_input_files({"name": "alle.csv", "mimeType": "text/csv",
                                                    "buffer": ("\n".join([STAFF_HEADER, *everyone]) + "\n").encode()})
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.get_by_role("heading", name="Deaktivierungen")).to_be_visible()
    expect(page.get_by_text(re.compile(r"12 von \d+ aktiven Beschäftigten fehlen"))).to_be_visible()
    first = page.get_by_role("table", name="Zu deaktivierende Beschäftigte: die ersten 10")
    expect(first.locator("tbody tr")).to_have_count(10)
    expect(first).to_contain_text("FL0001")
    expect(page.get_by_role("table", name="Alle zu deaktivierenden Beschäftigten")).to_be_hidden()
    page.get_by_text("Alle 12 zu deaktivierenden Beschäftigten anzeigen").click()
    full = page.get_by_role("table", name="Alle zu deaktivierenden Beschäftigten")
    expect(full.locator("tbody tr")).to_have_count(12)
    expect(full).to_contain_text("Fortgang12, Frieda")
    axe(page, "full-list preview with many deactivations")

    number = page.get_by_label("Zur Bestätigung: Anzahl der Personen, die deaktiviert werden")
    number.fill("10")
    page.get_by_role("button", name="Import bestätigen").click()
    expect(page.locator("#error-summary")).to_contain_text("Bitte geben Sie zur Bestätigung die Zahl 12 ein")
    expect(number).to_have_attribute("aria-invalid", "true")
    axe(page, "full-list preview: wrong number typed")
    assert active_leavers(live_server) == 12  # nothing was written

    page.get_by_label("Zur Bestätigung: Anzahl der Personen, die deaktiviert werden").fill("12")
    page.get_by_role("button", name="Import bestätigen").click()
    expect(page.get_by_role("status")).to_contain_text("12 deaktiviert")
    assert active_leavers(live_server) == 0
