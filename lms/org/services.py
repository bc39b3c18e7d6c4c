"""Writes of the organisation: master-data imports and the upload staging area. Add and flush; never commit.

An import is all-or-nothing: the file is validated completely (:mod:`lms.org.importer`), and only a
file without a single problem is applied. The caller commits (CLI command or view); a dry run plans
the same changes and writes nothing. Re-importing the same file plans no change. Nothing is deleted.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select

from lms import db
from lms.audit import services as audit
from lms.org import importer
from lms.org.importer import Problem, StaffRow
from lms.org.models import Employee, OrgUnit, StagedImport

log = logging.getLogger(__name__)

KINDS = ("units", "staff")
#: how long an uploaded file waits for its confirmation
STAGED_LIFETIME = timedelta(hours=1)
BERLIN = ZoneInfo("Europe/Berlin")


def today() -> date:
    """The calendar date in the administration's time zone."""
    return datetime.now(BERLIN).date()


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


@dataclass
class ImportResult:
    kind: str
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    #: False for dry runs and for files with problems
    applied: bool = False
    #: accounts switched off because their employee became inactive
    accounts_deactivated: int = 0

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


def _max_rows() -> int:
    return int(current_app.config["LMS_IMPORT_MAX_ROWS"])


def import_file(kind: str, data: bytes, **kwargs: object) -> ImportResult:
    if kind == "units":
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
    for row in parsed.rows:
        unit = units.get(row.code)
        if unit is None:
            result.changes.append(Change("created", row.code, row.name))
            continue
        changed = tuple(name for name, old, new in (("name", unit.name, row.name),
                                                     ("parent", existing_parents[row.code], row.parent))
                        if old != new)
        result.changes.append(Change("updated" if changed else "unchanged", row.code, row.name, changed))
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
                 actor_label: str | None = None, on: date | None = None) -> ImportResult:
    """Create and update employees; with ``full`` deactivate active employees missing from the file.

    Employees who become inactive (left, or missing with ``full``) lose their account's access too.
    """
    on = on or today()
    unit_ids = dict(db.session.execute(select(OrgUnit.code, OrgUnit.id)).tuples().all())
    employees = {e.personnel_no: e for e in db.session.scalars(select(Employee))}
    email_owners = {e.email: e.personnel_no for e in employees.values()}
    parsed = importer.parse_staff(data, unit_codes=unit_ids.keys(), email_owners=email_owners,
                                  max_rows=_max_rows())
    result = ImportResult("staff", problems=parsed.problems)
    if parsed.problems:
        return result
    plan: list[tuple[StaffRow, Employee | None, dict[str, object]]] = []
    for row in parsed.rows:
        current = employees.get(row.personnel_no)
        values = _desired(row, parsed.columns, unit_ids, current, on)
        label = f"{row.last_name}, {row.first_name}"
        if current is None:
            result.changes.append(Change("created", row.personnel_no, label))
        else:
            changed = tuple(k for k, v in values.items() if getattr(current, k) != v)
            result.changes.append(Change("updated" if changed else "unchanged", row.personnel_no, label,
                                         changed))
        plan.append((row, current, values))
    in_file = {row.personnel_no for row in parsed.rows}
    missing = [e for pn, e in sorted(employees.items()) if full and e.is_active and pn not in in_file]
    result.changes.extend(Change("deactivated", e.personnel_no, f"{e.last_name}, {e.first_name}")
                          for e in missing)
    if dry_run:
        return result

    # E-mail addresses may move between people in one file: free every changing address first,
    # so that the unique constraint never sees two owners in between.
    moving = [(cur, vals) for _row, cur, vals in plan if cur is not None and cur.email != vals["email"]]
    for current, _values in moving:
        current.email = f"moving-{current.id}-{secrets.token_hex(4)}@import.invalid"
    if moving:
        db.session.flush()
    became_inactive: list[int] = []
    for _row, current, values in plan:
        if current is None:
            db.session.add(Employee(**values))
            continue
        if current.is_active and not values["is_active"]:
            became_inactive.append(current.id)
        for key, value in values.items():
            if getattr(current, key) != value:
                setattr(current, key, value)
    for employee in missing:
        employee.is_active = False
        became_inactive.append(employee.id)
    db.session.flush()
    result.accounts_deactivated = deactivate_accounts(became_inactive)
    result.applied = True
    audit.record("org.import_staff", object_type="import", object_id=filename or None,
                 detail={**result.counts, "full": full, "accounts_deactivated": result.accounts_deactivated},
                 actor_label=actor_label)
    log.info("staff import %s: %s", filename, result.counts)
    return result


def deactivate_accounts(employee_ids: list[int]) -> int:
    """Switch off the accounts of these employees and end their sessions; returns how many."""
    if not employee_ids:
        return 0
    from lms.auth.models import User  # auth depends on org's models; import at use

    users = db.session.scalars(select(User).where(User.employee_id.in_(employee_ids),
                                                  User.is_active.is_(True))).all()
    for user in users:
        user.is_active = False
        user.session_version = (user.session_version or 0) + 1
    db.session.flush()
    return len(users)


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
