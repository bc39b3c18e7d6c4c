"""Writes of the organisation: master-data imports and the upload staging area. Add and flush; never commit.

An import is all-or-nothing: the file is validated completely (:mod:`lms.org.importer`), and only a
file without a single problem is applied. The caller commits (CLI command or view); a dry run plans
the same changes and writes nothing. Re-importing the same file plans no change. Nothing is deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select

from lms import db
from lms.audit import services as audit
from lms.org import importer, rules
from lms.org.importer import Problem, StaffRow
from lms.org.models import Employee, OrgUnit, StagedImport
from lms.org.signals import accounts_affected, staff_changed

log = logging.getLogger(__name__)

KINDS = ("units", "staff")
#: how long an uploaded file waits for its confirmation
STAGED_LIFETIME = timedelta(hours=1)
BERLIN = ZoneInfo("Europe/Berlin")


def today() -> date:
    """The calendar date in the administration's time zone."""
    return datetime.now(BERLIN).date()


#: key under ``app.extensions`` of the function that returns the accounts linked to employees
#: (:class:`LinkedAccounts`); the app factory registers auth's. Org sits below auth and does not import
#: it: the staff import reads the accounts through this to plan (and preview) what follows for them, and
#: tells auth what to change by signals (:mod:`lms.org.signals`)
ACCOUNTS_EXTENSION = "lms.linked_accounts"


@dataclass(frozen=True)
class LinkedAccount:
    """What the staff import needs to know of the account of an employee."""

    id: int
    #: the login
    email: str
    is_active: bool


@dataclass(frozen=True)
class LinkedAccounts:
    #: employee id -> the account that belongs to the employee
    by_employee: dict[int, LinkedAccount] = field(default_factory=dict)
    #: every login -> its account id (a login may only move to an address no other account keeps)
    login_owners: dict[str, int] = field(default_factory=dict)


def linked_accounts() -> LinkedAccounts:
    """The accounts linked to employees, from the provider the app factory registered (none without)."""
    provider = current_app.extensions.get(ACCOUNTS_EXTENSION)
    return provider() if provider is not None else LinkedAccounts()


@dataclass(frozen=True)
class FieldDiff:
    """One attribute that changes: its name (as in :data:`FIELD_ORDER`), the value before and after.

    Values are as stored (text, dates, booleans); units are shown as ``code name``.
    """

    field: str
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    """What an import does (or would do) to one unit or employee."""

    #: "created" | "updated" | "unchanged" | "deactivated"
    kind: str
    #: unit code or personnel number
    key: str
    label: str
    #: the attributes that change (updates only)
    fields: tuple[str, ...] = ()
    #: old → new of every attribute that changes (updates and deactivations)
    diffs: tuple[FieldDiff, ...] = ()
    #: the line of the file (0 for employees missing from the file)
    line: int = 0
    #: staff: the org unit (``code name``) the person is in after the import
    unit: str = ""
    #: staff: the personnel number stays but name and e-mail both change (:mod:`lms.org.rules`)
    identity_change: bool = False
    #: staff: the login of the linked account before and after, when the import moves it
    login: tuple[str, str] | None = None
    #: staff: the linked account's login when the import switches it off or detaches it
    account: str = ""
    #: "" | "deactivated" (the person leaves) | "detached" (identity change: the account stays with the
    #: previous person, switched off and no longer linked)
    account_effect: str = ""
    #: staff identity changes: the previous person as (``Nachname, Vorname``, e-mail)
    previous: tuple[str, str] | None = None


