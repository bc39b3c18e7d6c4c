"""Failed-login throttling, kept in the database (survives restarts, shared across processes).

Three counters, one row each in ``login_throttles``:

- per account (``acct:<email>``): after ``LMS_LOGIN_MAX_FAILURES`` failures the account is locked
  for ``LMS_LOGIN_LOCK_MINUTES``; while locked even its correct password is refused;
- per client address (``ip:<addr>``): after ``LMS_IP_MAX_FAILURES`` failures the address is locked
  for the same time;
- per address and account (``pair:<hash>``): remembers that an account failed from an address.

An address lock never refuses the correct password of an account that did not fail from that
address: many people share one address (a proxy, the town hall's NAT), and one of them guessing
must not lock out the others. From a locked address, an account that failed from it during the lock
time is refused without checking its password; every other account gets its password checked, and
a wrong one makes it such an account. So a password sprayer gets one guess per account and lock
time once the address is locked, and nobody else is stopped.

Failures count towards a lock only while each follows the previous one within the lock time; older
rows are deleted (they also hold addresses, which are personal data). A successful login clears the
account's and the pair's counters. The rules are documented in docs/security.md ("Failed logins").
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms import db
from lms.auth.models import LoginThrottle


def account_key(email: str) -> str:
    return "acct:" + email.strip().lower()


def address_key(addr: str | None) -> str:
    return "ip:" + (addr or "unknown")


def pair_key(email: str, addr: str | None) -> str:
    """The key for one account from one address (hashed: it fits the column whatever the lengths)."""
    raw = f"{(addr or 'unknown')}\n{email.strip().lower()}"
    return "pair:" + hashlib.sha256(raw.encode()).hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LMS_LOGIN_LOCK_MINUTES"])


def refused_until(account_locked: datetime | None, address_locked: datetime | None,
                  failed_from_address: bool) -> datetime | None:
    """Until when a login is refused without checking the password, or None to check it.

    A locked account is refused. A locked address refuses only accounts that failed from it
    (``failed_from_address``); any other account's correct password is accepted.
    """
    if account_locked is not None:
        return account_locked
    if address_locked is not None and failed_from_address:
        return address_locked
    return None


def check(email: str, addr: str | None, now: datetime | None = None) -> datetime | None:
    """Until when a login of ``email`` from ``addr`` is refused, or None (see :func:`refused_until`)."""
    now = now or datetime.now(UTC)
    keys = {account_key(email): "account", address_key(addr): "address", pair_key(email, addr): "pair"}
    rows = {keys[r.key]: r for r in db.session.execute(
        select(LoginThrottle.key, LoginThrottle.locked_until, LoginThrottle.last_failure_at)
        .where(LoginThrottle.key.in_(keys)))}

    def lock(kind: str) -> datetime | None:
        row = rows.get(kind)
        return row.locked_until if row is not None and row.locked_until and row.locked_until > now else None

    pair = rows.get("pair")
    failed_here = pair is not None and pair.last_failure_at > now - _window()
    return refused_until(lock("account"), lock("address"), failed_here)


def locked_until(*keys: str) -> datetime | None:
    """The latest lock still in force among the keys, or None."""
    now = datetime.now(UTC)
    rows = db.session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
    active = [t for t in rows if t is not None and t > now]
    return max(active) if active else None


def register_failure(key: str, limit: int | None) -> None:
    """Count a failure atomically (INSERT … ON CONFLICT DO UPDATE) and lock when ``limit`` is reached
    (``None``: count only)."""
    now = datetime.now(UTC)
    insert = pg_insert if db.get_db().dialect == "postgresql" else sqlite_insert
    stmt = insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
    )
    db.session.execute(stmt)
    if limit is None:
        return
    row = db.session.get(LoginThrottle, key, populate_existing=True)
    assert row is not None
    if row.failures >= limit:
        row.locked_until = now + _window()
        row.failures = 0
    db.session.flush()


def purge_stale(now: datetime | None = None) -> None:
    """Delete counters whose last failure is older than the lock time and that hold no lock in force:
    their failures no longer count, and the rows hold addresses."""
    now = now or datetime.now(UTC)
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - _window(),
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now)))


def register_failed_login(email: str, addr: str | None) -> None:
    cfg = current_app.config
    purge_stale()
    register_failure(account_key(email), cfg["LMS_LOGIN_MAX_FAILURES"])
    register_failure(address_key(addr), cfg["LMS_IP_MAX_FAILURES"])
    register_failure(pair_key(email, addr), None)


def clear(email: str, addr: str | None = None) -> None:
    """After a successful login: forget the account's failures (and those from this address)."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.key.in_([account_key(email), pair_key(email, addr)])))
