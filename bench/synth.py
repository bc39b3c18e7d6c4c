"""Build a synthetic city for the benchmark in the database given by DATABASE_URL.

    .venv/bin/python bench/synth.py [--if-missing] [--force] [--employees N] [--attempts N]

``--employees 64000`` grows the city 8x in the same 40 org units (attempts scale with it unless given).

Default database: bench/results/city.sqlite3 (git-ignored). PostgreSQL works too (an empty database).
Steps: ``lms db upgrade`` and ``lms courses import`` (the real courses/, as subprocesses, timed), then
40 org units in three levels, employees with one account each (one precomputed Argon2 hash for all),
the mandatory ki-grundlagen for everyone, module progress, acknowledgements, submitted quiz attempts
with their items (the version's draw, 10 questions) and the completions that follow from them, spread
over the seven courses and the two years before today. Plus an HR, a coordinator (one
Geschäftsbereich) and an admin account. Everything comes from one seeded generator, so two runs on
the same day give the same rows. Rows go in with SQLAlchemy Core ``executemany`` in large batches.
Last, ``lms competence rebuild`` builds the committee's summaries (timed).
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import city
from sqlalchemy import Connection, Table, column, create_engine, func, inspect, select, text, update
from sqlalchemy import table as sa_table

from lms.auth.passwords import hash_password
from lms.db import Base, import_models
from lms.demo.services import FIRST_NAMES, LAST_NAMES, POSITIONS
from lms.learning.rules import add_months

BATCH = 20_000

#: (code, name) of the Geschäftsbereiche and, per Geschäftsbereich, its offices (code, name)
DIVISIONS = (
    ("GB1", "Geschäftsbereich 1 – Allgemeine Verwaltung, Personal und Digitales", (
        ("10", "Hauptamt"), ("11", "Personalamt"), ("12", "Amt für Digitalisierung"),
        ("13", "Presse- und Öffentlichkeitsarbeit"), ("14", "Rechnungsprüfungsamt"),
        ("15", "Amt für Statistik und Wahlen"), ("16", "Zentrale Vergabestelle"))),
    ("GB2", "Geschäftsbereich 2 – Soziales, Jugend und Gesundheit", (
        ("50", "Sozialamt"), ("51", "Jugendamt"), ("52", "Sportamt"), ("53", "Gesundheitsamt"),
        ("54", "Amt für Integration"), ("55", "Seniorenbüro"), ("56", "Jobcenter-Verbindungsstelle"))),
    ("GB3", "Geschäftsbereich 3 – Umwelt, Bauen und Verkehr", (
        ("36", "Umweltamt"), ("60", "Bauordnungsamt"), ("61", "Stadtplanungsamt"),
        ("62", "Vermessungsamt"), ("63", "Bauaufsicht"), ("66", "Straßen- und Tiefbauamt"),
        ("67", "Grünflächenamt"))),
    ("GB4", "Geschäftsbereich 4 – Ordnung, Sicherheit und Bürgerdienste", (
        ("30", "Rechtsamt"), ("32", "Ordnungsamt"), ("33", "Bürgeramt"), ("34", "Standesamt"),
        ("37", "Feuerwehr"), ("38", "Straßenverkehrsbehörde"), ("39", "Veterinäramt"))),
    ("GB5", "Geschäftsbereich 5 – Finanzen, Kultur und Bildung", (
        ("20", "Kämmerei"), ("21", "Stadtkasse"), ("22", "Steueramt"), ("40", "Schulverwaltungsamt"),
        ("41", "Kulturamt"), ("42", "Stadtbibliothek"))),
)
ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ş": "s", "Ä": "Ae", "Ö": "Oe",
                       "Ü": "Ue"})


@dataclass
class Version:
    id: int
    course_id: int
    slug: str
    draw: int
    pass_mark: int
    validity_months: int
    awards: dict
    module_ids: list[int]
    ack_module_ids: list[int]
    #: module id -> (key, text hash): reads and confirmations are recorded by key and text
    module_keys: dict[int, tuple[str, str]]
    #: question id -> (option ids, correct option ids)
    questions: dict[int, tuple[list[int], list[int]]]


class Writer:
    """Buffers rows per table and inserts them with executemany in batches of BATCH rows."""

    def __init__(self, conn: Connection, tables: dict[str, Table]) -> None:
        self.conn, self.tables = conn, tables
        self.buffers: dict[str, list[dict]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        #: tables are flushed in this order, so a foreign key never points to a row not yet written
        self.order: list[str] = []

    def add(self, table: str, row: dict) -> None:
        if table not in self.order:
            self.order.append(table)
        buf = self.buffers[table]
        buf.append(row)
        if len(buf) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for name in self.order:
            rows = self.buffers[name]
            if rows:
                self.conn.execute(self.tables[name].insert(), rows)
                self.counts[name] += len(rows)
                rows.clear()


def lms(*args: str) -> float:
    """Run ``lms ARGS`` against DATABASE_URL; return the seconds it took."""
    env = {**os.environ, "DATABASE_URL": city.database_url(), "LMS_DEV": "1"}
    started = time.perf_counter()
    subprocess.run([city.venv_bin("lms"), *args], check=True, env=env, cwd=city.ROOT,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def has_data(url: str) -> bool:
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("employees"):
            return False
        with engine.connect() as conn:
            return bool(conn.scalar(text("SELECT count(*) FROM employees")))
    finally:
        engine.dispose()


def load_versions(conn: Connection, t: dict[str, Table]) -> list[Version]:
    courses, cv, modules = t["courses"], t["course_versions"], t["modules"]
    questions, options = t["questions"], t["question_options"]
    versions = []
    rows = conn.execute(select(cv, courses.c.slug).join(courses, courses.c.current_version_id == cv.c.id)
                        .order_by(courses.c.slug)).mappings().all()
    for row in rows:
        mods = conn.execute(select(modules.c.id, modules.c.acknowledge, modules.c.key, modules.c.text_hash)
                            .where(modules.c.course_version_id == row["id"])
                            .order_by(modules.c.position)).all()
        qs: dict[int, tuple[list[int], list[int]]] = {}
        for qid, oid, correct in conn.execute(
                select(questions.c.id, options.c.id, options.c.is_correct)
                .join(options, options.c.question_id == questions.c.id)
                .where(questions.c.course_version_id == row["id"])
                .order_by(questions.c.id, options.c.position)):
            opts, right = qs.setdefault(qid, ([], []))
            opts.append(oid)
            if correct:
                right.append(oid)
        versions.append(Version(row["id"], row["course_id"], row["slug"], row["questions_per_attempt"],
                                row["pass_mark"], row["validity_months"], dict(row["awards"] or {}),
                                [m.id for m in mods], [m.id for m in mods if m.acknowledge],
                                {m.id: (m.key, m.text_hash) for m in mods}, qs))
    return versions


def build_units(w: Writer) -> tuple[list[int], int, dict[str, int]]:
    """40 units: the city (level 0), five Geschäftsbereiche, 34 offices. Returns office ids, the id of
    the root and the ids by code."""
    ids: dict[str, int] = {}
    offices: list[int] = []

    def unit(code: str, name: str, parent: str | None, path: str, depth: int) -> str:
        uid = len(ids) + 1
        ids[code] = uid
        path = f"{path}{uid}/"
        w.add("org_units", {"id": uid, "code": code, "name": name, "parent_id": ids.get(parent or ""),
                            "path": path, "depth": depth, "is_active": True})
        return path

    root = unit("OB", "Stadtverwaltung Benchstadt – Oberbürgermeisterin", None, "/", 0)
    for gb_code, gb_name, children in DIVISIONS:
        gb_path = unit(gb_code, gb_name, "OB", root, 1)
        for code, name in children:
            unit(code, name, gb_code, gb_path, 2)
            offices.append(ids[code])
    return offices, ids["OB"], ids


def build(url: str, employees: int, attempts: int, heavy: int, seed: int) -> None:
    rng = random.Random(seed)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    timings = {"lms db upgrade": lms("db", "upgrade"), "lms courses import": lms("courses", "import")}

    import_models()
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:  # a bulk load: no fsync per commit; WAL as the app uses it
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    t = dict(Base.metadata.tables)
    password_hash = hash_password(city.PASSWORD)  # hashed once; every account shares it
    load_started = time.perf_counter()
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        versions = load_versions(conn, t)
        if len(versions) < 2:
            raise SystemExit("no courses imported: is courses/ there?")
        by_slug = {v.slug: v for v in versions}
        w = Writer(conn, t)

        offices, root_id, unit_ids = build_units(w)
        # offices differ in size (a Feuerwehr is larger than a Seniorenbüro)
        sizes = [rng.paretovariate(1.6) for _ in offices]
        staff_units = [root_id, *(unit_ids[gb] for gb, _n, _c in DIVISIONS)]

        # employees and their accounts
        user_ids: list[int] = []
        active: dict[int, bool] = {}
        names: dict[int, tuple[str, str]] = {}
        for n in range(1, employees + 1):
            if n == 1:
                first, last, email = "Helga", "Häufig", city.HEAVY_LEARNER_EMAIL
                unit_id = unit_ids["51"]  # Jugendamt, in the coordinator's GB2
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                email = f"{first}.{last}.{n}@{city.DOMAIN}".lower().translate(ASCII)
                unit_id = (rng.choice(staff_units) if rng.random() < 0.04
                           else rng.choices(offices, weights=sizes)[0])
            is_active = n == 1 or rng.random() > 0.02
            hired = date(1985, 1, 1) + timedelta(days=rng.randrange(14_000))
            w.add("employees", {
                "id": n, "personnel_no": f"{100000 + n}", "first_name": first, "last_name": last,
                "email": email, "org_unit_id": unit_id, "position": rng.choice(POSITIONS),
                "hired_on": hired, "left_on": None if is_active else today.date() - timedelta(days=30),
                "is_active": is_active, "created_at": today - timedelta(days=800),
                "updated_at": today - timedelta(days=800)})
            w.add("users", {
                "id": n, "email": email, "display_name": "", "password_hash": password_hash,
                "role": "employee", "employee_id": n, "is_active": is_active, "session_version": 1,
                "created_at": today - timedelta(days=800)})
            user_ids.append(n)
            names[n] = (f"{first} {last}", f"{first[:1]}. {last}")
            active[n] = is_active
        for offset, (email, role, name) in enumerate((
                (city.HR_EMAIL, "hr", "Personalamt (Bench)"),
                (city.COORDINATOR_EMAIL, "coordinator", "Koordination GB 2 (Bench)"),
                (city.ADMIN_EMAIL, "admin", "Administration (Bench)"),
                (city.COMMITTEE_EMAIL, "committee", "Ausschuss (Bench)")), start=employees + 1):
            w.add("users", {"id": offset, "email": email, "display_name": name,
                            "password_hash": password_hash, "role": role, "employee_id": None,
                            "is_active": True, "session_version": 1, "created_at": today})
            if role == "coordinator":
                w.add("user_scopes", {"user_id": offset, "org_unit_id": unit_ids[city.COORDINATOR_UNIT]})

        # the mandatory course for everyone (its obligations come from rules after the load)
        mandatory = by_slug[city.MANDATORY_COURSE]

        # who takes which course: everyone the mandatory one (most), others by interest
        pairs: list[tuple[int, Version]] = []
        for uid in user_ids[1:]:
            for v in versions:
                if rng.random() < (0.92 if v is mandatory else 0.45):
                    pairs.append((uid, v))
        heavy_pairs = [(1, v) for v in versions]
        counts = Counter({i: 1 for i in range(len(pairs))})
        extra = attempts - heavy - len(pairs)
        if extra < 0:
            raise SystemExit(f"--attempts {attempts} is fewer than the {len(pairs) + heavy} needed")
        # a skewed spread: most people need one or two attempts, some many
        weights = [rng.paretovariate(1.3) for _ in pairs]
        counts.update(rng.choices(range(len(pairs)), weights=weights, k=extra))
        per_pair = [(uid, v, counts[i]) for i, (uid, v) in enumerate(pairs)]
        per_pair[:0] = [(uid, v, heavy // len(versions) + (1 if i < heavy % len(versions) else 0))
                        for i, (uid, v) in enumerate(heavy_pairs)]
        engaged = {(uid, v.id) for uid, v, _k in per_pair}

        attempt_id = 0
        for uid, v, k in per_pair:
            skill = rng.uniform(0.5, 0.9)
            first = today - timedelta(days=rng.uniform(30, 730))
            span = (today - timedelta(hours=1) - first).total_seconds()
            times = sorted(first + timedelta(seconds=rng.uniform(0, span)) for _ in range(k))
            read_at = first - timedelta(days=rng.uniform(0.1, 5))
            for mid in v.module_ids:
                w.add("module_progress", {"user_id": uid, "module_id": mid, "read_at": read_at,
                                          "course_id": v.course_id, "module_key": v.module_keys[mid][0]})
            for mid in v.ack_module_ids:
                w.add("acknowledgements", {"user_id": uid, "module_id": mid, "course_version_id": v.id,
                                           "acknowledged_at": read_at, "course_id": v.course_id,
                                           "module_key": v.module_keys[mid][0],
                                           "text_hash": v.module_keys[mid][1]})
            completed = False
            qids = list(v.questions)
            for i, started_at in enumerate(times):
                attempt_id += 1
                p = min(0.97, skill + 0.08 * i)
                drawn = rng.sample(qids, v.draw)
                items = []
                for pos, qid in enumerate(drawn, 1):
                    opts, right = v.questions[qid]
                    order = opts[:]
                    rng.shuffle(order)
                    ok = rng.random() < p
                    wrong = [o for o in opts if o not in right][:1]
                    items.append({"attempt_id": attempt_id, "position": pos, "question_id": qid,
                                  "option_order": order, "response": right if ok else wrong,
                                  "is_correct": ok})
                score = round(100 * sum(i["is_correct"] for i in items) / v.draw)
                passed = score >= v.pass_mark
                submitted_at = started_at + timedelta(minutes=rng.uniform(4, 25))
                w.add("attempts", {"id": attempt_id, "user_id": uid, "course_version_id": v.id,
                                   "started_at": started_at, "submitted_at": submitted_at,
                                   "score": score, "passed": passed})
                for item in items:  # after their attempt: the writer flushes tables in first-use order
                    w.add("attempt_items", item)
                if passed and not completed:
                    completed = True
                    w.add("completions", {
                        "user_id": uid, "course_id": v.course_id, "course_version_id": v.id,
                        "attempt_id": attempt_id, "completed_at": submitted_at,
                        "valid_until": add_months(submitted_at, v.validity_months), "awards": v.awards,
                        "certificate_code": base64.b32encode(rng.randbytes(16)).decode().rstrip("="),
                        "holder_name": names[uid][0], "holder_short": names[uid][1]})
        # some started a course (read a few modules) and never took the quiz
        for uid in user_ids:
            for v in versions:
                if (uid, v.id) not in engaged and rng.random() < 0.12:
                    read_at = today - timedelta(days=rng.uniform(1, 700))
                    for mid in v.module_ids[:rng.randrange(1, len(v.module_ids) + 1)]:
                        w.add("module_progress", {"user_id": uid, "module_id": mid, "read_at": read_at,
                                                  "course_id": v.course_id, "module_key": v.module_keys[mid][0]})
        w.flush()
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for name in ("org_units", "employees", "users", "attempts"):
                ids = sa_table(name, column("id"))
                conn.execute(select(func.setval(func.pg_get_serial_sequence(name, "id"),
                                                select(func.max(ids.c.id)).scalar_subquery())))
    load_seconds = time.perf_counter() - load_started
    timings["rules and obligations"] = obligations(url, rng, today.date())
    # the committee's per-unit summaries from the records, as after `lms db upgrade` on existing data
    timings["lms competence rebuild"] = lms("competence", "rebuild")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum would do a minute later
    with engine.connect() as conn:
        print(f"database: {engine.url.render_as_string(hide_password=True)}")
        for name in ("org_units", "employees", "users", "user_scopes", "assignments", "courses",
                     "course_versions", "modules", "questions", "module_progress", "acknowledgements",
                     "attempts", "attempt_items", "completions"):
            print(f"  {name:<18} {conn.scalar(select(func.count()).select_from(t[name])):>10,}")
        heavy_n = conn.scalar(select(func.count()).select_from(t["attempts"])
                              .where(t["attempts"].c.user_id == 1))
    engine.dispose()
    for step, seconds in timings.items():
        print(f"{step}: {seconds:.1f} s")
    print(f"bulk load: {load_seconds:.1f} s; total {time.perf_counter() - started:.1f} s")
    print(f"heavy learner {city.HEAVY_LEARNER_EMAIL}: {heavy_n} attempts; accounts {city.HR_EMAIL}, "
          f"{city.COORDINATOR_EMAIL} ({city.COORDINATOR_UNIT}), {city.ADMIN_EMAIL}; "
          f"password {city.PASSWORD}")


def obligations(url: str, rng: random.Random, today) -> float:
    """Mandatory training as HR would set it up, through ``lms.training.services``: the basics for
    everyone, two further courses for the coordinator's Geschäftsbereich. Valid completions fulfil their
    obligation at once; the due dates are then spread from a year ago to half a year ahead, so that the
    city has every status. Returns the seconds taken."""
    started = time.perf_counter()
    os.environ.setdefault("DATABASE_URL", url)
    from lms import create_app, db
    from lms.catalog.models import Course
    from lms.org.models import OrgUnit
    from lms.training import services as training
    from lms.training.models import Assignment

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LMS_DEV": True})
    with app.app_context():
        courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
        mandatory = next(c for c in courses if c.slug == city.MANDATORY_COURSE)
        others = [c for c in courses if c.slug != city.MANDATORY_COURSE][:2]
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == city.COORDINATOR_UNIT))
        training.create_rule(mandatory, org_unit_id=None, position_pattern=None, due_days=90, due_on=None,
                             note="Bench: Grundlagen für alle", by=None)
        for course in others:
            training.create_rule(course, org_unit_id=unit.id, position_pattern=None, due_days=120, due_on=None,
                                 note=f"Bench: {course.slug} für {unit.code}", by=None)
        ids = db.session.scalars(select(Assignment.id).order_by(Assignment.id)).all()
        db.session.execute(update(Assignment), [
            {"id": i, "due_on": today + timedelta(days=rng.randrange(-365, 180))} for i in ids])
        db.session.commit()
    db.get_db(app).dispose()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--if-missing", action="store_true",
                        help="do nothing when the database already holds employees")
    parser.add_argument("--force", action="store_true", help="delete the SQLite file first")
    parser.add_argument("--employees", type=int, default=city.EMPLOYEES)
    parser.add_argument("--attempts", type=int, default=None,
                        help=f"default {city.ATTEMPTS:,} for {city.EMPLOYEES:,} employees, scaled with --employees")
    parser.add_argument("--heavy-attempts", type=int, default=city.HEAVY_ATTEMPTS)
    parser.add_argument("--seed", type=int, default=city.SEED)
    args = parser.parse_args(argv)
    url = city.database_url()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if args.force:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    if has_data(url):
        if args.if_missing:
            print(f"synthetic city already in {url}; nothing to do")
            return 0
        print(f"{url} already holds employees: use --force (SQLite) or an empty database",
              file=sys.stderr)
        return 1
    attempts = args.attempts if args.attempts is not None else city.ATTEMPTS * args.employees // city.EMPLOYEES
    build(url, args.employees, attempts, args.heavy_attempts, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
