"""Account writes: create, change role, invite, set password. Add and flush; never commit."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select, update

from lms import db
from lms.audit import services as audit
from lms.auth.models import ROLE_VALUES, Invitation, Role, User, UserScope
from lms.auth.passwords import hash_password, policy_problems
from lms.org import queries as org_queries
from lms.org.models import Employee, OrgUnit

log = logging.getLogger(__name__)


class AccountError(ValueError):
    """A request that cannot be carried out; the message is shown to the user."""


class RoleError(AccountError):
    """The role itself cannot be given (shown at the role field)."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    email: str,
    role: str,
    *,
    unit_codes: list[str] | None = None,
    password: str | None = None,
    display_name: str = "",
    actor_label: str | None = None,
) -> User:
    """Create an account. An employee account is linked to the employee with the same e-mail."""
    email = email.strip().lower()
    if role not in ROLE_VALUES:
        raise AccountError(_("Unbekannte Rolle %(role)s; erlaubt sind: %(roles)s", role=role, roles=", ".join(ROLE_VALUES)))
    if find_by_email(email) is not None:
        raise AccountError(_("Für %(email)s gibt es bereits ein Konto.", email=email))
    employee = db.session.scalar(select(Employee).where(Employee.email == email))
    if role == Role.EMPLOYEE and employee is None:
        raise AccountError(_("Keine Beschäftigten mit der E-Mail-Adresse %(email)s: bitte zuerst die Personaldaten importieren.", email=email))
    if password is not None:
        check_password(password, email=email, employee=employee, display_name=display_name)
    user = User(
        email=email,
        role=role,
        employee=employee,
        display_name=display_name,
        password_hash=hash_password(password) if password else None,
        password_changed_at=datetime.now(UTC) if password else None,
    )
    db.session.add(user)
    set_scopes(user, unit_codes or [])
    db.session.flush()
    audit.record("auth.user_created", object_type="user", object_id=user.id,
                 detail={"email": email, "role": role, "units": unit_codes or []}, actor_label=actor_label)
    return user


def set_scopes(user: User, unit_codes: list[str]) -> None:
    """Replace a coordinator's org-unit subtrees."""
    units = []
    for code in unit_codes:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is None:
            raise AccountError(_("Unbekannte Organisationseinheit %(code)s.", code=code))
        units.append(unit)
    if user.role == Role.COORDINATOR and not units:
        raise AccountError(_("Koordinatorinnen und Koordinatoren brauchen mindestens eine Organisationseinheit (--unit KENNUNG)."))
    user.scopes = [UserScope(org_unit=u) for u in units]


def set_role(user: User, role: str, *, unit_codes: list[str] | None = None, actor_label: str | None = None) -> None:
    """Change the role (and scopes); ends all sessions of that user."""
    if role not in ROLE_VALUES:
        raise RoleError(_("Unbekannte Rolle %(role)s; erlaubt sind: %(roles)s", role=role, roles=", ".join(ROLE_VALUES)))
    if role == Role.EMPLOYEE and user.employee is None:
        # as at creation: an employee account belongs to an employee record (unit, assignments, reports)
        raise RoleError(_("Keine Beschäftigten mit der E-Mail-Adresse %(email)s: bitte zuerst die Personaldaten importieren.", email=user.email))
    old = user.role
    user.role = role
    set_scopes(user, unit_codes if unit_codes is not None else
               ([s.org_unit.code for s in user.scopes] if role == Role.COORDINATOR else []))
    end_sessions(user)
    db.session.flush()
    audit.record("auth.role_changed", object_type="user", object_id=user.id,
                 detail={"from": old, "to": role, "units": unit_codes or []}, actor_label=actor_label)


def employees_without_account(unit_code: str | None = None) -> Select[tuple[Employee]]:
    """Active employees (optionally of one unit's subtree) that have no account yet."""
    query = (select(Employee).where(Employee.is_active.is_(True),
                                    ~select(User.id).where(User.employee_id == Employee.id).exists())
             .order_by(Employee.last_name, Employee.first_name, Employee.id))
    if unit_code is not None:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            raise AccountError(_("Unbekannte Organisationseinheit %(code)s.", code=unit_code))
        query = query.where(Employee.org_unit_id.in_(org_queries.subtree_unit_ids([unit.path])))
    return query


