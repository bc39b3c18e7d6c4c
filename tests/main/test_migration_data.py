"""The schema is released: a database at the previous revision, with a city's data in it, is upgraded
without losing or changing anything, and the new columns are filled in as the code would have.

Database A is made at head and filled through the services (demo city, courses, learners reading,
confirming, passing, failing, an open attempt, certificates). Database B is made at revision 0001 and
gets A's rows, column for column as far as 0001 has them. B is upgraded; then every row of every
table of A must be in B with the same values (also in the columns the upgrade filled in), and the
learners' pages must show the same progress.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, delete, func, select, text, update

from lms import create_app, db
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.catalog import services as catalog_services
from lms.catalog.models import Course
from lms.cli import alembic_config
from lms.competence.models import CompetenceTarget
from lms.db import utcnow
from lms.demo import services as demo
from lms.learning import pages, services, summaries
from lms.learning.cli import rebuild_if_empty
from lms.learning.models import Completion
from lms.org.models import Employee
from lms.training.models import Assignment, AssignmentRule
from tests.conftest import PG_URL, ROOT, base_config, drop_pg_database, new_pg_database
from tests.learning.factories import load_attempt

#: derived tables, rebuilt after the upgrade and compared by their meaning below
DERIVED = {"competence_unit_changes", "competence_unit_checkpoints", "competence_contributions",
           "competence_generation"}
PREVIOUS = "0001"  # the data test starts before both later revisions
#: new columns that cannot be derived from older data (documented in the revision)
NOT_DERIVABLE = {("course_versions", "changes_html")}


def _populate(app) -> None:
    assert catalog_services.import_courses(ROOT / "courses").ok
    demo.load()
    # revision 0001 holds one completion per person and version: the demo history's renewals came later
    first = select(func.min(Completion.id)).group_by(Completion.user_id, Completion.course_version_id)
    db.session.execute(delete(Completion).where(Completion.id.not_in(first)))
    db.session.execute(delete(CompetenceTarget))  # targets exist from 0005 on
    summaries.rebuild()
    # assignment rules exist from 0004 on: before, the same obligations were assignments without a rule
    db.session.execute(update(Assignment).values(rule_id=None))
    db.session.execute(delete(AssignmentRule))
    # the staff council's role exists from 0005 on: the earlier schema refuses the demo's council account
    db.session.execute(delete(User).where(User.role == "personalrat"))
    db.session.commit()
    rng = random.Random(7)
    learned = select(User.employee_id).join(Completion, Completion.user_id == User.id)
    employees = db.session.scalars(select(Employee).where(Employee.left_on.is_(None), Employee.id.not_in(learned))
                                   .order_by(Employee.personnel_no)).all()  # new learners, beside the history
    courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
    # courses with a module to confirm first, so that confirmations are in the data
    courses.sort(key=lambda c: not any(m.acknowledge for m in c.current_version.modules))
    now = utcnow() - timedelta(days=3)
    for n, employee in enumerate(employees[10:22]):
        user = db.session.scalar(select(User).where(User.employee_id == employee.id)) or \
            auth_services.create_user(employee.email, "employee")
        db.session.commit()
        for course in courses[: 1 + n % 3]:
            version = course.current_version
            for module in version.modules[: rng.randint(0, len(version.modules))]:
                if module.acknowledge:
                    services.acknowledge(user.id, module, now)
                else:
                    services.mark_read(user.id, module, now)
            db.session.commit()
            if n % 4 == 3:
                services.start_attempt(user.id, version, now=now)  # left open
                db.session.commit()
                continue
            for good in (False, n % 2 == 0):
                attempt = load_attempt(services.start_attempt(user.id, version, now=now).id)
                answers = {i.id: [o.id for o in i.question.options if o.is_correct == good] for i in attempt.items}
                services.submit(attempt, answers, now=now)
                db.session.commit()
            if n % 2 == 0:  # read everything and complete
                for module in version.modules:
                    if module.acknowledge:
                        services.acknowledge(user.id, module, now)
                    else:
                        services.mark_read(user.id, module, now)
                services.complete_if_done(user.id, course, now=now)
                db.session.commit()
    assert db.session.scalar(select(Completion.id).limit(1)) is not None


def _rows(engine, metadata: MetaData) -> dict[str, dict[tuple, dict]]:
    out = {}
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            if name == "alembic_version":
                continue
            key = [c.name for c in table.primary_key.columns]
            out[name] = {tuple(row[k] for k in key): dict(row) for row in
                         conn.execute(select(table)).mappings()}
    return out


def _copy(source, target) -> None:
    """Every row of ``source`` into ``target``, in the columns ``target`` has (constraints off)."""
    source_meta, target_meta = MetaData(), MetaData()
    source_meta.reflect(source)
    target_meta.reflect(target)
    with source.connect() as src, target.begin() as dst:
        if target.dialect.name == "sqlite":
            dst.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        else:
            dst.exec_driver_sql("SET session_replication_role = replica")
        for name, table in target_meta.tables.items():
            if name == "alembic_version":
                continue
            columns = [c.name for c in table.columns]
            rows = [dict(r) for r in src.execute(select(*(source_meta.tables[name].c[c] for c in columns)))
                    .mappings()]
            if rows:
                dst.execute(table.insert(), rows)


@pytest.fixture
def previous_db(tmp_path: Path):
    """An empty database URL for B (SQLite file, or a new PostgreSQL database on the test server)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'previous.sqlite3'}"
        return
    url = new_pg_database("lms_previous")
    yield url
    drop_pg_database(url)


