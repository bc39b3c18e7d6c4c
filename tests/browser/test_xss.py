"""XSS in a real browser: every payload of tests/data/xss-payloads.txt as employee names (staff list, HR)
and in a course module (learner), rendered by the live server in Chromium.

No payload may run: no dialog opens (every payload that runs calls alert), no script element but the
app's own and no event-handler attribute is in the DOM, and the browser reports no Content-Security-
Policy violation (which would mean something tried to run and only the CSP stopped it).
"""

from __future__ import annotations

from playwright.sync_api import Page

from lms import markdown
from tests.browser.conftest import LiveServer
from tests.fuzz.strategies import xss_payloads

PAYLOADS = xss_payloads()
DOM_CHECK = """() => ({
  scripts: [...document.scripts].map(s => s.getAttribute('src')).filter(s => s !== '/static/js/app.js'),
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on'))
                                                                 .map(a => e.tagName + ' ' + a.name)),
  jsUrls: [...document.querySelectorAll('[href],[src],[action],[formaction]')]
            .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction'))
            .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
})"""


class Watch:
    """Collects dialogs (dismissed at once), CSP reports and page errors of one page."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.csp: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.csp.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def check(self, page: Page) -> None:
        page.wait_for_load_state("load")
        # hover and focus everything in the content: handlers that need an interaction get it
        page.evaluate("""() => document.querySelectorAll('main *').forEach(e => {
            for (const t of ['mouseover', 'mouseenter', 'focus', 'pointerover', 'toggle', 'animationstart'])
              e.dispatchEvent(new Event(t, {bubbles: true}));
          })""")
        dom = page.evaluate(DOM_CHECK)
        assert self.dialogs == [], (page.url, self.dialogs)
        assert dom == {"scripts": [], "handlers": [], "jsUrls": []}, (page.url, dom)
        assert self.csp == [], (page.url, self.csp[:3])
        assert self.errors == [], (page.url, self.errors[:3])


def _seed(server: LiveServer) -> str:
    """Employees named with the payloads, and a course whose modules carry them (rendered and sanitised
    as ``lms courses import`` does). Once per server; returns the course slug."""
    with server.app_context():
        from sqlalchemy import select

        from lms import db
        from lms.org.models import Employee, OrgUnit
        from tests.learning.factories import create_course

        if db.session.scalar(select(Employee.id).where(Employee.personnel_no == "XSS0000")) is None:
            unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "BT"))
            for n, payload in enumerate(PAYLOADS):
                db.session.add(Employee(personnel_no=f"XSS{n:04d}", first_name=payload[:100], last_name=payload[:100],
                                        position=payload[:200], email=f"xss{n}@xss.example", org_unit=unit))
            half = len(PAYLOADS) // 2
            html = [markdown.render("\n\n".join(f"{p}\n\n[Link {n}]({p})" for n, p in enumerate(chunk)),
                                    base="/kurse/xss-kurs/") for chunk in (PAYLOADS[:half], PAYLOADS[half:])]
            version = create_course("xss-kurs", title="XSS-Kurs", modules=2, module_html=html[0])
            version.modules[1].html = html[1]
            db.session.commit()
    return "xss-kurs"


def test_payload_named_employees_run_nothing_on_the_staff_list(live_server, page_as):
    _seed(live_server)
    page = page_as("hr")
    watch = Watch(page)
    pages = len(PAYLOADS) // 50 + 1
    for n in range(1, pages + 1):
        page.goto(f"/organisation/beschaeftigte?q=xss.example&page={n}")
        watch.check(page)
    assert page.locator("tbody tr").count() > 0


def test_payloads_in_a_course_module_run_nothing(live_server, page_as):
    slug = _seed(live_server)
    page = page_as("employee")
    watch = Watch(page)
    for position in (1, 2):
        page.goto(f"/schulungen/{slug}/module/{position}")
        watch.check(page)
