"""Real-browser fixtures: a live gunicorn server, Debian's Chromium, logged-in pages per role, axe.

Adding a journey is cheap::

    def test_something(page_as, axe):
        page = page_as("hr")
        page.goto("/organisation/beschaeftigte")
        expect(page.get_by_role("heading", level=1)).to_have_text("Beschäftigte")
        axe(page, "staff list")

The server runs once per session against a temporary SQLite database made by ``lms db upgrade``,
with the courses imported and the demo city loaded (when those commands exist), plus one account
per role (``ACCOUNTS``, password ``PASSWORD``). Tests that end sessions (logout, role change) use
``fresh_account(role)``, which creates a new account through ``lms users create``.

``LMS_BROWSER_COURSES_DIR`` points the server at another course folder (default: ``courses/``).
Chromium is required: if /usr/bin/chromium is missing the tests fail (``make test`` installs it).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PASSWORD = "Browser-Journey-Passwort-7"
SECRET_KEY = "browser-test-secret-key"
#: one account per role; the employee ones are linked to employees of the seeded staff file
ACCOUNTS = {
    "employee": "erika.browser@stadt.example",
    "coordinator": "coordination.browser@stadt.example",
    "hr": "hr.browser@stadt.example",
    "committee": "committee.browser@stadt.example",
    "author": "author.browser@stadt.example",
    "admin": "admin.browser@stadt.example",
    "personalrat": "council.browser@stadt.example",
}
#: employees (each with an account) for journeys that change learning state, one per journey
EMPLOYEES = ("erika.browser", "keyboard.browser", "expiry.browser", "unanswered.browser", "reader.browser",
             "confirmer.browser")
#: the mandatory course every seeded employee is assigned
MANDATORY_COURSE = "ki-grundlagen"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: generous fixed timeouts: Playwright waits for conditions, these only bound a hang
#: 120 s because the committee's first figures on a cold server take seconds to tens of seconds (the
#: suppression audit; docs/performance.md) and the suite shares two cores
TIMEOUT_MS = 120_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------------------------------
# the live server

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    tmp: Path
    log: Path
    process: subprocess.Popen | None = None
    _log_file: Any = None
    _app: Any = None
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def lms(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """Run the ``lms`` command against the server's database."""
        result = subprocess.run([str(BIN / "lms"), *args], env=self.env, cwd=ROOT, input=input,
                                capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"lms {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    @contextlib.contextmanager
    def app_context(self) -> Iterator[None]:
        """The app on the server's database, in this process: for seeding and for test oracles."""
        from lms import create_app

        if self._app is None:
            self._app = create_app({"DATABASE_URL": self.env["DATABASE_URL"], "SECRET_KEY": SECRET_KEY,
                                    "LMS_DEV": True})
        with self._app.app_context():
            yield

    def create_account(self, role: str, email: str | None = None) -> str:
        """A new account with PASSWORD through ``lms users create``; returns its e-mail."""
        email = email or f"{role}.{next(self._seq)}.{os.getpid()}@browser.example"
        self.lms(*self._create_args(role, email), input=PASSWORD + "\n")
        return email

    def create_accounts(self, accounts: list[tuple[str, str]]) -> None:
        """Several ``lms users create`` at once (SQLite writers queue; each process hashes a password)."""
        procs = []
        for role, email in accounts:
            proc = subprocess.Popen([str(BIN / "lms"), *self._create_args(role, email)], env=self.env, cwd=ROOT,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True)
            procs.append((email, proc))
        for email, proc in procs:
            out, _ = proc.communicate(PASSWORD + "\n", timeout=300)
            assert proc.returncode == 0, f"lms users create {email} failed:\n{out}"

    @staticmethod
    def _create_args(role: str, email: str) -> list[str]:
        args = ["users", "create", email, "--role", role, "--password-stdin"]
        if role == "coordinator":
            args += ["--unit", "BT"]
        if role != "employee":
            args += ["--name", f"Browser {role.title()}"]
        return args

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310  # nosec B310 # the test server's own http URL
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not become healthy:\n{self.log.read_text()}")
            time.sleep(0.1)  # polling a starting process, not waiting for the page

    def start(self) -> None:
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-b", self.url.removeprefix("http://"), "-w", "2",
             "--graceful-timeout", "2", "--timeout", "180", "wsgi:app"],
            env=self.env, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT,
        )
        self.wait_healthy()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file:
            self._log_file.close()
        if self._app is not None:
            from lms import db

            db.get_db(self._app).dispose()


