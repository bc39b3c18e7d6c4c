"""``lms backup FILE`` and the restore documented in docs/backup.md, on SQLite and PostgreSQL.

A database with rows in (almost) every table is backed up, restored into a fresh database exactly as
the documentation says, and the two are compared table by table: the same tables, the same row
counts, the same contents. Then the app runs on the restored database.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from lms import create_app, db
from lms.auth import services as auth_services
from lms.auth import throttle
from lms.auth.passwords import DEMO_PASSWORD
from lms.competence import services as competence_services
from lms.competence.models import CompetenceTarget
from lms.learning import services as learning
from lms.learning import summaries
from lms.main.backup import libpq_url, pg_tool
from lms.org import services as org_services
from lms.training.models import Assignment, Notification
from tests.conftest import PG_URL, base_config
from tests.learning.factories import answers, create_course, load_attempt, read_all

#: tables that may stay empty in the fixture data
MAY_BE_EMPTY: set[str] = set()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, ordered by primary key."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        out = {}
        with engine.connect() as conn:
            for name, table in sorted(metadata.tables.items()):
                order = list(table.primary_key.columns) or list(table.columns)[:1]
                out[name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        return out
    finally:
        engine.dispose()


def fill(app, runner) -> None:
    """The courses and the demo city (with assignments), an attempt passed with a certificate, an
    invitation, a failed login, a staged import."""
    result = runner.invoke(args=["courses", "import"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    anna = auth_services.find_by_email("anna.schmidt@musterstadt.example")
    cv = create_course(acknowledge=(2,), questions=4, per_attempt=4)
    read_all(anna.id, cv)
    attempt = learning.start_attempt(anna.id, cv)
    db.session.commit()
    loaded = load_attempt(attempt.id)
    learning.submit(loaded, {int(k[5:]): [int(v) for v in vs] for k, vs in answers(loaded).items()})
    db.session.add(CompetenceTarget(area_key="grundlagen", level=1))
    competence_services.extend_checkpoints(summaries.today())
    invited = auth_services.create_user("neu@musterstadt.example", "author")
    auth_services.invite(invited)
    throttle.register_failed_login("anna.schmidt@musterstadt.example", "203.0.113.5")
    obligation = db.session.scalars(select(Assignment).limit(1)).one()
    db.session.add(Notification(kind="reminder", dedupe_key=f"reminder:{obligation.id}:d14", user_id=anna.id,
                                assignment_id=obligation.id))
    org_services.stage("staff", "personal.csv", "personalnummer;name\n1;Ä\n".encode(), is_full=False,
                       user_id=anna.id)
    db.session.commit()


def assert_same(source: dict, restored: dict) -> None:
    assert sorted(restored) == sorted(source)
    for table, rows in source.items():
        assert len(restored[table]) == len(rows), table
        assert restored[table] == rows, table
    empty = {t for t, rows in source.items() if not rows and t != "alembic_version"} - MAY_BE_EMPTY
    assert not empty, f"the fixture leaves tables empty: {empty}"


def app_works_on(url: str, tmp_path: Path) -> None:
    restored = create_app(base_config(url, tmp_path))
    with restored.app_context():
        client = restored.test_client()
        response = client.post("/anmelden", data={"email": "anna.schmidt@musterstadt.example",
                                                  "password": DEMO_PASSWORD})
        assert response.status_code == 302
        assert client.get("/meine-daten").status_code == 200
        db.session.close()
    db.get_db(restored).dispose()


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite backup (this run is on PostgreSQL)")
def test_sqlite_backup_restores_every_table(app, runner, database_url, tmp_path):
    fill(app, runner)
    target = tmp_path / "sicherung.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "sqlite backup written" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not target.with_name(target.name + ".part").exists()
    # the restore of docs/backup.md: copy the file into place (app stopped), nothing else
    fresh = tmp_path / "restored" / "lms.sqlite3"
    fresh.parent.mkdir()
    shutil.copy(target, fresh)
    assert not list(fresh.parent.glob("*-wal")) and not list(fresh.parent.glob("*-journal"))
    assert_same(snapshot(database_url), snapshot(f"sqlite:///{fresh}"))
    app_works_on(f"sqlite:///{fresh}", tmp_path)


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite backup (this run is on PostgreSQL)")
def test_sqlite_backup_while_the_app_writes(app, runner, database_url, tmp_path, make_unit):
    """Online: writers keep going during the backup; the copy is consistent."""
    stop, started = threading.Event(), threading.Event()

    def write() -> None:
        engine = create_engine(database_url, connect_args={"timeout": 30})
        n = 0
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO audit_events (occurred_at, actor_label, action) "
                                  "VALUES (CURRENT_TIMESTAMP, 'test', :a)"), {"a": f"test.write.{n}"})
            started.set()
            n += 1
        engine.dispose()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        # on a loaded machine the thread may not have written yet; the backups must run while it writes
        assert started.wait(30), "the writer never committed"
        for i in range(3):
            result = runner.invoke(args=["backup", "--force", str(tmp_path / "laufend.sqlite3")])
            assert result.exit_code == 0, (i, result.output)
    finally:
        stop.set()
        writer.join(30)
    engine = create_engine(f"sqlite:///{tmp_path / 'laufend.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() > 0
    engine.dispose()


def test_backup_refuses_to_overwrite_without_force(app, runner, tmp_path):
    target = tmp_path / "da.bin"
    target.write_text("alt")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "--force" in result.output
    assert target.read_text() == "alt"


def test_libpq_url_keeps_the_password_off_the_command_line():
    url, env = libpq_url("postgresql+psycopg://lms:geheim%21@db.example:5433/lms?sslmode=require")
    assert url == "postgresql://lms@db.example:5433/lms?sslmode=require"
    assert env["PGPASSWORD"] == "geheim!"


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (make pytest-pg)")
def test_postgresql_backup_restores_every_table(app, runner, tmp_path):
    fill(app, runner)
    target = tmp_path / "sicherung.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "postgresql backup written" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # the restore of docs/backup.md: a fresh, empty database, then pg_restore into it
    name = "lms_restore_" + uuid.uuid4().hex[:8]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    restored_url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        conninfo, env = libpq_url(restored_url)
        done = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={conninfo}",
                               str(target)], env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert_same(snapshot(PG_URL), snapshot(restored_url))
        app_works_on(restored_url, tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
