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