@dataclass
class ImportResult:
    kind: str
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    #: False for dry runs and for files with problems
    applied: bool = False
    #: accounts switched off because their employee became inactive
    accounts_deactivated: int = 0
    #: accounts detached from their employee record by a confirmed identity change
    accounts_detached: int = 0
    #: accounts whose login followed the employee's new e-mail address
    logins_changed: int = 0
    #: staff: not applied because a full list deactivates more than ``max_deactivations`` people
    deactivations_unconfirmed: bool = False
    #: staff: active employees before the import (to put a full list's deactivations in proportion)
    active_employees: int = 0
    #: SHA-256 of the file and of what the import would change (the current state of the affected
    #: rows): a confirmation is only valid for the preview it was given on
    digest: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("created", "updated", "unchanged", "deactivated"), 0)
        for change in self.changes:
            out[change.kind] += 1
        return out

    def visible_changes(self) -> list[Change]:
        """The changes worth listing (everything but ``unchanged``)."""
        return [c for c in self.changes if c.kind != "unchanged"]

    def identity_changes(self) -> list[Change]:
        return [c for c in self.changes if c.identity_change]

    def deactivations(self) -> list[Change]:
        """Employees missing from a full list."""
        return [c for c in self.changes if c.kind == "deactivated"]

    @property
    def only_identity_problems(self) -> bool:
        """The file is fine except for identity changes that still need a confirmation."""
        return bool(self.problems) and all(p.code == "identity_change" for p in self.problems)


