"""Writes of mandatory training: rules, obligations and their cycles (services flush, never commit).

Obligations follow events in the transaction that causes them: a rule is saved (it reaches existing
staff), a staff import creates or moves people (onboarding) or lets them leave, a completion is recorded
(it fulfils the current cycle), a major version requiring renewal is imported (a renewal cycle opens).
Expiry is a matter of time; :func:`open_renewals` opens those cycles and runs before every reminder run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, func, select, update

from lms import db
from lms.audit import services as audit
from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion
from lms.db import utcnow
from lms.learning.models import Completion
from lms.learning.rules import completion_status
from lms.org.models import Employee
from lms.org.services import BERLIN
from lms.org.services import today as berlin_today
from lms.training import queries, rules
from lms.training.models import Assignment, AssignmentRule

log = logging.getLogger(__name__)


def renewal_days() -> int:
    return int(current_app.config.get("LMS_RENEWAL_DAYS", rules.DEFAULT_RENEWAL_DAYS))


# --- completions ------------------------------------------------------------------------------------


def _is_valid(completion: Completion, course: Course, now: datetime) -> bool:
    version = course.current_version
    return completion_status(completion.valid_until, completion.course_version.major,
                             version.renewal_major if version is not None else None, now) == "valid"


def _latest_completions(employee_ids: Iterable[int], course_id: int) -> dict[int, Completion]:
    """The latest completion of the course per employee (through their account), in one query."""
    ids = list(employee_ids)
    latest: dict[int, Completion] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
        rows = db.session.execute(
            select(User.employee_id, Completion)
            .join(Completion, Completion.user_id == User.id)
            .where(User.employee_id.in_(chunk), Completion.course_id == course_id)
            .order_by(Completion.completed_at, Completion.id)).tuples()
        for employee_id, completion in rows:
            latest[employee_id] = completion  # ordered: the last one wins
    return latest


# --- obligations ------------------------------------------------------------------------------------


def open_obligations(employee_ids: Iterable[int], course: Course, *, due_on: date | None = None,
                     due_days: int | None = None, fixed_due_on: date | None = None,
                     rule: AssignmentRule | None = None, assigned_by: User | None = None, note: str = "",
                     today: date | None = None, now: datetime | None = None) -> list[Assignment]:
    """Open cycle 1 (or the next cycle after an ended obligation) for every employee who has no running
    obligation for the course. A valid completion the person already holds fulfils it at once.

    The due date is ``due_on`` or derived from the rule's ``due_days`` / ``fixed_due_on``.
    Returns the new rows (already running obligations are left alone).
    """
    today = today or berlin_today()
    now = now or utcnow()
    ids = set(employee_ids)
    if not ids:
        return []
    running = set(db.session.scalars(queries.running_obligation_employee_ids(course.id, ids)))
    ids -= running
    if not ids:
        return []
    last_cycle = dict(db.session.execute(
        select(Assignment.employee_id, func.max(Assignment.cycle))
        .where(Assignment.course_id == course.id, Assignment.employee_id.in_(ids))
        .group_by(Assignment.employee_id)).tuples().all())
    latest = _latest_completions(ids, course.id)
    if due_on is None:
        due_on = rules.first_due_on(today=today, due_days=due_days, fixed_due_on=fixed_due_on,
                                    fallback_days=renewal_days())
    made = []
    for employee_id in sorted(ids):
        completion = latest.get(employee_id)
        made.append(Assignment(
            employee_id=employee_id, course_id=course.id, cycle=last_cycle.get(employee_id, 0) + 1,
            reason=rules.INITIAL, opened_on=today, due_on=due_on, assigned_at=now, rule=rule,
            assigned_by_id=assigned_by.id if assigned_by is not None else None, note=note,
            completion_id=completion.id if completion is not None and _is_valid(completion, course, now)
            else None, is_current=True))
    db.session.add_all(made)
    db.session.flush()
    return made


def assign_manually(employee: Employee, course: Course, *, due_on: date, by: User, note: str,
                    today: date | None = None) -> Assignment | None:
    """One person, by hand, with a note. None when the person already has a running obligation."""
    made = open_obligations([employee.id], course, due_on=due_on, assigned_by=by, note=note, today=today)
    if not made:
        return None
    audit.record("training.assign", object_type="employee", object_id=employee.id,
                 detail={"course": course.slug, "due_on": due_on.isoformat(), "note": note})
    return made[0]


def _open_next_cycle(previous: Assignment, *, reason: str, opened_on: date, due_days: int | None,
                     now: datetime) -> Assignment:
    previous.is_current = False
    nxt = Assignment(employee_id=previous.employee_id, course_id=previous.course_id, cycle=previous.cycle + 1,
                     reason=reason, opened_on=opened_on, assigned_at=now, rule_id=previous.rule_id,
                     due_on=rules.renewal_due_on(opened_on=opened_on, due_days=due_days,
                                                 fallback_days=renewal_days()),
                     is_current=True)
    db.session.add(nxt)
    return nxt


def _rule_days(assignment: Assignment) -> int | None:
    return assignment.rule.due_days if assignment.rule is not None else None


def fulfil(completion: Completion, *, now: datetime | None = None) -> Assignment | None:
    """A completion was recorded: it fulfils the person's current cycle of that course. When the
    current cycle was already fulfilled by an earlier completion (that has lapsed, and the daily run has
    not opened the renewal cycle yet), a new cycle opens, fulfilled at once, so that the earlier cycle
    keeps its own completion."""
    now = now or completion.completed_at or utcnow()
    employee_id = db.session.scalar(select(User.employee_id).where(User.id == completion.user_id))
    if employee_id is None:
        return None
    current = db.session.scalar(queries.current_cycle(employee_id, completion.course_id))
    if current is None:
        return None
    if current.completion_id is None:
        current.completion_id = completion.id
        db.session.flush()
        return current
    if current.completion_id == completion.id:
        return current
    today = berlin_today()
    previous = db.session.get(Completion, current.completion_id)
    reason = rules.EXPIRED if previous is not None and previous.valid_until <= now else rules.RENEWAL
    nxt = _open_next_cycle(current, reason=reason, opened_on=today, due_days=_rule_days(current), now=now)
    nxt.due_on = today
    nxt.completion_id = completion.id
    db.session.flush()
    return nxt


def open_renewals(*, now: datetime | None = None, today: date | None = None,
                  course_ids: Iterable[int] | None = None) -> int:
    """Open the next cycle of every running obligation whose completion is no longer valid: it expired
    (reason "expired", opened on the day after the validity ended) or a major version requires renewal
    (reason "renewal", opened today). Returns the number of cycles opened. Idempotent."""
    now = now or utcnow()
    today = today or berlin_today()
    lapsed = db.session.execute(queries.lapsed_cycles(now, course_ids)).tuples().all()
    for assignment, valid_until in lapsed:
        if valid_until <= now:
            opened = max(valid_until.astimezone(BERLIN).date(), assignment.opened_on)
            _open_next_cycle(assignment, reason=rules.EXPIRED, opened_on=opened,
                             due_days=_rule_days(assignment), now=now)
        else:
            _open_next_cycle(assignment, reason=rules.RENEWAL, opened_on=today,
                             due_days=_rule_days(assignment), now=now)
    db.session.flush()
    if lapsed:
        log.info("opened %d renewal cycles", len(lapsed))
    return len(lapsed)


def end_obligations(employee_ids: Iterable[int], *, reason: str, now: datetime | None = None,
                    rule_id: int | None = None) -> int:
    """End the running obligations of these people (they left) or of a rule: cycles that are not
    fulfilled are ended; everything stays in the history. Returns the number ended."""
    now = now or utcnow()
    conditions = [Assignment.is_current.is_(True), Assignment.ended_at.is_(None)]
    ids = list(employee_ids)
    if rule_id is not None:
        conditions += [Assignment.rule_id == rule_id, Assignment.completion_id.is_(None)]
    elif ids:
        conditions.append(Assignment.employee_id.in_(ids))
    else:
        return 0
    result = db.session.execute(update(Assignment).where(and_(*conditions))
                                .values(ended_at=now, ended_reason=reason, is_current=False)
                                .execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0


# --- rules ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What a rule would do now: people it covers, of whom already obliged, and new obligations."""

    covered: int
    already: int

    @property
    def new(self) -> int:
        return self.covered - self.already


