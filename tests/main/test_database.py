"""The database layer: migrations equal the models, SQLite settings, concurrent writers."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from lms import db
from lms.db import Base
from tests.conftest import PG_URL


def test_migrations_produce_exactly_the_models(app, database_url):
    """Autogenerate against the migrated database finds nothing to do (SQLite or PostgreSQL)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == []


def test_every_model_table_exists(app, database_url):
    engine = create_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


@pytest.mark.skipif(bool(PG_URL), reason="SQLite-specific settings")
def test_sqlite_pragmas(app):
    with db.get_db().write_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


@pytest.mark.skipif(bool(PG_URL), reason="SQLite-specific settings")
def test_read_requests_do_not_take_the_write_lock(app):
    """A GET uses the deferred engine, a POST the BEGIN IMMEDIATE engine."""
    database = db.get_db()
    assert database.read_engine is not database.write_engine
    with app.test_request_context("/", method="GET"):
        assert db.get_session().get_bind() is database.read_engine
    with app.test_request_context("/", method="POST"):
        assert db.get_session().get_bind() is database.write_engine


def _writer(url: str, n: int, errors) -> None:
    from lms import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", "LMS_DEV": True})
    with app.app_context():
        for i in range(n):
            try:
                session = db.get_db().write_sessions()
                # read then write in one transaction: with a deferred BEGIN this upgrade fails under load
                session.execute(text("SELECT count(*) FROM audit_events")).scalar()
                session.execute(text(
                    "INSERT INTO audit_events (occurred_at, actor_label, action) VALUES (CURRENT_TIMESTAMP, :a, 'x')"
                ), {"a": f"{os.getpid()}-{i}"})
                session.commit()
                session.close()
            except Exception as exc:  # noqa: BLE001 - counted, reported below
                errors.append(repr(exc))
        db.get_db().dispose()


def test_concurrent_writers_wait_instead_of_failing(app, database_url):
    """Four processes write 50 rows each, reading first in the same transaction: no 'database is locked'."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite locking behaviour")
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager:
        errors = manager.list()
        procs = [ctx.Process(target=_writer, args=(database_url, 50, errors)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        assert list(errors) == []
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events WHERE action='x'")).scalar() == 200
    engine.dispose()


def test_factory_issues_no_query(app_config, monkeypatch):
    """Creating the app must not touch the database."""
    from sqlalchemy import event

    from lms import create_app

    statements: list[str] = []
    new = create_app(app_config)
    event.listen(db.get_db(new).write_engine, "before_cursor_execute",
                 lambda *a: statements.append(a[2]))
    assert statements == []
    # and creating it issued none before the listener either: no engine connection was opened
    assert db.get_db(new).write_engine.pool.checkedout() == 0
    db.get_db(new).dispose()


def test_utc_datetimes_round_trip(app, make_unit, make_employee):
    from lms.org.models import Employee

    employee = make_employee()
    loaded = db.session.get(Employee, employee.id, populate_existing=True)
    assert loaded.created_at.tzinfo is not None and loaded.created_at.utcoffset().total_seconds() == 0


def test_naive_datetime_is_refused(app):
    from datetime import datetime

    from lms.audit.models import AuditEvent

    db.session.add(AuditEvent(actor_label="t", action="t", occurred_at=datetime(2026, 1, 1)))  # noqa: DTZ001
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_migrations_downgrade_and_upgrade_again(app, database_url):
    """``downgrade base`` removes every table (foreign-key cycles included), ``upgrade`` restores them."""
    from alembic import command

    from lms.cli import alembic_config

    db.get_db().dispose()
    command.downgrade(alembic_config(), "base")
    engine = create_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(alembic_config(), "head")
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
