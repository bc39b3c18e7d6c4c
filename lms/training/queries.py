"""Reads of mandatory training (SQLAlchemy 2.0 ``select``): obligations, their status in SQL, rule reach.

:func:`status_expression` is the SQL twin of :func:`lms.training.rules.status`; a test proves they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload

from lms import db
from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion
from lms.learning.models import Attempt, Completion, ModuleProgress
from lms.org.models import Employee, OrgUnit
from lms.training import rules
from lms.training.models import Assignment, AssignmentRule, Notification

#: the version that fulfilled a cycle, and the course's current version (for its renewal major)
DoneVersion = aliased(CourseVersion, name="done_version")
CurrentVersion = aliased(CourseVersion, name="current_version")


def running_obligation_employee_ids(course_id: int, employee_ids: Iterable[int]) -> Select[tuple[int]]:
    return select(Assignment.employee_id).where(
        Assignment.course_id == course_id, Assignment.is_current.is_(True), Assignment.ended_at.is_(None),
        Assignment.employee_id.in_(list(employee_ids)))


def current_cycle(employee_id: int, course_id: int) -> Select[tuple[Assignment]]:
    return select(Assignment).where(Assignment.employee_id == employee_id, Assignment.course_id == course_id,
                                    Assignment.is_current.is_(True), Assignment.ended_at.is_(None))


def learner_obligations(employee_id: int, course_id: int | None = None) -> Select[tuple[Assignment]]:
    """The employee's current obligations (of one course), due first: the learner's pages show them
    (registered by the app factory as :data:`lms.learning.pages.OBLIGATIONS_EXTENSION`)."""
    # the course's current version is joined too: pages show its title (no query per row)
    query = (select(Assignment)
             .options(joinedload(Assignment.course).joinedload(Course.current_version))
             .where(Assignment.employee_id == employee_id, Assignment.is_current.is_(True))
             .order_by(Assignment.due_on, Assignment.id))
    return query if course_id is None else query.where(Assignment.course_id == course_id)


def lapsed_cycles(now: datetime, course_ids: Iterable[int] | None = None
                  ) -> Select[tuple[Assignment, datetime]]:
    """Running cycles whose completion is no longer valid (expired or below the renewal major)."""
    query = (select(Assignment, Completion.valid_until)
             .join(Completion, Completion.id == Assignment.completion_id)
             .join(DoneVersion, DoneVersion.id == Completion.course_version_id)
             .join(Course, Course.id == Assignment.course_id)
             .join(CurrentVersion, CurrentVersion.id == Course.current_version_id)
             .where(Assignment.is_current.is_(True), Assignment.ended_at.is_(None),
                    or_(Completion.valid_until <= now, DoneVersion.major < CurrentVersion.renewal_major))
             .order_by(Assignment.id))
    if course_ids is not None:
        query = query.where(Assignment.course_id.in_(list(course_ids)))
    return query


# --- rules ------------------------------------------------------------------------------------------


def positions_matching(pattern: str) -> list[str]:
    """The distinct positions the pattern matches. Matching is done in Python (:func:`rules.position_matches`)
    over the few hundred distinct positions, because SQL ``lower()`` folds umlauts differently per database
    ("Ärztin" vs "ärztin" in SQLite); employees are then selected with ``position IN (...)``."""
    positions = db.session.scalars(select(Employee.position).where(Employee.position.is_not(None)).distinct())
    return sorted(p for p in positions if rules.position_matches(pattern, p))


def _rule_conditions(unit_path: str | None, position_pattern: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Employee.is_active.is_(True)]
    if unit_path is not None:
        conditions.append(OrgUnit.path.startswith(unit_path, autoescape=True))
    if position_pattern:
        conditions.append(Employee.position.in_(positions_matching(position_pattern)))
    return conditions


def rule_covers(rule: AssignmentRule) -> Select[tuple[int]]:
    """Ids of the active employees a rule covers."""
    unit_path = rule.org_unit.path if rule.org_unit is not None else None
    return (select(Employee.id).join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
            .where(*_rule_conditions(unit_path, rule.position_pattern)))


def rule_reach(course_id: int, unit_path: str | None, position_pattern: str | None) -> Select[tuple[int, int]]:
    """(covered, already obliged) for a rule that is not saved yet: two counts in one query."""
    running = exists().where(Assignment.employee_id == Employee.id, Assignment.course_id == course_id,
                             Assignment.is_current.is_(True), Assignment.ended_at.is_(None))
    return (select(func.count(Employee.id), func.count(case((running, 1))))
            .join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
            .where(*_rule_conditions(unit_path, position_pattern)))


def active_rules() -> Select[tuple[AssignmentRule]]:
    return (select(AssignmentRule).where(AssignmentRule.ended_at.is_(None))
            .order_by(AssignmentRule.created_at.desc(), AssignmentRule.id.desc()))


def active_courses() -> Select[tuple[Course]]:
    return (select(Course).options(joinedload(Course.current_version))
            .where(Course.is_active.is_(True), Course.current_version_id.is_not(None)).order_by(Course.slug))


def open_count_of_rule(rule_id: int) -> Select[tuple[int]]:
    """Running obligations of a rule that are not fulfilled: what ending the rule would end."""
    return select(func.count()).where(Assignment.rule_id == rule_id, Assignment.is_current.is_(True),
                                      Assignment.ended_at.is_(None), Assignment.completion_id.is_(None))


def running_count_per_rule() -> Select[tuple[int, int]]:
    return (select(Assignment.rule_id, func.count())
            .where(Assignment.is_current.is_(True), Assignment.ended_at.is_(None), Assignment.rule_id.is_not(None))
            .group_by(Assignment.rule_id))


# --- status -----------------------------------------------------------------------------------------


def started_expression() -> ColumnElement[bool]:
    """The person read or attempted something of the course in the current cycle (cycle 1: ever)."""
    in_cycle_read = or_(Assignment.cycle == 1, ModuleProgress.read_at >= Assignment.assigned_at)
    in_cycle_attempt = or_(Assignment.cycle == 1, Attempt.started_at >= Assignment.assigned_at)
    read = (exists().where(User.employee_id == Assignment.employee_id, ModuleProgress.user_id == User.id,
                           ModuleProgress.course_id == Assignment.course_id, in_cycle_read))
    attempted = (exists().where(User.employee_id == Assignment.employee_id, Attempt.user_id == User.id,
                                Attempt.course_version_id == CourseVersion.id,
                                CourseVersion.course_id == Assignment.course_id, in_cycle_attempt))
    return or_(read, attempted)


def fulfilled_expression(now: datetime) -> ColumnElement[bool]:
    """Needs :func:`with_status_joins`: the cycle's completion is valid now."""
    return and_(Completion.id.is_not(None), Completion.valid_until > now,
                DoneVersion.major >= func.coalesce(CurrentVersion.renewal_major, 0))


