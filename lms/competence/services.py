"""The competence framework in the database, kept equal to ``courses/competences.yml``.

Adds and flushes; the caller commits.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, delete, event, func, literal, select, union_all
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from lms import db
from lms.audit import services as audit
from lms.catalog.loader import FrameworkSource
from lms.competence import queries, summaries
from lms.competence.models import (
    CompetenceArea,
    CompetenceLevel,
    CompetenceTarget,
    PersonContribution,
    SummaryGeneration,
    UnitChange,
    UnitCheckpoint,
)
from lms.db import utcnow
from lms.org.models import OrgUnit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameworkChanges:
    areas_created: int = 0
    areas_updated: int = 0
    levels_created: int = 0
    levels_updated: int = 0

    @property
    def changed(self) -> bool:
        return any((self.areas_created, self.areas_updated, self.levels_created, self.levels_updated))


def sync_framework(framework: FrameworkSource) -> FrameworkChanges:
    """Upsert areas (by key) and levels (by number) from a linted framework.

    Areas missing from the file stay in the database: questions of older course versions refer to
    them. Their position is left as it was.
    """
    counts: dict[str, int] = {}

    def texts(source: object) -> dict[str, object]:
        return {"name_de": source.name_de, "name_en": source.name_en,  # type: ignore[attr-defined]
                "description_de": source.description_de or "",  # type: ignore[attr-defined]
                "description_en": source.description_en or ""}  # type: ignore[attr-defined]

    area_rows = [(s.key, {"key": s.key, "position": i, **texts(s)}) for i, s in enumerate(framework.areas, 1)]
    level_rows = [(s.level, {"level": s.level, "key": s.key, **texts(s)}) for s in framework.levels]
    counts["areas_created"], counts["areas_updated"] = _upsert(CompetenceArea, CompetenceArea.key, area_rows)
    counts["levels_created"], counts["levels_updated"] = _upsert(CompetenceLevel, CompetenceLevel.level,
                                                                 level_rows)
    db.session.flush()
    changes = FrameworkChanges(**counts)
    if changes.changed:
        log.info("competence framework synchronised: %s", changes)
    return changes


def _upsert(model: type, key_column: Any, rows: list[tuple[object, dict[str, object]]]) -> tuple[int, int]:
    """Create or update ``model`` rows identified by ``key_column``; returns (created, updated)."""
    existing = {getattr(obj, key_column.key): obj for obj in db.session.scalars(select(model))}
    created = updated = 0
    for key, values in rows:
        obj = existing.get(key)
        if obj is None:
            db.session.add(model(**values))
            created += 1
        elif _update(obj, values):
            updated += 1
    return created, updated


def _update(obj: object, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


# --- the generation of what the committee's figures read --------------------------------------------


def bump_generation(connection: Connection | None = None) -> None:
    """Mark a change of what the committee's figures read (``SummaryGeneration``) in the current
    transaction: a new random number, so that no two states of the data share one, also across a
    restored backup or a truncated test database (a counter would start again at the same numbers)."""
    connection = connection if connection is not None else db.session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    value = secrets.randbits(62)
    stmt = insert(SummaryGeneration).values(id=1, generation=value)
    connection.execute(stmt.on_conflict_do_update(index_elements=[SummaryGeneration.id],
                                                  set_={"generation": value}))


#: models whose rows the committee's figures read besides the summaries; a flush that inserts, changes or
#: deletes one of them counts as a change (``watch``: the reader registers what it reads)
_WATCHED: set[type] = set()


def watch(*models: type) -> None:
    """Count every flush that writes one of these models as a change (see ``bump_generation``)."""
    _WATCHED.update(models)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _after_flush(session: Session, _context: object) -> None:
    if any(type(obj) in _WATCHED for group in (session.new, session.dirty, session.deleted) for obj in group):
        bump_generation(session.connection())


# --- per-unit summaries --------------------------------------------------------------------------------

_COMBO = ("org_unit_id", "measure", "key", "level")
_CHUNK = 2000


def _add_rows(model: type, when: str, amount: str, rows: list[dict[str, object]]) -> None:
    """Add ``amount`` of each row to the existing row with the same key (or insert it)."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for start in range(0, len(rows), _CHUNK):
        stmt = insert(model)
        stmt = stmt.on_conflict_do_update(index_elements=[*_COMBO, when],
                                          set_={amount: getattr(model, amount) + getattr(stmt.excluded, amount)})
        db.session.execute(stmt, rows[start:start + _CHUNK])