def reach(course: Course, *, unit_path: str | None, position_pattern: str | None) -> Reach:
    """How many active employees a rule would reach, counted in SQL, before it is saved."""
    covered, already = db.session.execute(
        queries.rule_reach(course.id, unit_path, position_pattern)).one()
    return Reach(int(covered or 0), int(already or 0))


def create_rule(course: Course, *, org_unit_id: int | None, position_pattern: str | None,
                due_days: int | None, due_on: date | None, note: str, by: User | None,
                today: date | None = None) -> tuple[AssignmentRule, int]:
    """Save a rule and apply it to existing staff. Returns the rule and the obligations opened."""
    rule = AssignmentRule(course=course, org_unit_id=org_unit_id, position_pattern=position_pattern or None,
                          due_days=due_days, due_on=due_on, note=note,
                          created_by_id=by.id if by is not None else None)
    db.session.add(rule)
    db.session.flush()
    made = apply_rules(rule_ids=[rule.id], today=today)
    audit.record("training.rule_created", object_type="rule", object_id=rule.id,
                 detail={"course": course.slug, "unit": rule.org_unit.code if rule.org_unit else None,
                         "position": rule.position_pattern, "due_days": due_days,
                         "due_on": due_on.isoformat() if due_on else None, "obligations": made},
                 actor=by)
    return rule, made


