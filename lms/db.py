"""The database: engines, the session per request, the declarative base and shared column types.

SQLite is the embedded default. It runs in WAL mode with foreign keys on, ``synchronous=FULL`` and a
busy timeout. Transactions that may write begin with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented
pysqlite recipe), so concurrent writers queue instead of failing with "database is locked"; read-only
requests use a second engine whose transactions begin with a plain (deferred) ``BEGIN`` and never take
the write lock. PostgreSQL uses one engine for both.

Which engine a request uses is decided by its method: GET/HEAD/OPTIONS read, everything else writes.
A GET view that must write (for example to audit who looked at whose data) is decorated with
:func:`writes`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from flask.globals import request_ctx
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MODEL_MODULES = (
    "lms.auth.models",
    "lms.org.models",
    "lms.audit.models",
    "lms.competence.models",
    "lms.catalog.models",
    "lms.learning.models",
    "lms.training.models",
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def import_models() -> None:
    """Import every models module so that ``Base.metadata`` knows all tables."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite (the recipe in SQLAlchemy's SQLite docs).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """Owns the engines and the session factory of one app."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.write_engine = _sqlite_engine(url, immediate=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
        else:
            self.write_engine = create_engine(url, pool_pre_ping=True)
            self.read_engine = self.write_engine
        self.write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["lms_db"]


def _wants_write() -> bool:
    if not has_request_context():
        return True
    if request.method not in SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "lms_writes", False))


def get_session() -> Session:
    """The session of the current request, or of the app context outside requests (CLI, tests).

    A request always gets its own session, even when an app context outlives it (as in tests), so
    nothing leaks from one request into the next.
    """
    holder: Any = request_ctx._get_current_object() if has_request_context() else g
    sess = getattr(holder, "lms_db_session", None)
    if sess is None:
        db = get_db()
        sess = (db.write_sessions if _wants_write() else db.read_sessions)()
        holder.lms_db_session = sess
    return sess


class _SessionProxy:
    """``db.session`` as a module attribute: forwards to :func:`get_session`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(get_session(), name)


session: Session = _SessionProxy()  # type: ignore[assignment]

F = TypeVar("F", bound=Callable[..., Any])


def writes(view: F) -> F:
    """Mark a GET view that writes (e.g. an audit event) so its request gets the write engine."""
    view.lms_writes = True  # type: ignore[attr-defined]
    return view


def _close(holder: Any) -> None:
    sess = getattr(holder, "lms_db_session", None)
    if sess is not None:
        holder.lms_db_session = None
        sess.rollback()  # anything not committed by the view is discarded
        sess.close()


def _teardown_request(_exc: BaseException | None) -> None:
    _close(request_ctx._get_current_object())


def _teardown_appcontext(_exc: BaseException | None) -> None:
    _close(g._get_current_object())


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app's engines execute inside the block (transaction control
    statements excluded). For tests and the benchmark: ``with count_queries(app) as queries: …``."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    database = get_db(app)
    engines = {database.write_engine, database.read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    app.extensions["lms_db"] = Database(url)
    app.teardown_request(_teardown_request)
    app.teardown_appcontext(_teardown_appcontext)