def _seed(server: LiveServer) -> None:
    """A small unit tree and staff file for the browser accounts, imported like HR would."""
    units = server.tmp / "units.csv"
    units.write_text("Kennung;Bezeichnung;Übergeordnet\nBT;Browser-Testamt;\nBT.1;Abteilung Test;BT\n",
                     encoding="utf-8")
    staff = server.tmp / "staff.csv"
    rows = ["Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Funktion;Eintritt"]
    for n, local in enumerate(EMPLOYEES, start=1):
        first = local.split(".")[0].title()
        rows.append(f"BT{n:04d};Browser;{first};{local}@stadt.example;BT.1;Sachbearbeitung;01.01.2020")
    staff.write_text("\n".join(rows) + "\n", encoding="utf-8")
    server.lms("import", "units", str(units))
    server.lms("import", "staff", str(staff))
    with server.app_context():
        from datetime import UTC, datetime, timedelta

        from sqlalchemy import select

        from lms import db
        from lms.catalog.models import Course
        from lms.org.models import Employee
        from lms.training import services as training
        from lms.training.models import Assignment

        course = db.session.scalar(select(Course).where(Course.slug == MANDATORY_COURSE))
        assert course is not None, f"course {MANDATORY_COURSE} not imported"
        # the demo's rules may have reached them on import already; either way: due in 30 days
        due = datetime.now(UTC).date() + timedelta(days=30)
        ids = db.session.scalars(select(Employee.id).where(Employee.personnel_no.like("BT%"))).all()
        training.open_obligations(ids, course, due_on=due)
        for assignment in db.session.scalars(select(Assignment).where(
                Assignment.employee_id.in_(ids), Assignment.course_id == course.id, Assignment.is_current)):
            assignment.due_on = due
        db.session.commit()


_databases = itertools.count(1)