def end_rule(rule: AssignmentRule, *, by: User | None, now: datetime | None = None) -> int:
    """End a rule: no one new is reached; its obligations that are not fulfilled end (history kept)."""
    now = now or utcnow()
    rule.ended_at = now
    rule.ended_by_id = by.id if by is not None else None
    ended = end_obligations([], reason="rule_ended", now=now, rule_id=rule.id)
    audit.record("training.rule_ended", object_type="rule", object_id=rule.id,
                 detail={"course": rule.course.slug, "obligations_ended": ended}, actor=by)
    return ended


def apply_rules(*, employee_ids: Iterable[int] | None = None, rule_ids: Iterable[int] | None = None,
                today: date | None = None) -> int:
    """Apply active rules to active employees (all, or only these): open an obligation where a rule
    covers someone without a running one. Idempotent. Returns the number opened."""
    today = today or berlin_today()
    query = select(AssignmentRule).where(AssignmentRule.ended_at.is_(None)).order_by(AssignmentRule.id)
    if rule_ids is not None:
        query = query.where(AssignmentRule.id.in_(list(rule_ids)))
    ids = set(employee_ids) if employee_ids is not None else None
    made = 0
    for rule in db.session.scalars(query).unique().all():
        if not rule.course.is_active:
            continue
        covered = set(db.session.scalars(queries.rule_covers(rule)))
        if ids is not None:
            covered &= ids
        made += len(open_obligations(covered, rule.course, due_days=rule.due_days, fixed_due_on=rule.due_on,
                                     rule=rule, today=today))
    return made


# --- events from lower layers -----------------------------------------------------------------------


def on_staff_changed(_sender: object, *, created: list[int], changed: list[int], left: list[int]) -> None:
    apply_rules(employee_ids=set(created) | set(changed))
    end_obligations(left, reason="left")


def on_completion_recorded(_sender: object, *, completion: Completion) -> None:
    fulfil(completion)


def on_version_imported(_sender: object, *, course: Course, version: CourseVersion,
                        previous: CourseVersion | None) -> None:
    if previous is not None and version.renewal_major > previous.renewal_major:
        open_renewals(course_ids=[course.id])


def connect_signals() -> None:
    from lms.catalog.signals import version_imported
    from lms.learning.signals import completion_recorded
    from lms.org.signals import staff_changed

    staff_changed.connect(on_staff_changed)
    completion_recorded.connect(on_completion_recorded)
    version_imported.connect(on_version_imported)

