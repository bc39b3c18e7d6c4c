"""Load-test the main pages of the synthetic city with wrk and write a Markdown table.

    .venv/bin/python bench/run.py [--duration 10s] [--connections 16] [--only SUBSTRING]

Needs the database from bench/synth.py (DATABASE_URL, default bench/results/city.sqlite3) and ``wrk``.
Steps: count the SQL queries of every page in-process (Flask test client, one warm request each);
start gunicorn (2 gthread workers, 4 threads each) on a free port of 127.0.0.1; log in over HTTP as
the heavy learner, HR, the coordinator, the admin and the committee member; check that every page
answers 200 without a redirect (timing that first, cold request); run ``wrk -t2 -c16 -d10s --latency``
against each (with bench/p95.lua for the 95th percentile); print the table and write it to
bench/results/latest.md; stop the server.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

import city
from sqlalchemy import func, select

USER_AGENT = "lms-bench"
SEARCH = "m%C3%BCller"  # "müller": one of the most common names, hundreds of hits


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    #: "learner", "hr", "coordinator", "admin" or None (anonymous)
    role: str | None
    #: at most this many wrk connections (a page one person opens now and then is measured alone)
    connections: int | None = None


def targets(result_path: str, statistics_path: str) -> list[Target]:
    return [
        Target("health check (baseline)", "/healthz", None),
        Target("login page", "/anmelden", None),
        Target("Meine Schulungen", "/schulungen", "learner"),
        Target("course page", f"/schulungen/{city.MANDATORY_COURSE}", "learner"),
        Target("module page", f"/schulungen/{city.MANDATORY_COURSE}/module/1", "learner"),
        Target("quiz result", result_path, "learner"),
        Target("Meine Daten", "/meine-daten", "learner"),
        Target("Meine Daten (JSON)", "/meine-daten.json", "learner"),
        Target("staff list, page 1 (HR)", "/organisation/beschaeftigte", "hr"),
        Target("staff list, page 100 (HR)", "/organisation/beschaeftigte?page=100", "hr"),
        Target("staff search (HR)", f"/organisation/beschaeftigte?q={SEARCH}", "hr"),
        Target("staff list, page 1 (coordinator)", "/organisation/beschaeftigte", "coordinator"),
        Target("staff search (coordinator)", f"/organisation/beschaeftigte?q={SEARCH}", "coordinator"),
        Target("org units (HR)", "/organisation/einheiten", "hr"),
        # the author page over every answer of the course with the most attempts (docs/performance.md)
        Target("item statistics (author)", statistics_path, "admin", connections=1),
        Target("training by unit (HR)", "/berichte/einheiten", "hr"),
        Target("training by unit (coordinator)", "/berichte/einheiten", "coordinator"),
        Target("obligations, overdue in GB2 (HR)",
               f"/berichte/pflichtschulungen?einheit={city.COORDINATOR_UNIT}&ueberfaellig=1", "hr"),
        Target("obligations, search (coordinator)", f"/berichte/pflichtschulungen?q={SEARCH}", "coordinator"),
        # the council committee: aggregate figures only (cached per generation; docs/performance.md).
        # A committee meeting: a handful of members at once, so 4 connections, against a floor of 4
        Target("health check, 4 connections (committee floor)", "/healthz", None, connections=4),
        Target("committee dashboard", "/ausschuss", "committee", connections=4),
        Target("committee drill-down GB2", f"/ausschuss?einheit={city.COORDINATOR_UNIT}", "committee",
               connections=4),
        Target("committee area filter", "/ausschuss?bereich=recht", "committee", connections=4),
        Target("committee CSV", "/ausschuss/uebersicht.csv", "committee", connections=4),
        Target("committee progress report PDF", "/ausschuss/bericht.pdf", "committee", connections=1),
    ]


ACCOUNTS = {"learner": city.HEAVY_LEARNER_EMAIL, "hr": city.HR_EMAIL, "coordinator": city.COORDINATOR_EMAIL,
            "admin": city.ADMIN_EMAIL, "committee": city.COMMITTEE_EMAIL}
#: wrk prints the 50/75/90/99th percentiles; this script adds the 95th
P95_SCRIPT = Path(__file__).with_name("p95.lua")


# -- in-process: SQL queries per page --------------------------------------------------------------



def heavy_result_path(app) -> str:
    from lms import db
    from lms.auth.models import User
    from lms.learning.models import Attempt

    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == city.HEAVY_LEARNER_EMAIL))
        attempt_id = db.session.scalar(select(func.max(Attempt.id)).where(Attempt.user_id == uid))
    if attempt_id is None:
        raise SystemExit("no synthetic city in the database: run bench/synth.py first")
    return f"/schulungen/versuch/{attempt_id}/ergebnis"


def busiest_statistics_path(app) -> str:
    """The item statistics page of the course with the most attempts (the worst case of that page)."""
    from lms import db
    from lms.catalog.models import Course, CourseVersion
    from lms.learning.models import Attempt

    with app.app_context():
        slug = db.session.scalar(
            select(Course.slug).join(CourseVersion, CourseVersion.course_id == Course.id)
            .join(Attempt, Attempt.course_version_id == CourseVersion.id)
            .group_by(Course.slug).order_by(func.count(Attempt.id).desc()).limit(1))
    if slug is None:
        raise SystemExit("no attempts in the database: run bench/synth.py first")
    return f"/katalog/{slug}/statistik"


def query_counts(app, pages: list[Target]) -> dict[str, tuple[int, float, float]]:
    """Per page: SQL statements of one request, the median in-process time of five (ms), and the time of
    the first request of the process (ms: cold caches; for the committee's pages the figures are computed
    then)."""
    from lms import db

    clients = {}
    for role, email in ACCOUNTS.items():
        client = app.test_client()
        response = client.post("/anmelden", data={"email": email, "password": city.PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"in-process login as {email} failed ({response.status_code})")
        clients[role] = client
    clients[None] = app.test_client()
    out = {}
    for target in pages:
        client = clients[target.role]
        started = time.perf_counter()
        client.get(target.path).get_data()  # warm caches (templates, compiled statements, figures)
        first = (time.perf_counter() - started) * 1000
        with db.count_queries(app) as statements:
            response = client.get(target.path)
        if response.status_code != 200:
            raise SystemExit(f"{target.path}: {response.status_code} in-process")
        times = []
        for _ in range(5):
            started = time.perf_counter()
            client.get(target.path).get_data()
            times.append((time.perf_counter() - started) * 1000)
        out[target.path + str(target.role)] = (len(statements), sorted(times)[2], first)
    return out


# -- the server ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32), "LMS_DEV": "1",
            "LMS_IP_MAX_FAILURES": "1000000"}


def start_server(url: str, port: int, log: Path) -> subprocess.Popen:
    cmd = [city.venv_bin("gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4",
           "-b", f"127.0.0.1:{port}", "wsgi:app"]
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=city.ROOT, env=server_env(url), stdout=fh, stderr=fh,
                                start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the group of the gunicorn master started above
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, int]:
    """(status, body bytes) of one GET, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, len(body)