def _database_url(tmp: Path) -> str:
    """SQLite in ``tmp``; in the PostgreSQL run (``TEST_DATABASE_URL``) a new database on that server,
    so the journeys run against PostgreSQL under gunicorn too."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return f"sqlite:///{tmp / 'lms.sqlite3'}"
    from tests.conftest import new_pg_database

    return new_pg_database("lms_browser")


def make_server(tmp: Path, **settings: str) -> LiveServer:
    """Migrate a fresh database, load content and accounts, start gunicorn. Caller stops it."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "DATABASE_URL", "TEST_DATABASE"))},
        "DATABASE_URL": _database_url(tmp),
        "SECRET_KEY": SECRET_KEY,
        "LMS_DEV": "1",
        "LMS_BASE_URL": url,
        # every journey logs in from 127.0.0.1: keep the per-address lock out of the way
        "LMS_IP_MAX_FAILURES": "10000",
        "LANG": "C.UTF-8",
        **({"LMS_COURSES_DIR": os.environ["LMS_BROWSER_COURSES_DIR"]}
           if os.environ.get("LMS_BROWSER_COURSES_DIR") else {}),
        **settings,
    }
    if "LMS_COURSES_DIR" not in env:
        # a copy, so that journeys may add a course of their own without touching courses/
        shutil.copytree(ROOT / "courses", tmp / "courses")
        env["LMS_COURSES_DIR"] = str(tmp / "courses")
    server = LiveServer(url=url, env=env, tmp=tmp, log=tmp / "server.log")
    server.lms("db", "upgrade")
    server.lms("courses", "import")
    server.lms("demo", "load")
    _seed(server)
    server.create_accounts([*ACCOUNTS.items(), *(("employee", f"{e}@stadt.example") for e in EMPLOYEES[1:])])
    server.start()
    return server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = make_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Pages take paths: ``page.goto("/anmelden")``."""
    return live_server.url


@pytest.fixture
def fresh_account(live_server: LiveServer) -> Callable[..., str]:
    """``fresh_account(role)``: a new account (e-mail returned) for journeys that end its sessions."""
    return live_server.create_account


# --------------------------------------------------------------------------------------------------
# the browser

@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` (apt-get install chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


ContextFactory = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[ContextFactory]:
    """``new_context(**options)``: a fresh browser context (own cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        defaults: dict[str, Any] = {"base_url": base_url, "locale": "de-DE",
                                    "viewport": {"width": 1280, "height": 900}}
        context = browser.new_context(**{**defaults, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context: ContextFactory) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page without login."""
    return context.new_page()


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person would."""
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


@pytest.fixture(scope="session")
def _storage_states() -> dict[str, Any]:
    return {}


@pytest.fixture
def page_as(new_context: ContextFactory, _storage_states: dict[str, Any]) -> Callable[..., Page]:
    """``page_as(role, **context_options)``: a page logged in as that role's account.

    The login happens once per role per session; later pages reuse its cookies. Never log these
    accounts out (that ends their sessions for every test): use ``fresh_account`` for that.
    """

    def make(role: str, **options: Any) -> Page:
        if role not in _storage_states:
            context = new_context()
            first = context.new_page()
            login(first, ACCOUNTS[role])
            _storage_states[role] = context.storage_state()
        context = new_context(storage_state=_storage_states[role], **options)
        return context.new_page()

    return make


# --------------------------------------------------------------------------------------------------
# accessibility

#: every page state axe checked in this session: (label, url, violations)
AXE_LOG: list[tuple[str, str, int]] = []


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  {v.get('helpUrl', '')}")
        for node in v["nodes"][:10]:
            lines.append(f"    target {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


_AXE = Axe()


@pytest.fixture
def axe() -> Callable[..., None]:
    """``axe(page, label)``: run axe-core (WCAG 2.1 A/AA) on the page as it is now; zero violations."""

    def check(page: Page, label: str = "") -> None:
        page.wait_for_load_state("load")
        result = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = result.response["violations"]
        AXE_LOG.append((label or page.url, page.url, len(violations)))
        assert not violations, (f"axe: {len(violations)} WCAG 2.1 A/AA violation(s) on "
                                f"{label or ''} {page.url}:\n{format_violations(violations)}")

    return check


#: checks beyond axe (test_a11y.py), counted for the terminal summary and docs/accessibility.md
A11Y_COUNTS: dict[str, int] = {}


def count(what: str, n: int = 1) -> None:
    A11Y_COUNTS[what] = A11Y_COUNTS.get(what, 0) + n


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if A11Y_COUNTS:
        terminalreporter.write_line("beyond axe: " + ", ".join(f"{k} {v}" for k, v in sorted(A11Y_COUNTS.items())))
    if not AXE_LOG:
        return
    urls = {url.split("?")[0] for _, url, _ in AXE_LOG}
    failed = sum(1 for *_, n in AXE_LOG if n)
    terminalreporter.write_line(
        f"axe (WCAG 2.1 A/AA): {len(AXE_LOG)} page states on {len(urls)} distinct pages checked, "
        f"{failed} with violations")
    out = os.environ.get("LMS_AXE_REPORT")
    if out:
        Path(out).write_text(json.dumps([{"label": a, "url": u, "violations": n} for a, u, n in AXE_LOG],
                                        indent=1))


# --------------------------------------------------------------------------------------------------
# layout checks shared by journeys

def assert_no_horizontal_scroll(page: Page) -> None:
    """WCAG 1.4.10 reflow: the page itself never scrolls sideways (tables scroll in their own box)."""
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"horizontal scrolling on {page.url}: content {sizes[0]} px > {sizes[1]} px"



def assert_tagged_pdf(body: bytes, tmp: Path) -> dict[str, str]:
    """``pdfinfo`` (poppler-utils) reads the PDF as tagged, with a title (EN 301 549 ch. 10)."""
    import shutil

    assert shutil.which("pdfinfo"), "pdfinfo missing: `make system-deps` installs poppler-utils"
    path = tmp / f"document-{next(_databases)}.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    info = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}
    assert info.get("Tagged") == "yes", out
    assert info.get("Title"), out
    count("PDFs tagged (pdfinfo)")
    return info
