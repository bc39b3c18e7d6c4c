"""Screenshots of every main page at 1280 px and 375 px into docs/screenshots/ (``make screenshots``).

Starts its own server on a temporary database with the courses and the demo city (the same live server
as the browser tests), logs in with the demo accounts and walks a learner through one course so the
course, quiz, result and verification pages have content. Needs Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms.demo.services import ACCOUNTS as DEMO_ACCOUNTS  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, login, make_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"desktop": 1280, "mobile": 375}


def demo(role: str) -> tuple[str, str]:
    account = next(a for a in DEMO_ACCOUNTS if a.role == role)
    return account.email, account.password


#: long pages are cut here (CSS pixels): the top of a page is what a reader compares
MAX_HEIGHT = 2000


def shoot(page: Page, name: str, written: list[str]) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
        path = OUT / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide",
                        clip={"x": 0, "y": 0, "width": width, "height": height})
        # a 256-colour palette keeps the PNGs small; KERN's flat colours survive it unchanged
        with Image.open(path) as image:
            image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
        written.append(path.name)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    written: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = make_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

                def page_for(role: str | None) -> Page:
                    context = browser.new_context(base_url=server.url, locale="de-DE",
                                                  viewport={"width": 1280, "height": 900})
                    context.set_default_timeout(15_000)
                    page = context.new_page()
                    if role:
                        email, password = demo(role)
                        login(page, email, password)
                    return page

                anon = page_for(None)
                for name, path in (("01-login", "/anmelden"), ("90-accessibility", "/barrierefreiheit"),
                                   ("91-privacy", "/datenschutz"), ("92-not-found", "/gibt-es-nicht")):
                    anon.goto(path)
                    shoot(anon, name, written)

                learner = page_for("employee")
                learner.goto("/schulungen")
                shoot(learner, "10-my-courses", written)
                course = learner.locator('main a[href^="/schulungen/"]').first.get_attribute("href")
                learner.goto(course)
                shoot(learner, "11-course", written)
                learner.goto(f"{course}/module/1")
                shoot(learner, "12-module", written)
                learner.goto(course)
                learner.locator("main form button[type=submit]").last.click()
                learner.wait_for_url(re.compile(r"/schulungen/versuch/\d+$"))
                shoot(learner, "13-quiz", written)
                learner.get_by_role("button", name="Antworten abgeben").click()
                learner.wait_for_url(re.compile(r"/ergebnis$"))
                shoot(learner, "14-quiz-result", written)
                learner.goto("/meine-daten")
                shoot(learner, "15-my-data", written)

                hr = page_for("hr")
                hr.goto("/")
                shoot(hr, "20-start-hr", written)
                hr.goto("/organisation/einheiten")
                shoot(hr, "21-org-units", written)
                hr.goto("/organisation/beschaeftigte")
                shoot(hr, "22-staff", written)
                hr.goto("/organisation/import")
                shoot(hr, "23-import", written)
                hr.get_by_label("CSV-Datei").set_input_files({
                    "name": "personal.csv", "mimeType": "text/csv",
                    "buffer": (b"Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit\n"
                               b"X1;Neumann;Nina;nina@stadt.example;GIBTESNICHT\n"
                               b"X2;Ostertag;Olaf;kein-at-zeichen;GIBTESNICHT\n")})
                hr.get_by_role("button", name="Datei prüfen").click()
                hr.wait_for_url(re.compile(r"/organisation/import$"))
                shoot(hr, "24-import-problems", written)

                author = page_for("author")
                author.goto("/katalog")
                shoot(author, "30-catalogue", written)

                admin = page_for("admin")
                admin.goto("/admin/konten")
                shoot(admin, "40-accounts", written)
                admin.locator('main a[href^="/admin/konten/"]').filter(has_text="Rolle").first.click()
                shoot(admin, "41-edit-role", written)
                admin.goto("/admin/protokoll")
                shoot(admin, "42-audit-log", written)
                browser.close()
        finally:
            server.stop()
    total = sum((OUT / name).stat().st_size for name in written)
    print(f"{len(written)} screenshots in {OUT.relative_to(ROOT)} ({total // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
