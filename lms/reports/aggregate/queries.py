"""Read queries of the committee's views: units, courses and the default course. No per-person query
lives here; the counts come from the competence summaries (``lms.competence.queries.unit_counts``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select

from lms.catalog.models import Course, CourseVersion
from lms.competence.models import UnitChange
from lms.competence.summaries import COURSE
from lms.org.models import OrgUnit
from lms.training.models import AssignmentRule

_UNIT = (OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.parent_id, OrgUnit.path, OrgUnit.depth, OrgUnit.is_active)


def units() -> Select:
    """Every unit (id, code, name, parent, path, depth, active), by path."""
    return select(*_UNIT).order_by(OrgUnit.path)


def unit_by_code(code: str) -> Select:
    return select(*_UNIT).where(OrgUnit.code == code)


def courses(_lang: str = "de") -> Select[tuple[str, str]]:
    """Active courses with a current version: (slug, title), by title. Titles exist in German only."""
    return (select(Course.slug, CourseVersion.title)
            .join(CourseVersion, CourseVersion.id == Course.current_version_id)
            .where(Course.is_active.is_(True))
            .order_by(CourseVersion.title, Course.slug))


def basics_course() -> Select[tuple[str]]:
    """The mandatory basics: the course of the oldest active rule that covers everyone (no unit, no
    position), if there is one."""
    return (select(Course.slug).join(AssignmentRule, AssignmentRule.course_id == Course.id)
            .where(AssignmentRule.ended_at.is_(None), AssignmentRule.org_unit_id.is_(None),
                   AssignmentRule.position_pattern.is_(None), Course.is_active.is_(True))
            .order_by(AssignmentRule.created_at, AssignmentRule.id).limit(1))


def first_completion_day() -> Select[tuple[date | None]]:
    """The first day on which anyone held a completion (from the summaries)."""
    return select(func.min(UnitChange.day)).where(UnitChange.measure == COURSE, UnitChange.delta > 0)
