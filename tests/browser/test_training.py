"""Journey: HR creates a rule, sees whom it reaches before saving, saves it and finds it in the list."""

from __future__ import annotations

from playwright.sync_api import expect


def test_hr_previews_and_saves_a_rule(page_as, axe) -> None:
    page = page_as("hr")
    page.goto("/pflichtschulungen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pflichtschulungen")
    axe(page, "rules list")
    page.get_by_role("link", name="Neue Regel").click()
    axe(page, "new rule form")
    # a past fixed day is refused with a message tied to the field
    page.get_by_label("Kurs").select_option(label="Ethik, Fairness und Nachhaltigkeit")
    page.get_by_label("Ein fester Tag").check()
    page.get_by_label("Fällig am").fill("2020-01-01")  # a date input takes ISO from scripts
    page.get_by_role("button", name="Vorschau").click()
    expect(page.get_by_role("alert")).to_contain_text("Der Tag liegt in der Vergangenheit")
    axe(page, "new rule with an error")

    page.get_by_label("Eine Anzahl Tage").check()
    page.get_by_label("Tage bis zur Fälligkeit").fill("60")
    page.get_by_label("Für wen").select_option(label="\u2003BT.1 Abteilung Test")
    page.get_by_role("button", name="Vorschau").click()
    status = page.get_by_role("status").filter(has_text="Vorschau")
    expect(status).to_contain_text("Diese Regel erreicht")
    expect(status).to_contain_text("neu als Pflicht")
    axe(page, "new rule preview")
    page.get_by_role("button", name="Regel speichern").click()
    expect(page.get_by_text("Die Regel ist gespeichert.")).to_be_visible()
    rules = page.get_by_role("table", name="Geltende Regeln")
    expect(rules).to_contain_text("Abteilung Test")
    axe(page, "rules list with the new rule")