def test_upgrade_from_the_previous_revision_loses_nothing(app, database_url, previous_db, tmp_path):
    _populate(app)
    now = utcnow()
    users = db.session.scalars(select(User).order_by(User.id)).all()
    shown_before = {u.id: [(r.course.slug, r.state.section, r.state.percent, r.state.completion)
                           for rows in pages.overview(u, now).sections.values() for r in rows] for u in users}
    db.session.commit()

    previous_app = create_app(base_config(previous_db, tmp_path))
    with previous_app.app_context():
        command.upgrade(alembic_config(), PREVIOUS)
        db.get_db(previous_app).dispose()
    head_engine, previous_engine = create_engine(database_url), create_engine(previous_db)
    _copy(head_engine, previous_engine)
    with previous_app.app_context():
        command.upgrade(alembic_config(), "head")
        assert rebuild_if_empty() is not None  # what `lms db upgrade` does after the upgrade
        db.get_db(previous_app).dispose()

    head_meta, upgraded_meta = MetaData(), MetaData()
    head_meta.reflect(head_engine)
    upgraded_meta.reflect(previous_engine)
    assert set(upgraded_meta.tables) == set(head_meta.tables)
    before, after = _rows(head_engine, head_meta), _rows(previous_engine, upgraded_meta)
    compared = 0
    for table, rows in before.items():
        if table in DERIVED:
            continue
        assert set(after[table]) == set(rows), f"{table}: rows lost or added"
        for key, row in rows.items():
            for column, value in row.items():
                if (table, column) in NOT_DERIVABLE:
                    continue
                assert after[table][key][column] == value, (table, key, column)
                compared += 1
    assert compared > 10_000
    # the summaries built after the upgrade equal those the events kept current before it
    changes = [{k: r["delta"] for k, r in rows["competence_unit_changes"].items() if r["delta"]}
               for rows in (before, after)]
    assert changes[0] and changes[0] == changes[1]
    contributions = [{k: (r["org_unit_id"], r["changes"]) for k, r in rows["competence_contributions"].items()}
                     for rows in (before, after)]
    assert contributions[0] == contributions[1]
    for table in ("module_progress", "acknowledgements", "attempts", "completions", "employees"):
        assert before[table], f"the test data has no {table}"
    head_engine.dispose()
    previous_engine.dispose()

    with previous_app.app_context():
        shown_after = {u.id: [(r.course.slug, r.state.section, r.state.percent, r.state.completion)
                              for rows in pages.overview(u, now).sections.values() for r in rows]
                       for u in db.session.scalars(select(User).order_by(User.id))}
        db.session.rollback()
        db.get_db(previous_app).dispose()
    assert shown_after == shown_before


def test_revision_0003_puts_stored_tables_into_regions_without_touching_confirmations(tmp_path):
    """HTML stored before the renderer boxed tables is upgraded; the text fingerprint stays the same."""
    from lms.catalog.fingerprint import text_hash
    from lms.markdown import wrap_tables

    html = "<h2>Fristen</h2><table><thead><tr><th>Was</th></tr></thead><tbody><tr><td>Art. 4</td></tr></tbody></table>"
    url = f"sqlite:///{tmp_path / 'at-0002.sqlite3'}"
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        command.upgrade(alembic_config(), "0002")
        with db.get_db(app).write_engine.begin() as conn:
            conn.execute(text("INSERT INTO courses (id, slug, is_active, created_at) VALUES (1, 'k', 1, '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO course_versions (id, course_id, version, major, content_hash, title, summary, minutes,"
                " audience, awards, validity_months, pass_mark, questions_per_attempt, attempts_per_day,"
                " show_solutions, imported_at, changes_html, requires_renewal, renewal_major) VALUES (1, 1, '1.0.0',"
                " 1, 'x', 'K', '', 1, '', '{}', 12, 80, 1, 3, 'always', '2026-01-01', '', 0, 1)"))
            conn.execute(text("INSERT INTO modules (id, course_version_id, position, slug, key, title, minutes,"
                              " acknowledge, html, text_hash) VALUES (1, 1, 1, '01-m', 'm', 'Modul', 1, 1, :h, :t)"),
                         {"h": html, "t": text_hash("Modul", html)})
        command.upgrade(alembic_config(), "head")
        with db.get_db(app).write_engine.connect() as conn:
            stored, stored_hash = conn.execute(text("SELECT html, text_hash FROM modules WHERE id = 1")).one()
        db.get_db(app).dispose()
    assert stored == wrap_tables(html) and stored != html
    assert 'role="region" tabindex="0"' in stored and 'scope="col"' in stored
    assert text_hash("Modul", stored) == stored_hash == text_hash("Modul", html)
    assert wrap_tables(stored) == stored  # idempotent
