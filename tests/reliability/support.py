"""Real servers for the reliability tests: gunicorn instances, a Redis server, a database per test, and a
small browser-like HTTP client (cookies, CSRF token from the page, no automatic redirects).

Every process started here runs in its own process group and is ended by its id (never by name).
"""

from __future__ import annotations

import contextlib
import html
import http.client
import http.cookiejar
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "reliability-test-secret"
#: the course of :func:`seed`
SLUG = "durability"
#: errors a client sees when the server is killed under it or not yet listening
DOWN = (ConnectionError, urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_databases = itertools.count(1)


def new_database(template_sqlite: str, tmp: Path) -> str:
    """A migrated, empty database of its own: a copy of the session's SQLite template, or in the
    PostgreSQL run (``TEST_DATABASE_URL``) a new database on that server, migrated."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        path = tmp / f"reliability-{next(_databases)}.sqlite3"
        shutil.copy(template_sqlite, path)
        return f"sqlite:///{path}"
    from tests.conftest import migrate, new_pg_database

    url = new_pg_database("lms_rel")
    migrate(url, tmp)
    return url


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    pg = os.environ["TEST_DATABASE_URL"]
    name = make_url(url).database
    engine = create_engine(pg, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "DATABASE_URL", "TEST_DATABASE"))},
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "LMS_DEV": "1",  # plain HTTP on 127.0.0.1: cookies without Secure
        "LMS_COURSES_DIR": str(ROOT / "courses"),
        "LANG": "C.UTF-8",
        **settings,
    }


@dataclass
class Gunicorn:
    """One app server: ``gunicorn wsgi:app`` on a free port. ``kill()`` sends SIGKILL to its process
    group (master and workers at once, as a power cut or the OOM killer would)."""

    env: dict[str, str]
    log: Path
    workers: int = 2
    threads: int = 4
    #: import the app once in the master and fork the workers (a restart costs one import, not one per
    #: worker; the app opens no connection before a request, so nothing is shared across the fork)
    preload: bool = True
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers),
                 "--threads", str(self.threads), "--graceful-timeout", "2",
                 *(["--preload"] if self.preload else []), "wsgi:app"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(*DOWN):
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310  # nosec B310: the test server's own http://127.0.0.1 URL
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"gunicorn did not become healthy:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)  # polling a starting process

    def kill(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """A clean stop (SIGTERM to the master, which stops its workers)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        self.kill()


@dataclass
class Redis:
    """Debian's ``redis-server`` on a free port, its files in a temporary directory, no persistence."""

    tmp: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(exe).exists():
            raise RuntimeError("redis-server not found: run `make system-deps` (apt-get install redis-server)")
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.tmp), "--save", "",
             "--appendonly", "no", "--protected-mode", "yes", "--logfile", str(self.tmp / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start: " + (self.tmp / "redis.log").read_text()[-2000:])
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process = None


# --------------------------------------------------------------------------------------------------
# a browser-like client

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Response:
    status: int
    headers: Any
    body: str

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """Keeps cookies like a browser (one jar, usable against several servers on 127.0.0.1) and reads
    the CSRF token from the pages it gets, as a form would carry it."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.timeout = timeout
        self.csrf: str | None = None

    def request(self, method: str, path: str, data: dict[str, Any] | list[tuple[str, str]] | None = None, *,
                files: dict[str, tuple[str, bytes]] | None = None, base_url: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
        url = (base_url or self.base_url) + path
        body: bytes | None = None
        hdrs = dict(headers or {})
        if files is not None:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, list((data or {}).items()) if isinstance(data, dict) else data or [], files)
            hdrs["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=body, method=method, headers=hdrs)  # noqa: S310
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                response = Response(resp.status, resp.headers, resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            response = Response(exc.code, exc.headers, exc.read().decode("utf-8", "replace"))
        match = CSRF.search(response.body)
        if match:
            self.csrf = html.unescape(match.group(1))
        return response

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]] | None = None, **kwargs: Any) -> Response:
        """POST with the CSRF token of the last page seen."""
        fields: list[tuple[str, Any]] = list(data.items()) if isinstance(data, dict) else list(data or [])
        if self.csrf and not any(k == "csrf_token" for k, _ in fields):
            fields.append(("csrf_token", self.csrf))
        return self.request("POST", path, fields, **kwargs)

    def login(self, email: str, password: str, base_url: str | None = None) -> Response:
        self.get("/anmelden", base_url=base_url)
        response = self.post("/anmelden", {"email": email, "password": password}, base_url=base_url)
        if response.status == 302:
            self.get("/barrierefreiheit", base_url=base_url)  # a page with a form: the new session's token
        return response


def _multipart(boundary: str, fields: list[tuple[str, Any]], files: dict[str, tuple[str, bytes]]) -> bytes:
    out: list[bytes] = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                   f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


@contextlib.contextmanager
def app_on(url: str) -> Iterator[Any]:
    """The app in this process on ``url`` (seeding and checking), disposed afterwards."""
    from lms import create_app, db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "LMS_DEV": True, "TESTING": True,
                      "LMS_COURSES_DIR": str(ROOT / "courses")})
    try:
        with app.app_context():
            yield app
    finally:
        db.get_db(app).dispose()


def seed(url: str, learners: int, hr: bool = False) -> list[str]:
    """A unit, ``learners`` employees with accounts (password ``PASSWORD``), the course ``SLUG`` with
    unlimited attempts; optionally an HR account ``hr@dauer.example``. Returns the learners' e-mails."""
    from lms import db
    from lms.auth import services as auth_services
    from lms.org.models import Employee, OrgUnit
    from tests.learning.factories import create_course

    with app_on(url):
        unit = OrgUnit(code="D", name="Dauertest", path="/", depth=0)
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        emails = [f"lerner{n}@dauer.example" for n in range(learners)]
        for n, email in enumerate(emails):
            db.session.add(Employee(personnel_no=f"D{n:04d}", first_name="Lea", last_name=f"Lerner{n}",
                                    email=email, org_unit=unit))
        db.session.flush()
        for email in emails:
            auth_services.create_user(email, "employee", password=PASSWORD)
        if hr:
            auth_services.create_user("hr@dauer.example", "hr", password=PASSWORD)
        create_course(SLUG, attempts_per_day=1_000_000, questions=6, per_attempt=4)
        db.session.commit()
    return emails