def preview_digest(kind: str, full: bool, data: bytes, changes: list[Change]) -> str:
    """A fingerprint of the file and of the planned changes with their current (old) values.

    Any write in between that touches an affected row (another import, a new account, a moved unit)
    changes an old value, a kind or a consequence, and with it the digest.
    """
    state = [[c.kind, c.key, c.label, c.unit, [[d.field, repr(d.old), repr(d.new)] for d in c.diffs],
              c.identity_change, list(c.login or ()), c.account, c.account_effect] for c in changes]
    digest = hashlib.sha256(f"{kind}\0{int(full)}\0".encode())
    digest.update(hashlib.sha256(data).digest())
    digest.update(json.dumps(state, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def _max_rows() -> int:
    return int(current_app.config["LMS_IMPORT_MAX_ROWS"])


def import_file(kind: str, data: bytes, **kwargs: object) -> ImportResult:
    if kind == "units":
        kwargs.pop("allow_identity_change", None)  # units have no people
        kwargs.pop("max_deactivations", None)
        return import_units(data, **kwargs)  # type: ignore[arg-type]
    if kind == "staff":
        return import_staff(data, **kwargs)  # type: ignore[arg-type]
    raise ValueError(f"unknown import kind {kind!r}")


# --- units ------------------------------------------------------------------------------------


def import_units(data: bytes, *, dry_run: bool = False, filename: str = "", full: bool = False,
                 actor_label: str | None = None) -> ImportResult:
    """Create units and update their name and parent. ``full`` has no meaning for units (never deleted)."""
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    code_of = {u.id: u.code for u in units.values()}
    existing_parents = {u.code: code_of.get(u.parent_id) if u.parent_id else None for u in units.values()}
    parsed = importer.parse_units(data, existing_parents=existing_parents, max_rows=_max_rows())
    result = ImportResult("units", problems=parsed.problems)
    if parsed.problems:
        return result
    names = {**{u.code: u.name for u in units.values()}, **{r.code: r.name for r in parsed.rows}}

    def shown(code: str | None) -> str | None:
        return f"{code} {names[code]}" if code else None

    for row in parsed.rows:
        unit = units.get(row.code)
        if unit is None:
            result.changes.append(Change("created", row.code, row.name, line=row.line))
            continue
        diffs = tuple(FieldDiff(name, old, new) for name, old, new in (
            ("name", unit.name, row.name),
            ("parent", shown(existing_parents[row.code]), shown(row.parent))) if old != new)
        result.changes.append(Change("updated" if diffs else "unchanged", row.code, row.name,
                                     tuple(d.field for d in diffs), diffs, line=row.line))
    result.digest = preview_digest("units", False, data, result.changes)
    if dry_run:
        return result
    for row in parsed.rows:
        if row.code not in units:
            units[row.code] = OrgUnit(code=row.code, name=row.name, path="/", depth=0)
            db.session.add(units[row.code])
    db.session.flush()  # ids for the new units
    for row in parsed.rows:
        unit = units[row.code]
        unit.name = row.name
        unit.parent_id = units[row.parent].id if row.parent else None
    db.session.flush()
    moved = rebuild_paths()
    result.applied = True
    audit.record("org.import_units", object_type="import", object_id=filename or None,
                 detail={**result.counts, "paths_changed": moved}, actor_label=actor_label)
    log.info("units import %s: %s", filename, result.counts)
    return result


def rebuild_paths() -> int:
    """Recompute the materialised path and depth of every unit from the parent links.

    Cheap (one query, a few hundred units) and it covers every moved subtree at once.
    Returns the number of units whose path changed.
    """
    units = list(db.session.scalars(select(OrgUnit)))
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    changed = 0
    stack: list[tuple[OrgUnit, str, int]] = [(u, "/", 0) for u in children[None]]
    while stack:
        unit, prefix, depth = stack.pop()
        path = f"{prefix}{unit.id}/"
        if unit.path != path or unit.depth != depth:
            unit.path, unit.depth = path, depth
            changed += 1
        stack.extend((child, path, depth + 1) for child in children[unit.id])
    db.session.flush()
    return changed


# --- staff ------------------------------------------------------------------------------------

#: attributes compared and written for every row; optional ones only when their column is present
_ALWAYS = ("personnel_no", "first_name", "last_name", "email", "org_unit_id")
_OPTIONAL = ("position", "hired_on", "left_on")


def _desired(row: StaffRow, columns: frozenset[str], unit_ids: dict[str, int], current: Employee | None,
             on: date) -> dict[str, object]:
    values: dict[str, object] = {
        "personnel_no": row.personnel_no, "first_name": row.first_name, "last_name": row.last_name,
        "email": row.email, "org_unit_id": unit_ids[row.org_unit],
    }
    for key in _OPTIONAL:
        if key in columns:
            values[key] = getattr(row, key)
    left_on = values["left_on"] if "left_on" in values else (current.left_on if current else None)
    #: in the file means employed, unless the leaving date has passed
    values["is_active"] = not (left_on is not None and left_on < on)  # type: ignore[operator]
    return values


def import_staff(data: bytes, *, full: bool = False, dry_run: bool = False, filename: str = "",
                 actor_label: str | None = None, on: date | None = None,
                 allow_identity_change: bool | Collection[str] = False,
                 max_deactivations: int | None = None) -> ImportResult:
    """Create and update employees; with ``full`` deactivate active employees missing from the file.

    Employees who become inactive (left, or missing with ``full``) lose their account's access too.
    An account follows its employee's new e-mail address (the login changes). A row that keeps the
    personnel number but changes both name and e-mail (:func:`lms.org.rules.is_identity_change`) is a
    problem unless ``allow_identity_change`` is True or holds that personnel number; an allowed one
    detaches the previous person's account (switched off, no longer linked) so that the new person
    never inherits it. With ``max_deactivations``, a full list that would deactivate more people is
    planned but not applied (``result.deactivations_unconfirmed``).
    """
    on = on or today()
    units = {u.id: u for u in db.session.scalars(select(OrgUnit))}
    unit_ids = {u.code: u.id for u in units.values()}
    employees = {e.personnel_no: e for e in db.session.scalars(select(Employee))}
    email_owners = {e.email: e.personnel_no for e in employees.values()}
    parsed = importer.parse_staff(data, unit_codes=unit_ids.keys(), email_owners=email_owners,
                                  max_rows=_max_rows())
    result = ImportResult("staff", problems=parsed.problems,
                          active_employees=sum(1 for e in employees.values() if e.is_active))

    def allowed(personnel_no: str) -> bool:
        if isinstance(allow_identity_change, bool):
            return allow_identity_change
        return personnel_no in allow_identity_change

    if parsed.problems:
        # the file is refused anyway; name its identity changes too, so that one correction suffices
        result.problems = sorted(parsed.problems + [
            p for p in (_identity_problem(row, employees.get(row.personnel_no), parsed.names)
                        for row in parsed.valid_rows if not allowed(row.personnel_no)) if p is not None],
            key=lambda p: p.line)
        return result
    linked = linked_accounts()
    accounts, login_owners = linked.by_employee, linked.login_owners

    def unit_shown(unit_id: object) -> str:
        unit = units.get(unit_id)  # type: ignore[arg-type]
        return f"{unit.code} {unit.name}" if unit is not None else ""

    plan: list[tuple[StaffRow, Employee | None, dict[str, object]]] = []
    detach: list[LinkedAccount] = []
    moves: list[tuple[LinkedAccount, str, StaffRow]] = []
    problems: list[Problem] = []
    email_column = parsed.names.get("email", "E-Mail")
    for row in parsed.rows:
        current = employees.get(row.personnel_no)
        values = _desired(row, parsed.columns, unit_ids, current, on)
        label = f"{row.last_name}, {row.first_name}"
        if current is None:
            result.changes.append(Change("created", row.personnel_no, label, line=row.line,
                                         unit=unit_shown(values["org_unit_id"])))
            plan.append((row, current, values))
            continue
        diffs = tuple(
            FieldDiff(k, unit_shown(getattr(current, k)), unit_shown(v)) if k == "org_unit_id"
            else FieldDiff(k, getattr(current, k), v)
            for k, v in values.items() if getattr(current, k) != v)
        identity = rules.is_identity_change((current.first_name, current.last_name, current.email),
                                            (row.first_name, row.last_name, row.email))
        user = accounts.get(current.id)
        login, account, effect = None, "", ""
        if user is not None and identity:
            account, effect = user.email, "detached"
            detach.append(user)
        elif user is not None:
            if current.email != row.email and user.email != row.email:
                login = (user.email, row.email)
                moves.append((user, row.email, row))
            if user.is_active and current.is_active and not values["is_active"]:
                account, effect = user.email, "deactivated"
        if identity and not allowed(row.personnel_no):
            problems.append(_identity_problem(row, current, parsed.names))  # type: ignore[arg-type]
        result.changes.append(Change(
            "updated" if diffs else "unchanged", row.personnel_no, label, tuple(d.field for d in diffs), diffs,
            line=row.line, unit=unit_shown(values["org_unit_id"]), identity_change=identity, login=login,
            account=account, account_effect=effect,
            previous=(f"{current.last_name}, {current.first_name}", current.email) if identity else None))
        plan.append((row, current, values))
    # a login may only move to an address no other account keeps (one that moves away too is free)
    moving_ids = {user.id for user, _email, _row in moves}
    for user, email, row in moves:
        holder = login_owners.get(email)
        if holder is not None and holder != user.id and holder not in moving_ids:
            problems.append(Problem(row.line, email_column, "login_taken", {"value": email}))
    in_file = {row.personnel_no for row in parsed.rows}
    missing = [e for pn, e in sorted(employees.items()) if full and e.is_active and pn not in in_file]
    for employee in missing:
        user = accounts.get(employee.id)
        active_account = user is not None and user.is_active
        result.changes.append(Change(
            "deactivated", employee.personnel_no, f"{employee.last_name}, {employee.first_name}", ("is_active",),
            (FieldDiff("is_active", True, False),), unit=unit_shown(employee.org_unit_id),
            account=user.email if active_account else "", account_effect="deactivated" if active_account else ""))
    result.digest = preview_digest("staff", full, data, result.changes)
    if problems:
        result.problems = sorted(problems, key=lambda p: p.line)
        return result
    if dry_run:
        return result
    if max_deactivations is not None and rules.needs_typed_confirmation(len(missing), max_deactivations):
        result.deactivations_unconfirmed = True
        return result

    # E-mail addresses may move between people in one file: free every changing address first,
    # so that the unique constraint never sees two owners in between (auth does the same for logins).
    moving = [(cur, vals) for _row, cur, vals in plan if cur is not None and cur.email != vals["email"]]
    for current, _values in moving:
        current.email = f"moving-{current.id}-{secrets.token_hex(4)}@import.invalid"
    if moving:
        db.session.flush()
    accounts_affected.send(current_app._get_current_object(), detach=[account.id for account in detach],
                           logins={account.id: email for account, email, _row in moves})
    became_inactive: list[int] = []
    created: list[Employee] = []
    changed: list[int] = []
    for _row, current, values in plan:
        if current is None:
            created.append(Employee(**values))
            db.session.add(created[-1])
            continue
        if current.is_active and not values["is_active"]:
            became_inactive.append(current.id)
        elif any(key in values and getattr(current, key) != values[key]
                 for key in ("org_unit_id", "position", "is_active", "hired_on", "left_on")):
            changed.append(current.id)
        for key, value in values.items():
            if getattr(current, key) != value:
                setattr(current, key, value)
    for employee in missing:
        employee.is_active = False
        if employee.left_on is None:  # missing from a full file: left on the day of the import
            employee.left_on = on
        became_inactive.append(employee.id)
    db.session.flush()
    # auth switches off the accounts of those who left (planned above: one account per employee)
    staff_changed.send(current_app._get_current_object(), created=[e.id for e in created], changed=changed,
                       left=became_inactive)
    result.accounts_deactivated = sum(1 for c in result.changes if c.account_effect == "deactivated")
    result.accounts_detached = len(detach)
    result.logins_changed = len(moves)
    result.applied = True
    identity_changes = [c.key for c in result.identity_changes()]
    audit.record("org.import_staff", object_type="import", object_id=filename or None,
                 detail={**result.counts, "full": full, "accounts_deactivated": result.accounts_deactivated,
                         "logins_changed": result.logins_changed, "identity_changes": identity_changes,
                         "accounts_detached": result.accounts_detached},
                 actor_label=actor_label)
    log.info("staff import %s: %s", filename, result.counts)
    return result


def _identity_problem(row: StaffRow, current: Employee | None, names: dict[str, str]) -> Problem | None:
    """The ``identity_change`` problem of this row, or None if it keeps the person."""
    if current is None or not rules.is_identity_change(
            (current.first_name, current.last_name, current.email), (row.first_name, row.last_name, row.email)):
        return None
    return Problem(row.line, names.get("personnel_no", "Personalnummer"), "identity_change", {
        "personnel_no": row.personnel_no,
        "old": f"{current.first_name} {current.last_name} <{current.email}>",
        "new": f"{row.first_name} {row.last_name} <{row.email}>"})


# --- staging for the upload page ----------------------------------------------------------------


def stage(kind: str, filename: str, content: bytes, *, is_full: bool, user_id: int) -> StagedImport:
    """Keep an uploaded file until its uploader confirms it (at most :data:`STAGED_LIFETIME`)."""
    purge_expired()
    staged = StagedImport(token=secrets.token_urlsafe(32), kind=kind, filename=filename[:255],
                          content=content, is_full=is_full, created_by_id=user_id)
    db.session.add(staged)
    db.session.flush()
    return staged


class StagedImportExpired(Exception):
    """The confirmation came too late."""


def find_staged(token: str, user_id: int, *, now: datetime | None = None) -> StagedImport | None:
    """The staged file with this token uploaded by this user (None for unknown or someone else's).

    Raises :class:`StagedImportExpired` when it is older than :data:`STAGED_LIFETIME`.
    """
    if not token:
        return None
    staged = db.session.scalar(select(StagedImport).where(StagedImport.token == token))
    if staged is None or staged.created_by_id != user_id:
        return None
    if staged.created_at + STAGED_LIFETIME < (now or datetime.now(UTC)):
        raise StagedImportExpired
    return staged


def discard(staged: StagedImport) -> None:
    db.session.delete(staged)
    db.session.flush()


def purge_expired(now: datetime | None = None) -> None:
    cutoff = (now or datetime.now(UTC)) - STAGED_LIFETIME
    db.session.execute(delete(StagedImport).where(StagedImport.created_at < cutoff))
