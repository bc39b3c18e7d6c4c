"""Read queries of the competence framework."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, and_, func, or_, select, union_all

from lms.competence.models import (
    CompetenceArea,
    CompetenceLevel,
    CompetenceTarget,
    PersonContribution,
    SummaryGeneration,
    UnitChange,
    UnitCheckpoint,
)
from lms.competence.summaries import COURSE, HEAD
from lms.org.models import Employee, OrgUnit


def areas() -> Select[tuple[CompetenceArea]]:
    """The areas in the framework's order."""
    return select(CompetenceArea).order_by(CompetenceArea.position, CompetenceArea.key)


def levels() -> Select[tuple[CompetenceLevel]]:
    return select(CompetenceLevel).order_by(CompetenceLevel.level)


def generation() -> Select[tuple[int]]:
    """The number that changes with every change of what the committee's figures read (no row: None)."""
    return select(SummaryGeneration.generation).where(SummaryGeneration.id == 1)


# --- per-unit summaries --------------------------------------------------------------------------------

_COMBO = ("org_unit_id", "measure", "key", "level")


def active_targets() -> Select[tuple[CompetenceTarget, str | None]]:
    """Active targets with the path of their unit (None: the whole organisation)."""
    return (select(CompetenceTarget, OrgUnit.path)
            .outerjoin(OrgUnit, OrgUnit.id == CompetenceTarget.org_unit_id)
            .where(CompetenceTarget.ended_at.is_(None))
            .order_by(CompetenceTarget.area_key, CompetenceTarget.id))


def last_checkpoint(day: date) -> Select[tuple[date | None]]:
    return select(func.max(UnitCheckpoint.month)).where(UnitCheckpoint.month <= day)


def unit_counts(day: date, checkpoint: date | None, measures: Iterable[str] | None = None,
                ) -> Select[tuple[int, str, str, int, int]]:
    """Each unit's own counts (unit, measure, key, level, count) at the end of ``day``.

    ``checkpoint`` is ``last_checkpoint(day)``: the counts are that checkpoint plus the changes since, so
    a request reads at most a month of changes however long the history.
    """
    changes = select(*[getattr(UnitChange, c) for c in _COMBO], UnitChange.delta.label("amount")).where(
        UnitChange.day <= day)
    parts = [changes]
    if checkpoint is not None:
        parts[0] = changes.where(UnitChange.day >= checkpoint)
        parts.append(select(*[getattr(UnitCheckpoint, c) for c in _COMBO], UnitCheckpoint.total.label("amount"))
                     .where(UnitCheckpoint.month == checkpoint))
    if measures is not None:
        wanted = list(measures)
        parts = [p.where(p.selected_columns.measure.in_(wanted)) for p in parts]
    both = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    total = func.sum(both.c.amount)
    return (select(*[both.c[c] for c in _COMBO], total)
            .group_by(*[both.c[c] for c in _COMBO]).having(total != 0))


def first_change_day() -> Select[tuple[date | None]]:
    return select(func.min(UnitChange.day))


def checkpoint_counts(months: Iterable[date], course: str | None = None,
                      ) -> Select[tuple[date, int, str, str, int, int]]:
    """Each unit's own counts at the start of these months (= at the end of the day before), from the
    checkpoints alone: (month, unit, measure, key, level, count). With ``course``, only headcounts and the
    holders of that course."""
    query = select(UnitCheckpoint.month, *[getattr(UnitCheckpoint, c) for c in _COMBO], UnitCheckpoint.total).where(
        UnitCheckpoint.month.in_(list(months)), UnitCheckpoint.total != 0)
    if course is not None:
        query = query.where(or_(UnitCheckpoint.measure == HEAD,
                                and_(UnitCheckpoint.measure == COURSE, UnitCheckpoint.key == course)))
    return query


# --- targets (admin) -------------------------------------------------------------------------------


def targets_listed() -> Select[tuple[CompetenceTarget, CompetenceArea, CompetenceLevel, OrgUnit | None]]:
    """Active targets with area, level and unit, for the admin's list (framework order)."""
    return (select(CompetenceTarget, CompetenceArea, CompetenceLevel, OrgUnit)
            .join(CompetenceArea, CompetenceArea.key == CompetenceTarget.area_key)
            .join(CompetenceLevel, CompetenceLevel.level == CompetenceTarget.level)
            .outerjoin(OrgUnit, OrgUnit.id == CompetenceTarget.org_unit_id)
            .where(CompetenceTarget.ended_at.is_(None))
            .order_by(CompetenceArea.position, CompetenceArea.key, CompetenceTarget.level, CompetenceTarget.id))


def reached_staff(unit_path: str | None) -> Select[tuple[int, str | None, str, list | None]]:
    """Active employees of a unit subtree (all when None): id, position, unit path and summary contribution
    (None when not summarised yet). Positions are matched by the caller (umlauts, see
    ``summaries.position_matches``)."""
    query = (select(Employee.id, Employee.position, OrgUnit.path, PersonContribution.changes)
             .join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
             .outerjoin(PersonContribution, PersonContribution.employee_id == Employee.id)
             .where(Employee.is_active.is_(True)))
    if unit_path is not None:
        query = query.where(OrgUnit.path.startswith(unit_path, autoescape=True))
    return query


def employee_target_basis(employee_id: int) -> Select[tuple[str, str | None]]:
    """The unit path and position of one employee (what decides which targets reach them)."""
    return (select(OrgUnit.path, Employee.position).join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
            .where(Employee.id == employee_id))