def invite_employees(unit_code: str | None = None, *, actor_label: str | None = None
                     ) -> list[tuple[Employee, str]]:
    """Create an employee account with a one-time invitation for every active employee without one.

    Returns (employee, invitation token) pairs; running it again only covers employees added since.
    """
    invited = []
    for employee in db.session.scalars(employees_without_account(unit_code)).all():
        user = User(email=employee.email, role=Role.EMPLOYEE.value, employee=employee)
        db.session.add(user)
        db.session.flush()
        invited.append((employee, invite(user, actor_label=actor_label)))
    audit.record("auth.employees_invited", object_type="org_unit", object_id=unit_code,
                 detail={"count": len(invited)}, actor_label=actor_label)
    return invited


def end_sessions(user: User) -> None:
    user.session_version = (user.session_version or 0) + 1


def check_password(password: str, *, email: str, employee: Employee | None = None,
                   display_name: str = "") -> None:
    """Raise :class:`AccountError` with the reasons when the policy refuses ``password`` for this
    person: their e-mail, names and unit and the organisation's name count as guessable."""
    names = [display_name]
    if employee is not None:
        names += [employee.first_name, employee.last_name]
        if employee.org_unit is not None:
            names.append(employee.org_unit.name)
    problems = policy_problems(password, email=email, names=names,
                               org_name=current_app.config["LMS_ORG_NAME"])
    if problems:
        raise AccountError(" ".join(problems))


def set_password(user: User, password: str) -> None:
    """Set a new password: ends every session and voids every open invitation link of the user."""
    check_password(password, email=user.email, employee=user.employee, display_name=user.display_name)
    user.password_hash = hash_password(password)
    user.password_changed_at = datetime.now(UTC)
    end_sessions(user)
    revoke_invitations(user)
    db.session.flush()


def revoke_invitations(user: User) -> int:
    """Void every open (unused) invitation link of ``user``; returns how many were open.

    A voided link is marked used: the invitation page then says the link is no longer valid.
    """
    result = db.session.execute(
        update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(used_at=datetime.now(UTC)).execution_options(synchronize_session="fetch"))
    return result.rowcount  # type: ignore[attr-defined]


def invite(user: User, *, actor_label: str | None = None) -> str:
    """Create a one-time invitation; returns the token (only its hash is stored).

    Only the newest link of a user is valid: issuing one voids every link issued before.
    """
    token = secrets.token_urlsafe(32)
    days = current_app.config["LMS_INVITATION_DAYS"]
    voided = revoke_invitations(user) if user.id is not None else 0
    db.session.add(Invitation(user=user, token_hash=_token_hash(token),
                              expires_at=datetime.now(UTC) + timedelta(days=days)))
    db.session.flush()
    audit.record("auth.invited", object_type="user", object_id=user.id, actor_label=actor_label,
                 detail={"voided_links": voided} if voided else None)
    return token


def invitation_url(token: str) -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/einladung/" + token


def find_invitation(token: str) -> Invitation | None:
    """A valid (unused, unexpired) invitation for the token, or None."""
    inv = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if inv is None or inv.used_at is not None or inv.expires_at <= datetime.now(UTC):
        return None
    if not inv.user.is_active:
        return None
    return inv


def accept_invitation(inv: Invitation, password: str) -> User:
    """Set the password through a link, exactly once.

    The conditional ``UPDATE … WHERE used_at IS NULL`` claims the link in this transaction: a second
    request holding the same link (or one voided meanwhile) updates no row and is refused.
    """
    user = inv.user
    check_password(password, email=user.email, employee=user.employee, display_name=user.display_name)
    claimed = db.session.execute(
        update(Invitation).where(Invitation.id == inv.id, Invitation.used_at.is_(None))
        .values(used_at=datetime.now(UTC)).execution_options(synchronize_session="fetch"))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError(_("Diese Einladung ist nicht mehr gültig"))
    set_password(inv.user, password)
    audit.record("auth.invitation_accepted", object_type="user", object_id=inv.user_id, actor=inv.user)
    return inv.user
