"""Journey: the staff council (Personalrat) reads who looked at whose data, filters the log and opens
the annexes of the Dienstvereinbarung; the admin searches one person's logins only with a reason. Axe on
every state."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ACCOUNTS


def test_council_reads_the_access_log_filters_it_and_opens_the_annexes(page_as, axe) -> None:
    # HR opens the named list of mandatory training: an audited view the council must see
    hr = page_as("hr")
    hr.goto("/berichte/pflichtschulungen")
    expect(hr.get_by_role("heading", level=1)).to_be_visible()

    page = page_as("personalrat")
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Zugriffsprotokoll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zugriffsprotokoll")
    table = page.get_by_role("table", name="Protokolleinträge, neueste zuerst")
    expect(table).to_contain_text(ACCOUNTS["hr"])
    expect(table).not_to_contain_text("Anmeldung")  # no login events, ever
    axe(page, "staff council: access log")

    page.get_by_label("Ereignis").select_option(label="Liste der Pflichtschulungen angesehen")
    page.get_by_label("Wer (E-Mail)").fill("hr.browser")
    page.get_by_role("button", name="Filtern").click()
    expect(page).to_have_url(re.compile(r"action=report\.list"))
    rows = table.locator("tbody tr")
    expect(rows.first).to_contain_text("Liste der Pflichtschulungen angesehen")
    for text in rows.all_inner_texts():
        assert ACCOUNTS["hr"] in text and "report.list" in text, text
    axe(page, "staff council: access log filtered")

    page.get_by_role("navigation").get_by_role("link", name="Dienstvereinbarung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dienstvereinbarung")
    expect(page.locator("code.dv-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    axe(page, "staff council: annexes")
    page.get_by_role("link", name=re.compile(r"^Anlage 1:")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Anlage 1: Berechtigungen"))
    expect(page.get_by_role("heading", name="Rolle: Personalstelle")).to_be_visible()
    axe(page, "staff council: annex 1")
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^Anlage 2:")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Tabelle users"))).to_be_visible()
    axe(page, "staff council: annex 2")
    pdf = page.request.get("/dienstvereinbarung/anlage-3.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # never learning data: the reports are refused
    response = page.goto("/berichte/pflichtschulungen")
    assert response is not None and response.status == 403


def test_admin_searches_a_persons_logins_only_with_a_reason(page_as, axe) -> None:
    page = page_as("admin")
    page.goto("/admin/protokoll")
    page.get_by_label("Person (E-Mail)").fill("hr.browser")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("status")).to_contain_text("Anmeldeereignisse sind ausgeblendet")
    table = page.get_by_role("table", name="Protokolleinträge, neueste zuerst")
    expect(table.locator("code", has_text=re.compile(r"^auth\.login$"))).to_have_count(0)
    axe(page, "admin: person search without a reason")

    page.get_by_label("Begründung (nur für Anmeldeereignisse einer Person)").fill(
        "Ticket 4711: Verdacht auf Kontomissbrauch")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("status")).to_have_count(0)
    expect(table.locator("code", has_text=re.compile(r"^auth\.login$")).first).to_be_visible()
    axe(page, "admin: person search with a reason")

    council = page_as("personalrat")
    council.goto("/personalrat/protokoll?action=audit.security_search")
    expect(council.get_by_role("table", name="Protokolleinträge, neueste zuerst")).to_contain_text(
        "Ticket 4711: Verdacht auf Kontomissbrauch")
