"""Fixtures: app, client, runner, login helper and factories.

The database is SQLite by default. Set ``TEST_DATABASE_URL`` (``make test`` does, for its second run)
to run the same suite against PostgreSQL. The schema is always made by the Alembic migrations.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from lms import create_app, db
from lms.auth import passwords as passwords_module
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.org.models import Employee, OrgUnit

# Argon2 with production parameters costs ~50 ms per hash; tests hash thousands of times.
passwords_module._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Lange-genug-und-geheim-42"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def base_config(url: str, tmp: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "LMS_DEV": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "LMS_RATELIMIT_STORAGE_URI": "memory://",
        "LMS_COURSES_DIR": str(ROOT / "courses"),
        "LMS_BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


def migrate(url: str, tmp: Path) -> None:
    app = create_app(base_config(url, tmp))
    with app.app_context():
        from alembic import command

        from lms.cli import alembic_config

        command.upgrade(alembic_config(), "head")
        db.get_db(app).dispose()


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session: a SQLite file to copy, or the PostgreSQL database to truncate."""
    tmp = tmp_path_factory.mktemp("db")
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        migrate(PG_URL, tmp)
        return PG_URL
    path = tmp / "template.sqlite3"
    migrate(f"sqlite:///{path}", tmp)
    return str(path)


_pg_databases = itertools.count(1)


def new_pg_database(prefix: str) -> str:
    """A new, empty database ``<prefix>_<pid>_<n>`` on the ``TEST_DATABASE_URL`` server; returns its URL
    (for tests that need a database besides the shared one: a live server, an older schema)."""
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{os.getpid()}_{next(_pg_databases)}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(_template_db: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if PG_URL:
        _truncate_pg(PG_URL)
        yield PG_URL
        return
    path = tmp_path / "test.sqlite3"
    shutil.copy(_template_db, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Override in a test module (or update in a test before ``app`` is used) to change settings."""
    return base_config(database_url, tmp_path)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.close()
    db.get_db(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


_seq = itertools.count(1)


@pytest.fixture
def make_unit(app: Flask) -> Callable[..., OrgUnit]:
    def make(code: str | None = None, name: str | None = None, parent: OrgUnit | None = None) -> OrgUnit:
        n = next(_seq)
        unit = OrgUnit(code=code or f"U{n}", name=name or f"Einheit {n}", parent=parent)
        db.session.add(unit)
        db.session.flush()
        unit.path = (parent.path if parent else "/") + f"{unit.id}/"
        unit.depth = 0 if parent is None else parent.depth + 1
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_employee(app: Flask, make_unit: Callable[..., OrgUnit]) -> Callable[..., Employee]:
    def make(unit: OrgUnit | None = None, **fields: Any) -> Employee:
        n = next(_seq)
        values: dict[str, Any] = {
            "personnel_no": f"P{n:05d}", "first_name": "Erika", "last_name": f"Muster{n}",
            "email": f"person{n}@stadt.example", "hired_on": date(2020, 1, 1),
        }
        values.update(fields)
        employee = Employee(org_unit=unit or make_unit(), **values)
        db.session.add(employee)
        db.session.commit()
        return employee

    return make


@pytest.fixture
def make_user(app: Flask, make_employee: Callable[..., Employee], make_unit: Callable[..., OrgUnit]
              ) -> Callable[..., User]:
    """Create an account with PASSWORD. Employees get an employee record; coordinators a unit."""

    def make(role: str = "employee", email: str | None = None, units: list[OrgUnit] | None = None,
             employee: Employee | None = None) -> User:
        if role == "employee" and employee is None:
            employee = make_employee(**({"email": email} if email else {}))
        email = email or (employee.email if employee else f"{role}{next(_seq)}@stadt.example")
        if role == "coordinator" and not units:
            units = [make_unit()]
        user = auth_services.create_user(email, role, unit_codes=[u.code for u in units or []],
                                         password=PASSWORD, display_name=role.title())
        db.session.commit()
        return user

    return make


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD, follow: bool = False):
        return self.client.post("/anmelden", data={"email": email, "password": password},
                                follow_redirects=follow)

    def logout(self):
        return self.client.post("/abmelden")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def login_as(make_user: Callable[..., User], auth: Auth) -> Callable[..., User]:
    """Create a user of ``role`` and log the test client in as that user."""

    def login(role: str = "employee", **kwargs: Any) -> User:
        user = make_user(role, **kwargs)
        response = auth.login(user.email)
        assert response.status_code == 302, response.data[:500]
        return user

    return login
