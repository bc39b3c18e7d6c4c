"""Reads for HR's views of named employees (SQLAlchemy 2.0 ``select``). Everything is counted in SQL:
the status of each obligation by :func:`lms.training.queries.status_expression`, units and subtrees by
``GROUP BY`` over the materialised path. ``scope`` is a list of unit paths (a coordinator's subtrees) or
None (the whole organisation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, Select, and_, case, false, func, literal, null, or_, select
from sqlalchemy.orm import aliased, joinedload

from lms.catalog.models import Course
from lms.learning.models import Attempt, Completion
from lms.org.models import Employee, OrgUnit
from lms.org.queries import german_key, german_text_key
from lms.training import queries as training
from lms.training.models import Assignment, AssignmentRule
from lms.training.rules import Status

STATUSES = tuple(s.value for s in Status)
#: the passed attempt that completed a cycle (an alias: the status expression reads ``Attempt`` itself)
PassedAttempt = aliased(Attempt, name="passed_attempt")


def in_scope(scope: list[str] | None, path: ColumnElement[str] = OrgUnit.path) -> ColumnElement[bool]:
    """The unit with this path lies in one of the subtrees (None: everywhere; []: nowhere)."""
    if scope is None:
        return literal(True)
    if not scope:
        return false()
    return or_(*(path.startswith(p, autoescape=True) for p in scope))


@dataclass(frozen=True)
class Filters:
    """The filters of the employee list and its exports (already checked against the database)."""

    unit: OrgUnit | None = None
    course: Course | None = None
    status: str | None = None
    overdue: bool = False
    due_before: date | None = None
    search: str = ""
    #: for the audit and the links: the filters as the user gave them
    args: dict[str, str] = field(default_factory=dict)


def _status_counts(status: ColumnElement[str]) -> list[ColumnElement[int]]:
    return [func.count(case((status == s, 1))).label(s) for s in STATUSES]


# --- units ------------------------------------------------------------------------------------------


def unit_tree(today: date, now: datetime, scope: list[str] | None) -> Select:
    """Per unit (in tree order) its own and its subtree's figures, in one query: people with running
    obligations, obligations, and obligations per status. Units outside the scope are left out.

    The obligations are first counted per unit (``GROUP BY`` unit); each unit then sums the rows of the
    units whose path begins with its own (at most units × units small rows, never per person)."""
    status = training.status_expression(today, now)
    per_unit = (training.with_status_joins(
        select(Employee.org_unit_id.label("unit_id"),
               func.count(func.distinct(Assignment.employee_id)).label("people"),
               func.count().label("total"), *_status_counts(status))
        .select_from(Assignment).join(Employee, Employee.id == Assignment.employee_id))
        .where(training.running()).group_by(Employee.org_unit_id).subquery("per_unit"))
    member = aliased(OrgUnit, name="member")
    own = member.id == OrgUnit.id
    columns = ["people", "total", *STATUSES]
    sums = []
    for name in columns:
        value = func.coalesce(per_unit.c[name], 0)
        sums.append(func.coalesce(func.sum(case((own, value), else_=0)), 0).label(f"own_{name}"))
        sums.append(func.coalesce(func.sum(value), 0).label(f"sub_{name}"))
    return (select(OrgUnit, *sums)
            .join(member, member.path.startswith(OrgUnit.path))
            .outerjoin(per_unit, per_unit.c.unit_id == member.id)
            .where(in_scope(scope))
            .group_by(OrgUnit.id)
            .order_by(OrgUnit.path))


def course_summary(today: date, now: datetime, scope: list[str] | None) -> Select:
    """Per course with running obligations in the scope: its title, obligations per status, people."""
    status = training.status_expression(today, now)
    return (training.with_status_joins(
        select(Course.id, Course.slug, training.CurrentVersion.title,
               func.count().label("total"), *_status_counts(status))
        .select_from(Assignment))
        .join(Employee, Employee.id == Assignment.employee_id)
        .join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
        .where(training.running(), in_scope(scope))
        .group_by(Course.id, Course.slug, training.CurrentVersion.title)
        .order_by(Course.slug))


def courses_with_obligations() -> Select[tuple[Course]]:
    return (select(Course).options(joinedload(Course.current_version))
            .where(Course.id.in_(select(Assignment.course_id).distinct())).order_by(Course.slug))


def course_by_slug(slug: str) -> Select[tuple[Course]]:
    return select(Course).where(Course.slug == slug)


def unit_by_code(code: str) -> Select[tuple[OrgUnit]]:
    return select(OrgUnit).where(OrgUnit.code == code)


def units_in_scope(scope: list[str] | None) -> Select[tuple[OrgUnit]]:
    return select(OrgUnit).where(in_scope(scope)).order_by(OrgUnit.path)


# --- the employee list ------------------------------------------------------------------------------


def search_condition(search: str) -> ColumnElement[bool] | None:
    """Every word of the search must match the first or last name, the personnel number, or the unit's
    name or code: "Anna Schmidt" and "Schmidt Anna" find the same person; umlauts fold ("Schafer"
    finds "Schäfer")."""
    words = [w for w in search.split() if w][:5]
    if not words:
        return None
    conditions = []
    for word in words:
        key = german_text_key(word)
        conditions.append(or_(
            german_key(Employee.first_name).contains(key, autoescape=True),
            german_key(Employee.last_name).contains(key, autoescape=True),
            func.lower(Employee.personnel_no) == word.lower(),
            german_key(OrgUnit.name).contains(key, autoescape=True),
            func.lower(OrgUnit.code) == word.lower(),
        ))
    return and_(*conditions)


def passed_score(query: Select, with_score: bool) -> Select:
    """Add the column ``passed_score`` to a query joined with the cycle's ``Completion``: the result of the
    passed attempt that completed it (:data:`lms.reports.individual.scores.AGREED_FIELDS`), or NULL
    without ``with_score`` (``LMS_HR_SEES_SCORES`` off): then no score is read at all."""
    if not with_score:
        return query.add_columns(null().cast(Integer).label("passed_score"))
    return (query.add_columns(PassedAttempt.score.label("passed_score"))
            .outerjoin(PassedAttempt, and_(PassedAttempt.id == Completion.attempt_id,
                                           PassedAttempt.passed.is_(True))))


def obligation_rows(filters: Filters, scope: list[str] | None, today: date, now: datetime,
                    with_score: bool = False) -> Select:
    """The running obligations of the filtered list as plain rows (no ORM objects: the export streams
    them), in German order of last and first name, then course. Only obligations: a course someone takes
    voluntarily is never listed. ``with_score``: the agreed ``passed_score`` (else NULL)."""
    status = training.status_expression(today, now).label("status")
    query = (passed_score(training.with_status_joins(
        select(Employee.id.label("employee_id"), Employee.personnel_no, Employee.first_name,
               Employee.last_name, OrgUnit.code.label("unit_code"), OrgUnit.name.label("unit_name"),
               Course.slug.label("course_slug"), training.CurrentVersion.title.label("course_title"),
               status, Assignment.due_on, Completion.completed_at, Completion.valid_until)
        .select_from(Assignment)), with_score)
        .join(Employee, Employee.id == Assignment.employee_id)
        .join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
        .where(training.running(), in_scope(scope)))
    if filters.unit is not None:
        query = query.where(OrgUnit.path.startswith(filters.unit.path, autoescape=True))
    if filters.course is not None:
        query = query.where(Assignment.course_id == filters.course.id)
    if filters.status is not None:
        query = query.where(status == filters.status)
    if filters.overdue:
        query = query.where(status == Status.UEBERFAELLIG.value)
    if filters.due_before is not None:
        query = query.where(Assignment.due_on < filters.due_before)
    condition = search_condition(filters.search)
    if condition is not None:
        query = query.where(condition)
    return query.order_by(german_key(Employee.last_name), german_key(Employee.first_name), Employee.id,
                          Course.slug)


# --- one employee -----------------------------------------------------------------------------------


def employee_in_scope(employee_id: int, scope: list[str] | None) -> Select[tuple[Employee]]:
    return (select(Employee).join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
            .where(Employee.id == employee_id, in_scope(scope)))


def cycles(employee_id: int, today: date, now: datetime, with_score: bool = False) -> Select:
    """Every cycle of the person's obligations with its status (running ones), the completion that
    fulfilled it, the course title and the agreed ``passed_score`` (NULL without ``with_score``). Only
    obligations: completions of voluntary courses are not the business of HR."""
    return passed_score(training.employee_cycles(employee_id, today, now)
                        .add_columns(training.CurrentVersion.title), with_score)


def active_rules_with_units() -> Select[tuple[AssignmentRule]]:
    return select(AssignmentRule).where(AssignmentRule.ended_at.is_(None)).order_by(AssignmentRule.id)