def _apply(net: dict[tuple[int, str, str, int, date], int]) -> None:
    """Add changes to the unit rows and to every checkpoint after their day."""
    net = {k: v for k, v in net.items() if v}
    if not net:
        return
    _add_rows(UnitChange, "day", "delta", [
        {"org_unit_id": u, "measure": m, "key": k, "level": lv, "day": d, "delta": v}
        for (u, m, k, lv, d), v in sorted(net.items())])
    months = list(db.session.scalars(select(UnitCheckpoint.month).distinct()))
    if months:
        by_month: dict[tuple[int, str, str, int, date], int] = defaultdict(int)
        for (u, m, k, lv, d), v in net.items():
            for month in months:
                if month > d:
                    by_month[(u, m, k, lv, month)] += v
        _add_rows(UnitCheckpoint, "month", "total", [
            {"org_unit_id": u, "measure": m, "key": k, "level": lv, "month": mo, "total": v}
            for (u, m, k, lv, mo), v in sorted(by_month.items()) if v])
    bump_generation()


def replace_contributions(people: Sequence[summaries.PersonFacts], targets: Sequence[summaries.Target], *,
                          remove: Iterable[int] = ()) -> int:
    """Replace what these people add to the unit summaries (and drop the part of ``remove``).

    Subtracts each person's stored contribution from the unit it was counted in and adds the new one to
    their unit now, in the caller's transaction. Returns how many people were handled.
    """
    ids = [p.employee_id for p in people] + list(remove)
    net: dict[tuple[int, str, str, int, date], int] = defaultdict(int)
    stored: dict[int, PersonContribution] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for row in db.session.scalars(select(PersonContribution).where(PersonContribution.employee_id.in_(chunk))):
            stored[row.employee_id] = row
            for key, delta in summaries.decode(row.changes).items():
                net[(row.org_unit_id, *key)] -= delta
    for person in people:
        changes = summaries.contribution(person, targets)
        for key, delta in changes.items():
            net[(person.unit_id, *key)] += delta
        row = stored.get(person.employee_id)
        if row is None:
            db.session.add(PersonContribution(employee_id=person.employee_id, org_unit_id=person.unit_id,
                                              changes=summaries.encode(changes)))
        else:
            row.org_unit_id = person.unit_id
            row.changes = summaries.encode(changes)
    for employee_id in remove:
        if employee_id in stored:
            db.session.delete(stored[employee_id])
    _apply(net)
    db.session.flush()
    return len(people)


def rebuild(people: Sequence[summaries.PersonFacts], targets: Sequence[summaries.Target], today: date) -> int:
    """Recompute every summary row from these facts (all employees); returns the number of unit rows."""
    db.session.execute(delete(UnitCheckpoint))
    db.session.execute(delete(UnitChange))
    db.session.execute(delete(PersonContribution))
    net: dict[tuple[int, str, str, int, date], int] = defaultdict(int)
    contributions = []
    for person in people:
        changes = summaries.contribution(person, targets)
        for key, delta in changes.items():
            net[(person.unit_id, *key)] += delta
        contributions.append({"employee_id": person.employee_id, "org_unit_id": person.unit_id,
                              "changes": summaries.encode(changes)})
    for start in range(0, len(contributions), _CHUNK):
        db.session.execute(sa_insert(PersonContribution), contributions[start:start + _CHUNK])
    rows = [{"org_unit_id": u, "measure": m, "key": k, "level": lv, "day": d, "delta": v}
            for (u, m, k, lv, d), v in sorted(net.items()) if v]
    for start in range(0, len(rows), _CHUNK):
        db.session.execute(sa_insert(UnitChange), rows[start:start + _CHUNK])
    extend_checkpoints(today)
    bump_generation()
    db.session.flush()
    return len(rows)


def extend_checkpoints(today: date) -> int:
    """Add the checkpoints (counts at the start of a month) up to this month; returns how many months."""
    target = summaries.month_start(today)
    last = db.session.scalar(select(func.max(UnitCheckpoint.month)))
    if last is None:
        # before the first completion only membership changes (members, and people with a target, from
        # their first day): no checkpoint needed for those years
        first_day = db.session.scalar(select(func.min(UnitChange.day))
                                      .where(UnitChange.measure.not_in((summaries.HEAD, summaries.TARGET))))
        if db.session.scalar(select(UnitChange.day).limit(1)) is None:
            return 0
        month = min(summaries.next_month(summaries.month_start(first_day or today)), target)
    else:
        month = summaries.next_month(last)
    added = 0
    while month <= target:
        _checkpoint(month, last)
        last, month, added = month, summaries.next_month(month), added + 1
    db.session.flush()
    return added


