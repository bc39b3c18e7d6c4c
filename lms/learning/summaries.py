"""Keeps the competence summaries current: learning owns completions, competence owns the summary rows.

Every event that can change a person's counts calls :func:`sync` for the people concerned, in the same
transaction: a recorded completion (``services.complete_if_done``), a staff import (new people, moves,
leavers; org's ``staff_changed`` signal), a major version that requires renewal (catalog's
``version_imported`` signal) and a changed target (the admin page). Expiry needs no event (see
``lms.competence.summaries``). ``lms competence rebuild`` recomputes everything from the records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from lms import db
from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion
from lms.competence import queries as competence_queries
from lms.competence import services as competence_services
from lms.competence.summaries import PersonFacts, Span, Target
from lms.learning.models import Completion
from lms.org import services as org_services
from lms.org.models import Employee, OrgUnit
from lms.org.services import BERLIN

_CHUNK = 2000


def local_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


today = org_services.today


def _employees(ids: list[int] | None) -> Select:
    query = (select(Employee.id, Employee.org_unit_id, OrgUnit.path, Employee.position, Employee.hired_on,
                    Employee.left_on, Employee.is_active, Employee.created_at, Employee.updated_at)
             .join(OrgUnit, OrgUnit.id == Employee.org_unit_id).order_by(Employee.id))
    return query if ids is None else query.where(Employee.id.in_(ids))


def _completions(ids: list[int] | None) -> Select:
    done = aliased(CourseVersion)
    current = aliased(CourseVersion)
    query = (select(User.employee_id, Course.slug, Completion.awards, Completion.completed_at,
                    Completion.valid_until, done.major, current.renewal_major, Completion.course_id, Completion.id)
             .join(User, User.id == Completion.user_id)
             .join(done, done.id == Completion.course_version_id)
             .join(Course, Course.id == Completion.course_id)
             .outerjoin(current, current.id == Course.current_version_id)
             .where(User.employee_id.is_not(None)))
    return query if ids is None else query.where(User.employee_id.in_(ids))


def _renewal_days() -> dict[int, date]:
    """Per course, the day its current ``renewal_major`` took effect (the first version that set it)."""
    current = aliased(CourseVersion)
    rows = db.session.execute(
        select(CourseVersion.course_id, func.min(CourseVersion.imported_at))
        .join(Course, Course.id == CourseVersion.course_id)
        .join(current, current.id == Course.current_version_id)
        .where(CourseVersion.renewal_major == current.renewal_major)
        .group_by(CourseVersion.course_id))
    return {course_id: local_day(moment) for course_id, moment in rows}


def targets() -> list[Target]:
    return [Target(t.area_key, t.level, path, t.position_pattern)
            for t, path in db.session.execute(competence_queries.active_targets())]


def facts(employee_ids: Collection[int] | None = None) -> list[PersonFacts]:
    """The facts of these employees (all when None), in three queries per chunk."""
    chunks: Iterable[list[int] | None]
    if employee_ids is None:
        chunks = [None]
    else:
        ids = sorted(set(employee_ids))
        chunks = [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    renewal = _renewal_days()
    people = []
    for chunk in chunks:
        spans: dict[int, list[Span]] = defaultdict(list)
        for (employee_id, slug, awards, completed_at, valid_until, major, renewal_major, course_id,
             completion_id) in db.session.execute(_completions(chunk)):
            end = local_day(valid_until)
            if renewal_major is not None and major < renewal_major and course_id in renewal:
                end = min(end, renewal[course_id])
            spans[employee_id].append(Span(slug, dict(awards or {}), local_day(completed_at), end,
                                           (completed_at, completion_id)))
        for (employee_id, unit_id, path, position, hired_on, left_on, is_active, created_at,
             updated_at) in db.session.execute(_employees(chunk)):
            own = spans.get(employee_id, [])
            first = hired_on or local_day(created_at)
            first = min([first, *(s.start for s in own)])
            last = left_on if left_on is not None else (None if is_active else local_day(updated_at))
            people.append(PersonFacts(employee_id, unit_id, path, position, first, last, tuple(own)))
    return people


def sync(employee_ids: Collection[int]) -> int:
    """Bring these employees' part of the summaries up to date (in the caller's transaction)."""
    if not employee_ids:
        return 0
    people = facts(employee_ids)
    gone = set(employee_ids) - {p.employee_id for p in people}
    return competence_services.replace_contributions(people, targets(), remove=gone)


def sync_all() -> int:
    """Every employee's part, e.g. after a target changed (subtract and add, like any event)."""
    return competence_services.replace_contributions(facts(), targets())


def rebuild(on: date | None = None) -> int:
    """Recompute every summary row from the records; returns the number of unit rows."""
    return competence_services.rebuild(facts(), targets(), on or today())


def holders_of(course_id: int) -> Select[tuple[int]]:
    return (select(User.employee_id).join(Completion, Completion.user_id == User.id)
            .where(Completion.course_id == course_id, User.employee_id.is_not(None)).distinct())


# --- events from lower layers -----------------------------------------------------------------------


def on_staff_changed(_sender: object, *, created: list[int], changed: list[int], left: list[int]) -> None:
    sync(set(created) | set(changed) | set(left))


def on_version_imported(_sender: object, *, course: Course, version: CourseVersion,
                        previous: CourseVersion | None) -> None:
    if previous is not None and version.renewal_major > previous.renewal_major:
        sync(set(db.session.scalars(holders_of(course.id))))


def connect_signals() -> None:
    from lms.catalog.signals import version_imported
    from lms.org.signals import staff_changed

    staff_changed.connect(on_staff_changed)
    version_imported.connect(on_version_imported)


def needs_rebuild() -> bool:
    """Employees exist but nobody's part of the summaries does (a database from before the summaries)."""
    from lms.competence.models import PersonContribution

    return (db.session.scalar(select(Employee.id).limit(1)) is not None
            and db.session.scalar(select(PersonContribution.employee_id).limit(1)) is None)
