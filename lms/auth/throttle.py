"""Failed-login throttling, kept in the database (survives restarts, shared across processes).

Per account: after ``LMS_LOGIN_MAX_FAILURES`` failures the account is locked for
``LMS_LOGIN_LOCK_MINUTES``. Per client address: after ``LMS_IP_MAX_FAILURES`` failures the address is
locked for the same time. A successful login clears the account's counter.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms import db
from lms.auth.models import LoginThrottle


def account_key(email: str) -> str:
    return "acct:" + email.strip().lower()


def address_key(addr: str | None) -> str:
    return "ip:" + (addr or "unknown")


def locked_until(*keys: str) -> datetime | None:
    """The latest lock still in force among the keys, or None."""
    now = datetime.now(UTC)
    rows = db.session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
    active = [t for t in rows if t is not None and t > now]
    return max(active) if active else None


def register_failure(key: str, limit: int) -> None:
    """Count a failure atomically (INSERT … ON CONFLICT DO UPDATE) and lock when the limit is reached."""
    now = datetime.now(UTC)
    insert = pg_insert if db.get_db().dialect == "postgresql" else sqlite_insert
    stmt = insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
    )
    db.session.execute(stmt)
    row = db.session.get(LoginThrottle, key, populate_existing=True)
    assert row is not None
    if row.failures >= limit:
        row.locked_until = now + timedelta(minutes=current_app.config["LMS_LOGIN_LOCK_MINUTES"])
        row.failures = 0
    db.session.flush()


def register_failed_login(email: str, addr: str | None) -> None:
    cfg = current_app.config
    register_failure(account_key(email), cfg["LMS_LOGIN_MAX_FAILURES"])
    register_failure(address_key(addr), cfg["LMS_IP_MAX_FAILURES"])


def clear(email: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))
