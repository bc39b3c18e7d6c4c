"""Journeys of a learner: the mandatory course with the keyboard only, the certificate, session expiry."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from tests.browser.conftest import MANDATORY_COURSE, SECRET_KEY, LiveServer, assert_tagged_pdf, login


def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches ``selector`` (fails after ``limit`` presses)."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def choose_with_keyboard(page: Page, item_id: int, option_ids: list[int], multiple: bool) -> None:
    """Select options the way a keyboard user does: Tab into the group, arrows for radios, Space."""
    if multiple:
        for option_id in option_ids:
            tab_to(page, f"#item-{item_id}-{option_id}")
            page.keyboard.press("Space")
        return
    tab_to(page, f'input[name="item-{item_id}"]')
    target = f"item-{item_id}-{option_ids[0]}"
    for _ in range(10):
        if page.evaluate("() => document.activeElement.id") == target:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"arrow keys never reached {target}")


def answers(server: LiveServer, attempt_id: int, correct: bool = True) -> list[dict[str, Any]]:
    """The test's oracle: per item of the attempt, the correct (or a wrong) option ids."""
    from lms import db
    from lms.learning.models import AttemptItem

    out = []
    with server.app_context():
        items = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                                   .order_by(AttemptItem.position)).all()
        for item in items:
            right = [o.id for o in item.question.options if o.is_correct]
            wrong = [o.id for o in item.question.options if not o.is_correct]
            out.append({"item": item.id, "multiple": item.question.type == "multiple",
                        "options": right if correct else wrong[:1]})
        db.session.rollback()
    return out


def attempt_id_of(page: Page) -> int:
    match = re.search(r"/schulungen/versuch/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def test_employee_completes_the_mandatory_course_with_the_keyboard_only(
        live_server: LiveServer, new_context, axe) -> None:
    page = new_context().new_page()
    login(page, "keyboard.browser@stadt.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Schulungen")
    mandatory = page.locator("section", has=page.get_by_role("heading", name="Pflichtschulungen"))
    expect(mandatory).to_contain_text("KI-Grundlagen")
    axe(page, "my courses, nothing done")

    tab_to(page, f'main a[href$="/schulungen/{MANDATORY_COURSE}"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/schulungen/{MANDATORY_COURSE}$"))
    axe(page, "course page, nothing done")
    tab_to(page, 'a.kern-btn[href*="/module/1"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/module/1$"))

    modules = 0
    while "/module/" in page.url:
        modules += 1
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if modules == 1:
            axe(page, "module page")
        acknowledge = page.get_by_role("button", name="Bestätigen und weiter")
        if acknowledge.count():
            axe(page, "module with acknowledgement")
            # forgetting the box: the error is announced and tied to it
            tab_to(page, "form.stack button[type=submit]")
            page.keyboard.press("Enter")
            expect(page.get_by_role("alert")).to_be_visible()
            box = page.locator("input[type=checkbox]")
            expect(box).to_have_attribute("aria-describedby", re.compile("error"))
            axe(page, "acknowledgement missing")
            tab_to(page, "input[type=checkbox]")
            page.keyboard.press("Space")
            expect(box).to_be_checked()
            tab_to(page, "form.stack button[type=submit]")
        else:
            tab_to(page, 'main form button[type=submit]')
        current = page.url
        page.keyboard.press("Enter")
        expect(page).not_to_have_url(current)
    assert modules == 6, modules
    expect(page).to_have_url(re.compile(f"/schulungen/{MANDATORY_COURSE}$"))
    axe(page, "course page, all modules read")

    tab_to(page, 'main form button[type=submit]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/schulungen/versuch/\d+$"))
    axe(page, "quiz")
    for line in answers(live_server, attempt_id_of(page)):
        choose_with_keyboard(page, line["item"], line["options"], line["multiple"])
    tab_to(page, "main button.kern-btn--primary[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/ergebnis$"))
    expect(page.get_by_role("status")).to_contain_text("Bestanden")
    axe(page, "quiz result, passed")

    link = page.locator('main a[href*="/zertifikate/"]').first
    href = link.get_attribute("href") or ""
    code = re.search(r"/zertifikate/([^/]+)\.pdf", href).group(1)
    tab_to(page, 'main a[href*="/zertifikate/"]')
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000, pdf[:20]
    assert assert_tagged_pdf(pdf, live_server.tmp)["Title"].startswith("Zertifikat")

    # anyone can verify it, without logging in
    checker = new_context().new_page()
    checker.goto(f"/pruefen/{code}")
    expect(checker.get_by_role("status")).to_contain_text("Gültiges Zertifikat")
    expect(checker.locator("main")).to_contain_text("KI-Grundlagen")
    axe(checker, "certificate verification, valid")
    checker.goto("/pruefen/GIBTESNICHT")
    expect(checker.get_by_role("status")).to_contain_text("Unbekannter Prüfcode")
    axe(checker, "certificate verification, unknown")

    page.goto("/schulungen")
    expect(page.locator("section", has=page.get_by_role("heading", name="Abgeschlossen"))).to_contain_text(
        "KI-Grundlagen")
    axe(page, "my courses, one completed")
    page.goto("/meine-daten")
    axe(page, "my data with a completion")


def expire_session(server: LiveServer, context: BrowserContext) -> None:
    """Age the login session's last activity past LMS_SESSION_IDLE_MINUTES, as if the learner left."""
    from lms import create_app

    app = create_app({"DATABASE_URL": server.env["DATABASE_URL"], "SECRET_KEY": SECRET_KEY, "LMS_DEV": True})
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = next(c for c in context.cookies() if c["name"] == app.config["SESSION_COOKIE_NAME"])
    data = serializer.loads(cookie["value"])
    data["seen_at"] -= 31 * 60
    data["login_at"] -= 31 * 60
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def test_session_expiry_returns_to_login_and_loses_no_answers(live_server: LiveServer, new_context, axe) -> None:
    context = new_context()
    page = context.new_page()
    login(page, "expiry.browser@stadt.example")
    page.goto(f"/schulungen/{MANDATORY_COURSE}")
    page.get_by_role("button", name="Quiz jetzt starten").click()
    expect(page).to_have_url(re.compile(r"/schulungen/versuch/\d+$"))
    attempt = attempt_id_of(page)
    lines = answers(live_server, attempt, correct=False)
    first, second = lines[0], lines[1]
    page.locator(f"#item-{first['item']}-{first['options'][0]}").check()
    page.get_by_role("button", name="Zwischenspeichern").click()
    expect(page.locator(f"#item-{first['item']}-{first['options'][0]}")).to_be_checked()
    # a second answer, not saved yet, then the learner is away longer than the idle timeout
    page.locator(f"#item-{second['item']}-{second['options'][0]}").check()
    expire_session(live_server, context)

    page.get_by_role("button", name="Antworten abgeben").click()
    expect(page).to_have_url(re.compile(r"/anmelden"))
    expect(page.get_by_role("status")).to_contain_text("Ihre Sitzung ist abgelaufen")
    axe(page, "login after session expiry")
    page.get_by_label("E-Mail-Adresse").fill("expiry.browser@stadt.example")
    page.get_by_label("Passwort").fill("Browser-Journey-Passwort-7")
    page.get_by_role("button", name="Anmelden").click()

    expect(page).to_have_url(re.compile(rf"/schulungen/versuch/{attempt}$"))
    expect(page.locator(f"#item-{first['item']}-{first['options'][0]}")).to_be_checked()
    expect(page.locator(f"#item-{second['item']}-{second['options'][0]}")).to_be_checked()
