"""Accounts follow their employee record: what a staff import changes for accounts.

Org sits below auth and does not import it. The app factory registers :func:`linked_accounts` under
:data:`lms.org.services.ACCOUNTS_EXTENSION` (the staff import plans and previews with it) and connects
the receivers here to org's signals, so that accounts change in the import's transaction. Adds and
flushes; the caller of the import commits.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from lms import db
from lms.auth.models import User
from lms.org.services import LinkedAccount, LinkedAccounts


def linked_accounts() -> LinkedAccounts:
    """The accounts that belong to an employee, and the owner of every login (two queries)."""
    by_employee = {
        employee_id: LinkedAccount(user_id, email, is_active)
        for user_id, employee_id, email, is_active in db.session.execute(
            select(User.id, User.employee_id, User.email, User.is_active).where(User.employee_id.is_not(None)))
    }
    login_owners = dict(db.session.execute(select(User.email, User.id)).tuples().all())
    return LinkedAccounts(by_employee, login_owners)


def on_accounts_affected(_sender: object, *, detach: list[int], logins: dict[int, str]) -> None:
    """Detach accounts from a record that now describes another person (switched off, sessions ended),
    and move logins to their employee's new e-mail address."""
    if not detach and not logins:
        return
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(set(detach) | set(logins))))}
    # logins may move between people in one file: free every changing login first, so that the
    # unique constraint never sees two owners in between
    for user_id in logins:
        users[user_id].email = f"moving-login-{user_id}-{secrets.token_hex(4)}@import.invalid"
    if logins:
        db.session.flush()
    for user_id in detach:
        user = users[user_id]
        user.employee = None
        user.is_active = False
        user.session_version = (user.session_version or 0) + 1
    for user_id, email in logins.items():
        users[user_id].email = email
    db.session.flush()


def deactivate_accounts(employee_ids: list[int]) -> int:
    """Switch off the accounts of these employees and end their sessions; returns how many."""
    if not employee_ids:
        return 0
    users = db.session.scalars(select(User).where(User.employee_id.in_(employee_ids),
                                                  User.is_active.is_(True))).all()
    for user in users:
        user.is_active = False
        user.session_version = (user.session_version or 0) + 1
    db.session.flush()
    return len(users)


def on_staff_changed(_sender: object, *, created: list[int], changed: list[int], left: list[int]) -> None:
    """Those who left the organisation lose their account's access."""
    deactivate_accounts(left)


def connect_signals() -> None:
    from lms.org.signals import accounts_affected, staff_changed

    accounts_affected.connect(on_accounts_affected)
    staff_changed.connect(on_staff_changed)
