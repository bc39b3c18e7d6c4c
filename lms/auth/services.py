"""Account writes: create, change role, invite, set password. Add and flush; never commit."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, delete, select, update

from lms import db, mail
from lms.audit import services as audit
from lms.auth import throttle
from lms.auth.models import ROLE_VALUES, Invitation, LoginThrottle, Role, User, UserScope
from lms.auth.passwords import hash_password, policy_problems
from lms.org import queries as org_queries
from lms.org.models import Employee, OrgUnit

log = logging.getLogger(__name__)


class AccountError(ValueError):
    """A request that cannot be carried out; the message is shown to the user."""


class RoleError(AccountError):
    """The role itself cannot be given (shown at the role field)."""


#: Invitation.purpose: the first password (sent by an admin or HR) and "Passwort vergessen"
INVITE, RESET = "invite", "reset"
#: a link from "Passwort vergessen" is valid this long
RESET_VALIDITY = timedelta(hours=1)


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


def set_role(user: User, role: str, *, unit_codes: list[str] | None = None, actor_label: str | None = None,
             by: User | None = None) -> None:
    """Change the role (and scopes); ends all sessions of that user. Someone must be left to manage
    accounts: an admin (``by``) cannot take the admin role from themselves, and nobody (the ``lms users``
    command passes no ``by``) can take it from the last active admin account (:class:`RoleError`)."""
    if user.role == Role.ADMIN and role != Role.ADMIN:
        if by is not None and by.id == user.id:
            raise RoleError(_("Sie können sich die Administrationsrolle nicht selbst entziehen."))
        if not db.session.scalar(select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True),
                                                       User.id != user.id).limit(1)):
            raise RoleError(_("%(email)s ist das letzte aktive Administrationskonto und behält die Rolle.",
                              email=user.email))
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


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invite(user: User, *, actor_label: str | None = None, purpose: str = INVITE,
           now: datetime | None = None, token: str | None = None) -> str:
    """Create a one-time link to set a password; returns the token (only its hash is stored).

    ``purpose`` "invite" (valid ``LMS_INVITATION_DAYS``) or "reset" ("Passwort vergessen", valid one
    hour). Only the newest link of a user is valid: issuing one voids every link issued before.
    """
    now = now or datetime.now(UTC)
    token = token or new_token()
    validity = RESET_VALIDITY if purpose == RESET else timedelta(days=current_app.config["LMS_INVITATION_DAYS"])
    voided = revoke_invitations(user) if user.id is not None else 0
    db.session.add(Invitation(user=user, token_hash=_token_hash(token), purpose=purpose, created_at=now,
                              expires_at=now + validity))
    db.session.flush()
    audit.record("auth.password_reset_requested" if purpose == RESET else "auth.invited",
                 object_type="user", object_id=user.id, actor_label=actor_label,
                 actor=user if purpose == RESET else None,
                 detail={"voided_links": voided} if voided else None)
    return token


def invitation_url(token: str) -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/einladung/" + token


def reset_url(token: str) -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/passwort-neu/" + token


def find_invitation(token: str, purpose: str = INVITE, now: datetime | None = None) -> Invitation | None:
    """A valid (unused, unexpired, of this purpose, of an active account) link for the token, or None."""
    inv = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if inv is None or inv.used_at is not None or inv.expires_at <= (now or datetime.now(UTC)) \
            or inv.purpose != purpose:
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
    audit.record("auth.password_reset" if inv.purpose == RESET else "auth.invitation_accepted",
                 object_type="user", object_id=inv.user_id, actor=inv.user)
    return inv.user


# --- e-mail -----------------------------------------------------------------------------------------


def invitation_mail(user: User, token: str) -> mail.Mail:
    return mail.render("invitation", to=user.email, locale=user.locale, ref=f"invitation:{user.id}",
                       name=user.name, email=user.email, url=invitation_url(token),
                       days=current_app.config["LMS_INVITATION_DAYS"])


def send_invitations(pairs: list[tuple[User, str]]) -> mail.Result:
    """E-mail the invitation links (one SMTP connection); failures are logged and returned."""
    return mail.send([invitation_mail(user, token) for user, token in pairs])


def request_password_reset(email: str, *, now: datetime | None = None) -> mail.Mail | None:
    """"Passwort vergessen": a one-hour link for an active account with this e-mail, as a rendered mail
    to send; None (and no link) for an unknown address or a deactivated account. Audited either way;
    the caller answers the same in both cases."""
    email = email.strip().lower()
    user = find_by_email(email)
    if user is None or not user.is_active:
        audit.record("auth.password_reset_refused", object_type="account", object_id=email, actor_label=email,
                     detail={"reason": "unknown" if user is None else "deactivated"})
        return None
    token = invite(user, purpose=RESET, now=now, actor_label=email)
    return mail.render("password_reset", to=user.email, locale=user.locale, ref=f"reset:{user.id}",
                       name=user.name, email=user.email, url=reset_url(token),
                       minutes=int(RESET_VALIDITY.total_seconds() // 60))


# --- account lifecycle (admin; HR for employees' accounts) -------------------------------------------


def may_manage(actor: User, user: User) -> bool:
    """Whether ``actor`` may deactivate, reactivate, unlock and re-invite ``user``: an admin any account,
    HR the accounts of the employee role only."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.HR and user.role == Role.EMPLOYEE


def deactivate(user: User, *, by: User | None, actor_label: str | None = None) -> None:
    """Switch an account off: its sessions end and its open links are voided. Nobody deactivates
    their own account."""
    if by is not None and by.id == user.id:
        raise AccountError(_("Sie können Ihr eigenes Konto nicht deaktivieren."))
    if not user.is_active:
        return
    user.is_active = False
    end_sessions(user)
    voided = revoke_invitations(user)
    db.session.flush()
    audit.record("auth.user_deactivated", object_type="user", object_id=user.id, actor=by,
                 actor_label=actor_label, detail={"voided_links": voided} if voided else None)


def reactivate(user: User, *, by: User | None, actor_label: str | None = None) -> None:
    """Switch an account on again; refused for a person who left according to the master data."""
    if user.is_active:
        return
    if user.employee is not None and not user.employee.is_active:
        raise AccountError(_("%(name)s ist laut Personaldaten ausgeschieden; das Konto bleibt deaktiviert.",
                             name=user.name))
    user.is_active = True
    db.session.flush()
    audit.record("auth.user_reactivated", object_type="user", object_id=user.id, actor=by,
                 actor_label=actor_label)


def login_locked_until(user: User) -> datetime | None:
    """Until when the account's login is locked after failed attempts, or None."""
    return throttle.locked_until(throttle.account_key(user.email))


def unlock(user: User, *, by: User | None, actor_label: str | None = None) -> bool:
    """Lift the lock after failed logins (forget the account's failures); True if it was locked."""
    was_locked = login_locked_until(user) is not None
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle.account_key(user.email)))
    db.session.flush()
    audit.record("auth.login_unlocked", object_type="user", object_id=user.id, actor=by,
                 actor_label=actor_label, detail={"was_locked": was_locked})
    return was_locked


def check_reinvite(user: User) -> None:
    if not user.is_active:
        raise AccountError(_("Das Konto ist deaktiviert; reaktivieren Sie es zuerst."))


def reinvite(user: User, *, by: User | None, token: str | None = None, actor_label: str | None = None) -> str:
    """A new invitation link (voiding older ones) for an active account; returns the token (``token``:
    one already sent by e-mail, see the account page)."""
    check_reinvite(user)
    return invite(user, token=token, actor_label=actor_label or (by.email if by is not None else None))
