"""Every page in the access matrix: axe (WCAG 2.1 A/AA), one h1, reflow at 320 px and at 200 % zoom.

The pages come from ``tests/access/`` (every route has a row there), so a page a later issue adds is
checked here as soon as its row exists. Each page is opened by the narrowest role allowed to see it.
Pages whose URL needs objects (an id) are covered by the journeys instead.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.access.test_matrix import ROUTES
from tests.browser.conftest import assert_no_horizontal_scroll

#: not pages: machine endpoints and assets
NOT_PAGES = {"main.healthz", "static"}


def _role_for(route) -> str:
    if route.public:
        return "anonymous"
    specific = [r for r in route.allowed if r not in ("anonymous", "admin")]
    return specific[0] if specific else route.allowed[0]


PAGES = sorted(
    {(route.url, _role_for(route)) for route in ROUTES
     if route.method == "GET" and isinstance(route.url, str) and route.endpoint not in NOT_PAGES},
)


def _open(page_as, page, role: str, path: str):
    target = page if role == "anonymous" else page_as(role)
    probe = target.request.get(path, max_redirects=5)
    return target, probe


@pytest.mark.parametrize(("path", "role"), PAGES, ids=[f"{role} {path}" for path, role in PAGES])
def test_page_is_accessible_and_reflows(path: str, role: str, page, page_as, axe) -> None:
    target, probe = _open(page_as, page, role, path)
    if "text/html" not in probe.headers.get("content-type", ""):
        # a download (JSON, PDF, CSV): it must be delivered, there is no page to check
        assert probe.status == 200, (path, probe.status)
        return
    target.goto(path)
    expect(target.locator("h1")).to_have_count(1)
    expect(target.locator("main#main")).to_be_visible()
    axe(target, f"{role} {path}")

    target.set_viewport_size({"width": 320, "height": 720})
    assert_no_horizontal_scroll(target)
    expect(target.locator("h1")).to_be_in_viewport()
    axe(target, f"{role} {path} at 320 px")  # e.g. a table that scrolls must be reachable by keyboard

    # 200 % browser zoom on a 1280 px screen lays the page out in 640 CSS pixels
    target.set_viewport_size({"width": 640, "height": 450})
    assert_no_horizontal_scroll(target)
    expect(target.locator("h1")).to_be_visible()


def test_error_page_404_in_the_layout(page, axe) -> None:
    response = page.goto("/gibt-es-nicht")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    expect(page.get_by_role("link", name="Zur Startseite")).to_be_visible()
    axe(page, "404")


def test_error_page_403_in_the_layout(page_as, axe) -> None:
    page = page_as("committee")
    response = page.goto("/admin/konten")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugriff")
    axe(page, "403")


def test_language_switch_is_remembered_across_pages(page_as, axe) -> None:
    page = page_as("hr")
    page.goto("/organisation/einheiten")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    switch = page.locator(".lang-switch button")
    expect(switch).to_have_attribute("lang", "en")
    switch.click()
    # back on the same page, now in English
    expect(page).to_have_url(re.compile(r"/organisation/einheiten$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(switch).to_have_attribute("lang", "de")
    expect(switch).to_have_text("Deutsch")
    axe(page, "units in English")
    page.goto("/organisation/beschaeftigte")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".lang-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")


def test_language_switch_works_before_login(page) -> None:
    page.goto("/anmelden")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/datenschutz")
    expect(page.locator("html")).to_have_attribute("lang", "en")