def status_expression(today: date, now: datetime) -> ColumnElement[str]:
    """The status (:class:`lms.training.rules.Status` values) of a cycle as one SQL ``CASE``."""
    fulfilled = fulfilled_expression(now)
    lapsed = and_(Completion.id.is_not(None), ~fulfilled)
    return case(
        (fulfilled, literal(rules.Status.ABGESCHLOSSEN.value)),
        (lapsed, literal(rules.Status.ABGELAUFEN.value)),
        (Assignment.due_on < today, literal(rules.Status.UEBERFAELLIG.value)),
        (Assignment.reason != rules.INITIAL, literal(rules.Status.ABGELAUFEN.value)),
        (started_expression(), literal(rules.Status.BEGONNEN.value)),
        else_=literal(rules.Status.OFFEN.value))


def with_status_joins(query: Select) -> Select:
    """Outer-join what :func:`status_expression` reads onto a query that selects from ``Assignment``."""
    return (query.outerjoin(Completion, Completion.id == Assignment.completion_id)
            .outerjoin(DoneVersion, DoneVersion.id == Completion.course_version_id)
            .join(Course, Course.id == Assignment.course_id)
            .outerjoin(CurrentVersion, CurrentVersion.id == Course.current_version_id))


def running() -> ColumnElement[bool]:
    """The current cycles of obligations that have not ended (what HR counts)."""
    return and_(Assignment.is_current.is_(True), Assignment.ended_at.is_(None))


def obligations_with_status(today: date, now: datetime) -> Select:
    """Every running obligation with its status: ``(Assignment, status)``; filter and page further."""
    status = status_expression(today, now).label("status")
    return with_status_joins(select(Assignment, status)).where(running())


def employee_cycles(employee_id: int, today: date, now: datetime) -> Select:
    """Every cycle of one employee (running, earlier and ended), newest first, with the status of
    running ones (others: None)."""
    status = case((running(), status_expression(today, now)), else_=None).label("status")
    return (with_status_joins(select(Assignment, status, Completion))
            .where(Assignment.employee_id == employee_id)
            .order_by(Course.slug, Assignment.cycle.desc()))





# --- reminders and digests --------------------------------------------------------------------------


