"""HR's views and exports on the synthetic city, in-process: time, SQL queries and peak memory.

    .venv/bin/python bench/reports.py [--repeat 3]

Needs the database from bench/synth.py (DATABASE_URL, default bench/results/city.sqlite3). Logs in as
HR and as the coordinator (Flask test client), requests the unit tree, the course summary, the filtered
obligation list, one employee's page, and the full CSV and XLSX exports (every running obligation),
reading each streamed body to the end. Reports the median time of ``--repeat`` runs, the SQL queries and
the peak of Python memory (tracemalloc) during one request, prints a Markdown table and writes it to
bench/results/reports.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import city
from sqlalchemy import func, select


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="run only pages whose name contains this")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", city.database_url())
    from lms import create_app, db
    from lms.org.models import Employee
    from lms.training.models import Assignment

    app = create_app({"DATABASE_URL": city.database_url(), "SECRET_KEY": "bench", "LMS_DEV": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "LMS_IP_MAX_FAILURES": 1_000_000})
    with app.app_context():
        obligations = db.session.scalar(select(func.count()).select_from(Assignment)
                                        .where(Assignment.is_current.is_(True), Assignment.ended_at.is_(None)))
        employee_id = db.session.scalar(select(func.min(Employee.id)))
        db.session.rollback()
    if not obligations:
        raise SystemExit("no obligations in the database: run bench/synth.py --force")
    clients = {}
    for role, email in (("hr", city.HR_EMAIL), ("coordinator", city.COORDINATOR_EMAIL)):
        client = app.test_client()
        if client.post("/anmelden", data={"email": email, "password": city.PASSWORD}).status_code != 302:
            raise SystemExit(f"login as {email} failed")
        clients[role] = client
    small_export, small_filter = "/berichte/pflichtschulungen", f"?einheit={city.COORDINATOR_UNIT}&ueberfaellig=1"
    pages = [
        ("unit tree (HR)", "hr", "/berichte/einheiten"),
        ("unit tree (coordinator)", "coordinator", "/berichte/einheiten"),
        ("per course (HR)", "hr", "/berichte/kurse"),
        ("list, overdue in GB2 (HR)", "hr", f"/berichte/pflichtschulungen?einheit={city.COORDINATOR_UNIT}&ueberfaellig=1"),
        ("list, search \"Müller\" (HR)", "hr", "/berichte/pflichtschulungen?q=m%C3%BCller"),
        ("list, page 100 (HR)", "hr", "/berichte/pflichtschulungen?page=100"),
        ("employee page (HR)", "hr", f"/berichte/beschaeftigte/{employee_id}"),
        ("CSV export, overdue in GB2 (HR)", "hr", small_export + ".csv" + small_filter),
        ("XLSX export, overdue in GB2 (HR)", "hr", small_export + ".xlsx" + small_filter),
        (f"CSV export, all {obligations:,} rows (HR)", "hr", "/berichte/pflichtschulungen.csv"),
        (f"XLSX export, all {obligations:,} rows (HR)", "hr", "/berichte/pflichtschulungen.xlsx"),
    ]
    if args.only:
        pages = [p for p in pages if args.only.lower() in p[0].lower()]
    lines = ["| page | median ms | SQL queries | peak Python memory | body |", "|---|---:|---:|---:|---:|"]
    for name, role, path in pages:
        client = clients[role]
        client.get(path).get_data()  # warm
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
        with db.count_queries(app) as statements:
            tracemalloc.start()
            # read the body chunk by chunk, as a browser would (get_data() would hold it all)
            streamed = client.get(path, buffered=False)
            for _chunk in streamed.iter_encoded():
                pass
            streamed.close()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        lines.append(f"| {name} | {sorted(times)[len(times) // 2]:.0f} | {len(statements)} | "
                     f"{peak / 2**20:.1f} MiB | {len(body) / 1024:.0f} KiB |")
        print(lines[-1], flush=True)
    table = "\n".join(lines)
    out = Path(city.RESULTS) / "reports.md"
    out.write_text(f"{obligations:,} running obligations\n\n{table}\n", encoding="utf-8")
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