def warm_up(port: int, path: str, cookie: str | None) -> None:
    """A few concurrent requests, so that every worker has met the page before wrk measures it (its
    first, cold request is timed separately)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _round in range(2):
            list(pool.map(lambda _i: get(port, path, cookie), range(4)))


def login(port: int, email: str) -> str:
    """Log in through the form; return the Cookie header value of the session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    base = f"http://127.0.0.1:{port}"
    html = opener.open(f"{base}/anmelden", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email,
                                   "password": city.PASSWORD}).encode()
    final = opener.open(f"{base}/anmelden", data=data, timeout=30)
    if "/anmelden" in final.geturl():
        raise SystemExit(f"login as {email} failed")
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookies


# -- wrk -----------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", value).groups()
    return float(number) * UNITS[unit]


@dataclass
class WrkResult:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    bad: int
    errors: int


def run_wrk(port: int, path: str, cookie: str | None, args: argparse.Namespace,
            connections: int | None = None) -> WrkResult:
    connections = min(args.connections, connections or args.connections)
    threads = min(args.threads, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{args.duration}", "--latency",
           "--timeout", "30s", "-s", str(P95_SCRIPT), "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))  # wrk pads "3.82s "
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkResult(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=_ms(latency["50"]), p95=int(re.search(r"^P95_US (\d+)$", out, re.M).group(1)) / 1000,
        p99=_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        bad=int(bad.group(1)) if bad else 0,
        errors=sum(int(n) for n in errors.groups()) if errors else 0)


# -- report --------------------------------------------------------------------------------------

def volumes(app) -> str:
    from lms import db
    from lms.learning.models import Attempt, AttemptItem, Completion
    from lms.org.models import Employee, OrgUnit

    with app.app_context():
        n = {m.__name__: db.session.scalar(select(func.count()).select_from(m))
             for m in (OrgUnit, Employee, Attempt, AttemptItem, Completion)}
        dialect = db.get_db(app).dialect
    return (f"{dialect}: {n['OrgUnit']} org units, {n['Employee']:,} employees, {n['Attempt']:,} attempts, "
            f"{n['AttemptItem']:,} attempt items, {n['Completion']:,} completions")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", help="run only pages whose name contains this")
    parser.add_argument("--out", type=Path, default=city.RESULTS / "latest.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (or make bench)")
    url = city.database_url()

    from lms import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LMS_DEV": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "LMS_IP_MAX_FAILURES": 1_000_000})
    pages = targets(heavy_result_path(app), busiest_statistics_path(app))
    if args.only:  # the baseline is always measured: every page is related to it
        pages = [p for p in pages if args.only.lower() in p.name.lower() or p.path == "/healthz"]
    counts = query_counts(app, pages)
    data_line = volumes(app)
    from lms import db

    db.get_db(app).dispose()

    city.RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start_server(url, port, city.RESULTS / "gunicorn.log")
    rows = []
    try:
        cookies = {role: login(port, email) for role, email in ACCOUNTS.items()}
        cookies[None] = None
        for page in pages:
            started = time.perf_counter()
            status, size = get(port, page.path, cookies[page.role])
            first = (time.perf_counter() - started) * 1000
            if status != 200:
                raise SystemExit(f"{page.path} as {page.role}: HTTP {status} (expected 200)")
            warm_up(port, page.path, cookies[page.role])
            load = os.getloadavg()[0]
            result = run_wrk(port, page.path, cookies[page.role], args, page.connections)
            queries, inproc, inproc_first = counts[page.path + str(page.role)]
            rows.append((page, queries, inproc, inproc_first, first, size, result, load))
            print(f"{page.name:<34} {result.rps:>8.1f} req/s  p50 {result.p50:>7.1f} ms  "
                  f"p95 {result.p95:>7.1f} ms  p99 {result.p99:>7.1f} ms  first {first:>7.1f} ms  "
                  f"non-2xx {result.bad}  errors {result.errors}", flush=True)
    finally:
        stop_server(proc)

    stamp = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        f"# Benchmark {stamp}", "",
        f"- machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}",
        f"- data: {data_line}",
        "- server: gunicorn -w 2 -k gthread --threads 4 (wrk on the same machine)",
        f"- load: wrk -t{args.threads} -c{args.connections} -d{args.duration} --latency per page "
        "(pages marked ¹: one connection, ⁴: four; each after 8 warm-up requests, 4 at a time)",
        "- first ms: the first request of the process (in-process) and of the server (over HTTP; one of the "
        "two workers), before wrk: cold caches",
        "", "| page | path | as | SQL queries | in-process ms | first ms in-process / HTTP | bytes | req/s "
        "| of baseline | p50 ms | p95 ms | p99 ms | non-2xx | errors | load avg |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    # each page against the floor measured with as many connections (or the default one)
    floors = {page.connections: r.rps for page, *_rest, r, _l in rows if page.path == "/healthz"}
    for page, queries, inproc, inproc_first, first, size, r, load in rows:
        baseline = floors.get(page.connections, floors.get(None))
        share = f"{100 * r.rps / baseline:.0f} %" if baseline else "–"
        name = {1: f"{page.name} ¹", 4: f"{page.name} ⁴"}.get(page.connections, page.name)
        lines.append(f"| {name} | `{urllib.parse.unquote(page.path)}` | {page.role or '–'} | {queries} "
                     f"| {inproc:.1f} | {inproc_first:,.0f} / {first:,.0f} | {size:,} | {r.rps:,.1f} | {share} "
                     f"| {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {r.bad} | {r.errors} | {load:.1f} |")
    table = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table)
    print()
    print(table)
    failed = [page.name for page, *_rest, r, _l in rows if r.bad or r.errors]
    if failed:
        print(f"non-2xx responses or socket errors on: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