def reminder_candidates(today: date, now: datetime, horizon_days: int) -> Select:
    """Running obligations that are not fulfilled and fall due within ``horizon_days`` (or are overdue),
    of active employees with an active account that has an e-mail: one row per obligation with what a
    reminder needs (``assignment_id``, ``due_on``, ``status``, account, name, course slug and title)."""
    status_value = status_expression(today, now)
    status = status_value.label("status")
    return (with_status_joins(select(
        Assignment.id.label("assignment_id"), Assignment.due_on, status, Assignment.cycle,
        User.id.label("user_id"), User.email, User.locale, Employee.first_name, Employee.last_name,
        Course.slug, CurrentVersion.title))
        .join(Employee, Employee.id == Assignment.employee_id)
        .join(User, User.employee_id == Employee.id)
        .where(running(), Employee.is_active.is_(True), User.is_active.is_(True), User.email != "",
               Course.is_active.is_(True), Assignment.due_on <= today + timedelta(days=horizon_days),
               status_value != rules.Status.ABGESCHLOSSEN.value)
        .order_by(Assignment.due_on, Assignment.id))


def sent_keys(kind: str, keys_like: str | None = None, assignment_ids: Select | None = None) -> Select[tuple[str]]:
    """Dedupe keys of ``kind`` already recorded (optionally only for these assignments)."""
    query = select(Notification.dedupe_key).where(Notification.kind == kind)
    if assignment_ids is not None:
        query = query.where(Notification.assignment_id.in_(assignment_ids))
    if keys_like is not None:
        query = query.where(Notification.dedupe_key.like(keys_like))
    return query


def status_counts_per_course(unit_paths: Iterable[str], today: date, now: datetime) -> Select:
    """(course title, open, overdue, completed) for the running obligations of active employees in the
    subtrees ``unit_paths``: counts only. "open" counts offen, begonnen and abgelaufen."""
    status = status_expression(today, now)
    subtree = or_(*[OrgUnit.path.startswith(p, autoescape=True) for p in unit_paths])
    done = rules.Status.ABGESCHLOSSEN.value
    overdue = rules.Status.UEBERFAELLIG.value
    return (with_status_joins(select(
        CurrentVersion.title,
        func.count(case((status.not_in([done, overdue]), 1))).label("open"),
        func.count(case((status == overdue, 1))).label("overdue"),
        func.count(case((status == done, 1))).label("completed")))
        .join(Employee, Employee.id == Assignment.employee_id)
        .join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
        .where(running(), Employee.is_active.is_(True), subtree)
        .group_by(Course.id, Course.slug, CurrentVersion.title)
        .order_by(Course.slug))


def units_of_assignments(assignment_ids: Iterable[int]) -> Select[tuple[int, str]]:
    """(assignment id, materialised path of the person's unit) of these obligations."""
    return (select(Assignment.id, OrgUnit.path)
            .join(Employee, Employee.id == Assignment.employee_id)
            .join(OrgUnit, OrgUnit.id == Employee.org_unit_id)
            .where(Assignment.id.in_(list(assignment_ids))))


def active_coordinators() -> Select[tuple[User]]:
    """Active coordinators with an e-mail (their scopes load with them)."""
    return (select(User).where(User.role == "coordinator", User.is_active.is_(True), User.email != "")
            .order_by(User.id))


# --- the person's own data ("Meine Daten"; provided to the learning layer by the app factory) ---

def own_cycle_rows(employee_id: int) -> Select[tuple[Assignment]]:
    """Every cycle of every obligation of the person (running, earlier, ended), with course and rule."""
    return (select(Assignment)
            .options(joinedload(Assignment.course).joinedload(Course.current_version))
            .where(Assignment.employee_id == employee_id)
            .order_by(Assignment.course_id, Assignment.cycle))


def notifications_about(user_id: int, employee_id: int | None) -> Select[tuple[Notification, str | None]]:
    """E-mails sent to the user, and those sent to others about the person's obligations (a copy to a
    coordinator), with the recipient's address for the latter."""
    mine = Notification.user_id == user_id
    about = (Notification.assignment_id.in_(select(Assignment.id).where(Assignment.employee_id == employee_id))
             if employee_id is not None else mine)
    return (select(Notification, User.email)
            .outerjoin(User, User.id == Notification.user_id)
            .where(mine | about)
            .order_by(Notification.sent_at, Notification.id))



def own_cycles(employee_id: int) -> list[Assignment]:
    return list(db.session.scalars(own_cycle_rows(employee_id)).unique())


def own_notifications(user_id: int, employee_id: int | None) -> list[tuple[Notification, str | None]]:
    return [(n, email) for n, email in db.session.execute(notifications_about(user_id, employee_id))]
