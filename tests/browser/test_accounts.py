"""Journeys: an employee resets a forgotten password from the e-mail the test SMTP server received;
an admin deactivates and unlocks an account. axe on every page state."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, LiveServer, login, make_server
from tests.smtp import smtp_server, text_part  # noqa: F401

NEW_PASSWORD = "Ein-neuer-Satz-aus-vielen-Woertern-9"
RESET_EMAIL = "confirmer.browser@stadt.example"


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, object]]:
    """A server of its own whose mails go to a real local SMTP server (aiosmtpd)."""
    from aiosmtpd.controller import Controller

    from tests.smtp import Mailbox, free_port

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    server = make_server(tmp_path_factory.mktemp("mail"), LMS_SMTP_HOST="127.0.0.1",
                         LMS_SMTP_PORT=str(smtp.port), LMS_MAIL_FROM="KI-Kompetenz <lernen@stadt.example>")
    try:
        yield server, mailbox
    finally:
        server.stop()
        smtp.stop()


def test_employee_resets_a_forgotten_password_from_the_mail(new_context, mail_server, axe) -> None:
    server, mailbox = mail_server
    page = new_context(base_url=server.url).new_page()
    page.goto("/anmelden")
    page.get_by_role("link", name="Passwort vergessen?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passwort vergessen")
    axe(page, "forgotten password form")
    page.get_by_label("E-Mail-Adresse").fill(RESET_EMAIL)
    page.get_by_role("button", name="Link anfordern").click()
    expect(page.get_by_role("status")).to_contain_text("haben wir einen Link an diese Adresse geschickt")
    axe(page, "login after reset request")

    [message] = mailbox.wait_for(RESET_EMAIL)
    link = re.search(r"http://\S+/passwort-neu/\S+", text_part(message)).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Neues Passwort festlegen")
    axe(page, "set a new password")
    page.get_by_label("Neues Passwort").fill(NEW_PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Ihr neues Passwort ist gespeichert")
    login(page, RESET_EMAIL, NEW_PASSWORD)

    # the link is spent
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dieser Link ist nicht mehr gültig")
    axe(page, "spent reset link")


def _failed_login(page: Page, email: str) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill("Ganz-sicher-falsch-123")
    page.get_by_role("button", name="Anmelden").click()


def test_admin_unlocks_and_deactivates_an_account(page_as, new_context, fresh_account, axe) -> None:
    email = fresh_account("committee")
    theirs = new_context().new_page()
    for _ in range(5):
        _failed_login(theirs, email)
    expect(theirs.get_by_role("alert").or_(theirs.get_by_role("status")).first).to_contain_text("gesperrt")

    admin = page_as("admin")
    admin.goto("/admin/konten")
    admin.get_by_label("Suche nach E-Mail oder Rolle").fill(email)
    admin.get_by_role("button", name="Suchen").click()
    expect(admin.get_by_role("columnheader", name="Letzte Anmeldung")).to_be_visible()
    admin.get_by_role("row").filter(has_text=email).get_by_role("link", name=re.compile("Verwalten")).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Konto verwalten")
    expect(admin.locator("#lock-state")).to_contain_text("gesperrt bis")
    expect(admin.locator("#last-login")).to_have_text("noch nie")
    axe(admin, "account page, locked")
    admin.get_by_role("button", name="Anmeldesperre aufheben").click()
    expect(admin.get_by_role("status")).to_contain_text("Anmeldesperre")
    expect(admin.locator("#lock-state")).to_have_text("nicht gesperrt")
    axe(admin, "account page, unlocked")

    login(theirs, email, PASSWORD)
    admin.reload()
    expect(admin.locator("#last-login")).not_to_have_text("noch nie")

    admin.get_by_role("button", name="Konto deaktivieren").click()
    expect(admin.get_by_role("status")).to_contain_text("ist deaktiviert")
    expect(admin.locator("#account-state")).to_have_text("deaktiviert")
    axe(admin, "account page, deactivated")

    theirs.reload()
    expect(theirs).to_have_url(re.compile(r"/anmelden"))
    theirs.get_by_label("E-Mail-Adresse").fill(email)
    theirs.get_by_label("Passwort").fill(PASSWORD)
    theirs.get_by_role("button", name="Anmelden").click()
    expect(theirs.locator("main")).to_contain_text("Ihr Konto ist deaktiviert. Bitte wenden Sie sich an")
    axe(theirs, "login of a deactivated account")

    admin.get_by_role("button", name="Konto reaktivieren").click()
    expect(admin.locator("#account-state")).to_have_text("aktiv")
    login(theirs, email, PASSWORD)