def _checkpoint(month: date, previous: date | None) -> None:
    """The counts at the start of ``month``: the previous checkpoint plus the changes since."""
    cols = [getattr(UnitChange, c) for c in _COMBO]
    parts = [select(*cols, UnitChange.delta.label("amount")).where(UnitChange.day < month)]
    if previous is not None:
        parts[0] = parts[0].where(UnitChange.day >= previous)
        parts.append(select(*[getattr(UnitCheckpoint, c) for c in _COMBO], UnitCheckpoint.total.label("amount"))
                     .where(UnitCheckpoint.month == previous))
    both = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    total = func.sum(both.c.amount)
    query = (select(*[both.c[c] for c in _COMBO], literal(month, Date).label("month"), total)
             .group_by(*[both.c[c] for c in _COMBO]).having(total != 0))
    db.session.execute(sa_insert(UnitCheckpoint).from_select([*_COMBO, "month", "total"], query))
    bump_generation()

def on_framework_imported(_sender: object, *, framework: FrameworkSource) -> None:
    sync_framework(framework)


def connect_signals() -> None:
    """Follow course imports (the catalogue does not import competence); called by the app factory."""
    from lms.catalog.signals import framework_imported

    framework_imported.connect(on_framework_imported)

# --- targets (set by an admin) ---------------------------------------------------------------------


@dataclass(frozen=True)
class TargetReach:
    """What a target would change, before it is saved (counts only)."""

    #: active employees the target reaches
    covered: int
    #: of those, people whose level in the area already meets it today
    meeting: int
    #: of those, people for whom an active target in the area is already as high or higher (no change)
    unchanged: int


def target_reach(area_key: str, level: int, *, unit_path: str | None, position_pattern: str | None,
                 today: date) -> TargetReach:
    """Count whom a target would reach and who meets it already, from the summary contributions."""
    existing = [summaries.Target(t.area_key, t.level, path, t.position_pattern)
                for t, path in db.session.execute(queries.active_targets())
                if t.area_key == area_key]
    covered = meeting = unchanged = 0
    for _employee_id, position, path, changes in db.session.execute(queries.reached_staff(unit_path)):
        if position_pattern and not summaries.position_matches(position_pattern, position):
            continue
        covered += 1
        if summaries.targets_of(path, position, existing).get(area_key, 0) >= level:
            unchanged += 1
        counts = summaries.counts_on(summaries.decode(changes or []).items(), today)
        held = max((lv for (m, k, lv), n in counts.items() if m == summaries.AREA and k == area_key and n > 0),
                   default=0)
        if held >= level:
            meeting += 1
    return TargetReach(covered, meeting, unchanged)


class TargetError(ValueError):
    """A target that cannot be saved (unknown area or level); the message is for the user."""


def create_target(area_key: str, level: int, *, org_unit_id: int | None, position_pattern: str | None,
                  note: str, by: Any | None) -> CompetenceTarget:
    """Add an active target (flushes; the caller syncs the summaries and commits)."""
    if db.session.get(CompetenceArea, area_key) is None:
        raise TargetError(f"unknown area {area_key!r}")
    if db.session.get(CompetenceLevel, level) is None:
        raise TargetError(f"unknown level {level!r}")
    unit = db.session.get(OrgUnit, org_unit_id) if org_unit_id is not None else None
    if org_unit_id is not None and unit is None:
        raise TargetError(f"unknown unit {org_unit_id!r}")
    pattern = (position_pattern or "").strip() or None
    target = CompetenceTarget(area_key=area_key, level=level, org_unit_id=org_unit_id, position_pattern=pattern,
                              note=note.strip(), created_by_id=getattr(by, "id", None))
    db.session.add(target)
    db.session.flush()
    audit.record("competence.target_created", object_type="target", object_id=target.id,
                 detail={"area": area_key, "level": level, "unit": unit.code if unit else None,
                         "position": pattern}, actor=by)
    return target


def end_target(target: CompetenceTarget, *, by: Any | None, now: datetime | None = None) -> None:
    """End an active target (kept, never deleted); flushes, the caller syncs the summaries and commits."""
    if target.ended_at is not None:
        raise TargetError(f"target {target.id} has already ended")
    target.ended_at = now or utcnow()
    target.ended_by_id = getattr(by, "id", None)
    db.session.flush()
    audit.record("competence.target_ended", object_type="target", object_id=target.id,
                 detail={"area": target.area_key, "level": target.level}, actor=by)
