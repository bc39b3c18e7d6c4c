"""Journeys: log in, wrong password, log out, keyboard and focus on the login page, an admin changes a role."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import ACCOUNTS, PASSWORD, login


def focus_ring(page: Page) -> dict[str, str]:
    """Computed outline of the focused element (a visible focus indicator, WCAG 2.4.7)."""
    return page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return {tag: document.activeElement.tagName, text: document.activeElement.textContent.trim(),
                style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor, shadow: s.boxShadow};
    }""")


def assert_visible_focus(page: Page) -> None:
    ring = focus_ring(page)
    has_outline = ring["style"] not in ("none", "") and float(ring["width"].removesuffix("px")) >= 2
    assert has_outline or ring["shadow"] != "none", f"no visible focus indicator on {ring}"


def test_login_and_start_page(page: Page, axe) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/anmelden"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    axe(page, "login form")
    login(page, ACCOUNTS["hr"])
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    expect(page.locator(".site-header__user")).to_contain_text("Personalstelle")
    axe(page, "start page hr")


def test_wrong_password_is_announced_and_tied_to_the_field(page: Page, axe) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(ACCOUNTS["committee"])
    page.get_by_label("Passwort").fill("ganz-sicher-falsch-123")
    page.get_by_role("button", name="Anmelden").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Bitte korrigieren Sie die markierten Angaben.")
    expect(alert).to_contain_text("E-Mail-Adresse oder Passwort ist falsch.")
    password = page.get_by_label("Passwort")
    expect(password).to_have_attribute("aria-invalid", "true")
    described = password.get_attribute("aria-describedby") or ""
    assert described, "the error must be tied to the field"
    expect(page.locator(f"#{described.split()[-1]}")).to_contain_text("E-Mail-Adresse oder Passwort ist falsch.")
    # the summary links to the field
    alert.get_by_role("link").click()
    expect(password).to_be_focused()
    axe(page, "login with error")


def test_empty_login_names_every_missing_field(page: Page, axe) -> None:
    page.goto("/anmelden")
    page.get_by_role("button", name="Anmelden").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("link")).to_have_count(2)
    expect(page.get_by_label("E-Mail-Adresse")).to_have_attribute("aria-invalid", "true")
    axe(page, "login with missing fields")


def test_logout_ends_the_session(page: Page, fresh_account, axe) -> None:
    email = fresh_account("author")
    login(page, email)
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Sie sind abgemeldet.")
    axe(page, "after logout")
    page.goto("/admin/konten")
    expect(page).to_have_url(re.compile(r"/anmelden\?next="))


def test_keyboard_order_and_visible_focus_on_login(page: Page) -> None:
    page.goto("/anmelden")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_visible_focus(page)
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        stops.append(ring["text"] or page.evaluate("document.activeElement.id"))
        assert_visible_focus(page)
        if ring["tag"] == "BUTTON" and ring["text"] == "Anmelden":
            break
    # brand, language switch, then the form in reading order
    assert stops[0].startswith("KI-Kompetenz") and stops[1:5] == ["English", "email", "password", "Anmelden"], stops
    # the skip link moves focus to main content
    page.goto("/anmelden")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-Mail-Adresse")).to_be_focused()
    # submitting with Enter works
    page.keyboard.type(ACCOUNTS["author"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def test_admin_changes_a_role_and_that_users_session_ends(page_as, new_context, fresh_account, axe) -> None:
    email = fresh_account("committee")
    theirs = new_context().new_page()
    login(theirs, email)
    expect(theirs.locator(".site-header__user")).to_contain_text("Ausschuss")

    admin = page_as("admin")
    admin.goto("/admin/konten")
    axe(admin, "accounts list")
    admin.get_by_label("Suche nach E-Mail oder Rolle").fill(email)
    admin.get_by_role("button", name="Suchen").click()
    admin.get_by_role("row").filter(has_text=email).get_by_role("link", name=re.compile("Rolle ändern")).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Rolle ändern")
    axe(admin, "edit role form")
    admin.get_by_label("Rolle", exact=True).select_option(label="Redaktion")
    admin.get_by_role("button", name="Rolle speichern").click()
    expect(admin.get_by_role("status")).to_contain_text(f"Rolle von {email} geändert")
    axe(admin, "accounts list after change")

    theirs.reload()
    expect(theirs).to_have_url(re.compile(r"/anmelden"))
    expect(theirs.get_by_role("button", name="Abmelden")).to_have_count(0)
    login(theirs, email)
    expect(theirs.locator(".site-header__user")).to_contain_text("Redaktion")


def test_admin_role_form_errors_are_announced(page_as, axe) -> None:
    admin = page_as("admin")
    admin.goto("/admin/konten/neu")
    axe(admin, "create account form")
    admin.get_by_label("E-Mail-Adresse").fill("kein-at-zeichen")
    admin.get_by_role("button", name="Konto anlegen und Einladung erzeugen").click()
    expect(admin.get_by_role("alert")).to_be_visible()
    expect(admin.get_by_label("E-Mail-Adresse")).to_have_attribute("aria-invalid", "true")
    axe(admin, "create account form with errors")
