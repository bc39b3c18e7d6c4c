"""What the learner pages show, assembled from a fixed number of queries per page.

Views call one function here and render; the decisions come from :mod:`lms.learning.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from lms import db
from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion, Module
from lms.learning import grading, queries, rules
from lms.learning.models import Acknowledgement, Attempt, Completion
from lms.main.pagination import Page
from lms.training.models import Assignment

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_today(now: datetime) -> date:
    return now.astimezone(BERLIN).date()


@dataclass
class CourseRow:
    course: Course
    version: CourseVersion
    state: rules.CourseState
    modules_total: int
    modules_read: int
    assignment: Assignment | None
    completion: Completion | None


@dataclass
class Overview:
    sections: dict[str, list[CourseRow]]

    @property
    def is_empty(self) -> bool:
        return not any(self.sections.values())


def overview(user: User, now: datetime) -> Overview:
    """"Meine Schulungen": every active course placed in its section (seven queries)."""
    courses = db.session.scalars(queries.active_courses()).unique().all()
    version_ids = [c.current_version_id for c in courses if c.current_version_id]
    modules = {vid: (n, acks) for vid, n, acks in db.session.execute(queries.module_counts(version_ids))}
    read = dict(db.session.execute(queries.read_counts(user.id, version_ids)).tuples().all())
    attempts = {vid: (n, bool(p)) for vid, n, p in
                db.session.execute(queries.attempt_summary(user.id, version_ids))}
    acks = dict(db.session.execute(queries.ack_counts(user.id, version_ids)).tuples().all())
    latest: dict[int, Completion] = {}
    for completion in db.session.scalars(queries.user_completions(user.id)).unique():
        latest.setdefault(completion.course_id, completion)
    assignments: dict[int, Assignment] = {}
    if user.employee_id is not None:
        assignments = {a.course_id: a for a in
                       db.session.scalars(queries.employee_assignments(user.employee_id)).unique()}
    today = berlin_today(now)
    sections: dict[str, list[CourseRow]] = {name: [] for name in rules.SECTIONS}
    for course in courses:
        version = course.current_version
        assert version is not None  # the query joins on it
        total = modules.get(version.id, (0, 0))[0]
        n_read = read.get(version.id, 0)
        n_attempts, has_passed = attempts.get(version.id, (0, False))
        completion = latest.get(course.id)
        assignment = assignments.get(course.id)
        facts = rules.CourseFacts(
            modules_total=total, modules_read=n_read, has_passed=has_passed,
            is_started=bool(n_read or n_attempts or acks.get(version.id)),
            current_major=version.major, due_on=assignment.due_on if assignment else None,
            completion=(completion.valid_until, completion.course_version.major) if completion else None)
        state = rules.course_state(facts, now, today)
        sections[state.section].append(
            CourseRow(course, version, state, total, n_read, assignment, completion))
    sections["mandatory"].sort(key=lambda r: (r.assignment.due_on if r.assignment else date.max,
                                              r.version.title))
    return Overview(sections)


@dataclass
class ModuleLine:
    module: Module
    is_read: bool
    is_acknowledged: bool


@dataclass
class CoursePage:
    course: Course
    version: CourseVersion
    modules: list[ModuleLine]
    attempts: list[Attempt]
    open_attempt: Attempt | None
    has_passed: bool
    completion: Completion | None
    #: the latest completion of any version (for "renewal due" after a major bump)
    latest_completion: Completion | None
    completion_status: str | None
    next_attempt_at: datetime | None
    assignment: Assignment | None
    is_overdue: bool
    next_module: Module | None = None
    percent: int = 0
    state_notes: list[str] = field(default_factory=list)

    @property
    def all_read(self) -> bool:
        return all(m.is_read for m in self.modules)

    @property
    def all_acknowledged(self) -> bool:
        return all(m.is_acknowledged for m in self.modules if m.module.acknowledge)


def course_page(user: User, course: Course, now: datetime) -> CoursePage:
    """The course page: modules with read and acknowledgement state, attempts, completion."""
    version = course.current_version
    assert version is not None
    modules = db.session.scalars(queries.module_outline(version.id)).all()
    read = set(db.session.scalars(queries.read_module_ids(user.id, [m.id for m in modules])))
    acked = set(db.session.scalars(queries.acked_module_ids(user.id, version.id)))
    attempts = db.session.scalars(queries.attempts_on(user.id, version.id)).all()
    started = db.session.scalars(
        queries.started_since(user.id, course.id, now - rules.ATTEMPT_WINDOW)).all()
    latest = db.session.scalar(queries.latest_completion(user.id, course.id))
    assignment = None
    if user.employee_id is not None:
        assignment = db.session.scalar(queries.assignment_for(user.employee_id, course.id))
    lines = [ModuleLine(m, m.id in read, m.id in acked) for m in modules]
    has_passed = any(a.passed for a in attempts)
    status = (rules.completion_status(latest.valid_until, latest.course_version.major, version.major, now)
              if latest else None)
    page = CoursePage(
        course=course, version=version, modules=lines, attempts=list(attempts),
        open_attempt=next((a for a in attempts if a.submitted_at is None), None),
        has_passed=has_passed,
        completion=latest if latest and latest.course_version_id == version.id else None,
        latest_completion=latest, completion_status=status,
        next_attempt_at=rules.next_attempt_at(started, version.attempts_per_day, now),
        assignment=assignment,
        is_overdue=bool(assignment and status != "valid" and assignment.due_on < berlin_today(now)))
    page.next_module = next((ln.module for ln in lines if not ln.is_read
                             or (ln.module.acknowledge and not ln.is_acknowledged)), None)
    facts = rules.CourseFacts(len(lines), len(read & {m.id for m in modules}), has_passed, True,
                              version.major, completion=(latest.valid_until, latest.course_version.major)
                              if latest else None)
    page.percent = rules.course_state(facts, now, berlin_today(now)).percent
    return page


@dataclass
class ModulePage:
    course: Course
    version: CourseVersion
    module: Module
    previous: Module | None
    next: Module | None
    count: int
    is_read: bool
    is_acknowledged: bool


def module_page(user: User, course: Course, module: Module) -> ModulePage:
    version = course.current_version
    assert version is not None
    outline = db.session.scalars(queries.module_outline(version.id)).all()
    index = next(i for i, m in enumerate(outline) if m.id == module.id)
    is_read = db.session.scalar(queries.read_module_ids(user.id, [module.id])) is not None
    is_acked = module.acknowledge and db.session.scalar(
        queries.acked_module_ids(user.id, version.id).where(Acknowledgement.module_id == module.id)
    ) is not None
    return ModulePage(course, version, module, outline[index - 1] if index > 0 else None,
                      outline[index + 1] if index + 1 < len(outline) else None, len(outline),
                      is_read, bool(is_acked))


@dataclass
class ResultLine:
    position: int
    prompt_html: str
    explanation_html: str
    source: str
    is_correct: bool
    #: (option text html, chosen, correct-or-None when the solution is hidden), in the shown order
    options: list[tuple[str, bool, bool | None]]


def result_lines(attempt: Attempt) -> tuple[list[ResultLine], bool]:
    """Per question of a submitted attempt: the answer, the explanation and, as configured, the
    solution. Returns the lines and whether solutions are shown."""
    show = grading.solution_visible(attempt.course_version.show_solutions, bool(attempt.passed))
    lines = []
    for item in attempt.items:
        by_id = {o.id: o for o in item.question.options}
        chosen = set(item.response or ())
        options = [(by_id[oid].text_html, oid in chosen, by_id[oid].is_correct if show else None)
                   for oid in item.option_order if oid in by_id]
        lines.append(ResultLine(item.position, item.question.prompt_html, item.question.explanation_html,
                                item.question.source, bool(item.is_correct), options))
    return lines, show


#: attempts per page on "Meine Daten" (the JSON download holds all of them)
ATTEMPTS_PER_PAGE = 20


def my_data(user: User) -> dict:
    """Everything stored about the user in this application (GDPR Art. 15 and 20), as plain data:
    the JSON download, with every attempt.

    Five queries: attempts, completions, acknowledgements, progress per version, assignments.
    """
    attempts = db.session.scalars(queries.user_attempts(user.id)).unique()
    return _my_data(user, [_attempt_row(a) for a in attempts])


def my_data_page(user: User, page: int) -> tuple[dict, Page]:
    """What the page "Meine Daten" shows: :func:`my_data`, but of the attempts, which grow without
    bound, only the ``page``-th :data:`ATTEMPTS_PER_PAGE`, newest first (``data["attempts"]`` and
    the returned page's items; its ``total`` counts them all).

    Six queries: the five of :func:`my_data` and the number of attempts.
    """
    query = queries.user_attempts(user.id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    last = max(1, -(-total // ATTEMPTS_PER_PAGE))
    page = min(max(1, page), last)
    attempts = db.session.scalars(
        query.limit(ATTEMPTS_PER_PAGE).offset((page - 1) * ATTEMPTS_PER_PAGE)).unique()
    rows = [_attempt_row(a) for a in attempts]
    return _my_data(user, rows), Page(rows, page, ATTEMPTS_PER_PAGE, total)


def _attempt_row(a: Attempt) -> dict:
    return {
        "course": a.course_version.title, "course_slug": a.course_version.course.slug,
        "version": a.course_version.version, "started_at": _iso(a.started_at),
        "submitted_at": _iso(a.submitted_at), "score": a.score, "passed": a.passed,
    }


def _my_data(user: User, attempts: list[dict]) -> dict:
    employee = user.employee
    profile = {
        "email": user.email, "role": user.role, "display_name": user.display_name,
        "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
        "locale": user.locale,
        "employee": None if employee is None else {
            "first_name": employee.first_name, "last_name": employee.last_name,
            "email": employee.email, "personnel_no": employee.personnel_no,
            "org_unit": {"code": employee.org_unit.code, "name": employee.org_unit.name},
            "position": employee.position,
            "hired_on": _iso(employee.hired_on), "left_on": _iso(employee.left_on),
        },
    }
    completions = [{
        "course": c.course_version.title, "course_slug": c.course.slug, "version": c.course_version.version,
        "completed_at": _iso(c.completed_at), "valid_until": _iso(c.valid_until), "awards": c.awards,
        "certificate_code": c.certificate_code,
    } for c in db.session.scalars(queries.user_completions(user.id)).unique()]
    acknowledgements = [{
        "course": v.title, "version": v.version, "module": m.title,
        "acknowledged_at": _iso(a.acknowledged_at),
    } for a, m, v in db.session.execute(queries.user_acknowledgements(user.id))]
    progress = [{"course": title, "version": version, "modules_read": n}
                for title, version, n in db.session.execute(queries.user_progress_by_version(user.id))]
    assignments = []
    if employee is not None:
        assignments = [{
            "course": a.course.current_version.title if a.course.current_version else a.course.slug,
            "course_slug": a.course.slug, "due_on": _iso(a.due_on), "assigned_at": _iso(a.assigned_at),
            "note": a.note,
        } for a in db.session.scalars(queries.employee_assignments(employee.id)).unique()]
    return {"profile": profile, "assignments": assignments, "module_progress": progress,
            "acknowledgements": acknowledgements, "attempts": attempts, "completions": completions}


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()

