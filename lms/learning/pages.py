"""What the learner pages show, assembled from a fixed number of queries per page.

Views call one function here and render; the decisions come from :mod:`lms.learning.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms import db
from lms.audit import titles as audit_titles
from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion, Module
from lms.charts import Chart, Table, bar_chart
from lms.competence import queries as competence_queries
from lms.competence.profile import CompletionFacts, competence_profile
from lms.competence.summaries import Target, position_matches, targets_of
from lms.learning import grading, progress, queries, rules
from lms.learning.models import Attempt, Completion
from lms.pagination import Page

BERLIN = ZoneInfo("Europe/Berlin")

#: key under ``app.extensions`` of the function that gives an employee's current obligations as a
#: ``select`` (of one course if a ``course_id`` is passed), due first; each row has ``course``,
#: ``course_id``, ``due_on``, ``assigned_at`` and ``note``. Registered by the app factory: training owns
#: obligations and sits above learning, which does not import it (docs/decisions.md, layers)
OBLIGATIONS_EXTENSION = "lms.learner_obligations"
#: "Meine Daten" lists every cycle of the person's obligations and the e-mails about them (training's)
OWN_CYCLES_EXTENSION = "lms.own_obligation_cycles"
OWN_NOTIFICATIONS_EXTENSION = "lms.own_notifications"


def obligations(employee_id: int, course_id: int | None = None) -> list[Any]:
    """The employee's current obligations (of one course), due first (one query)."""
    query = current_app.extensions[OBLIGATIONS_EXTENSION](employee_id, course_id)
    return list(db.session.scalars(query).unique())


def berlin_today(now: datetime) -> date:
    return now.astimezone(BERLIN).date()


@dataclass
class CourseRow:
    course: Course
    version: CourseVersion
    state: rules.CourseState
    modules_total: int
    modules_read: int
    #: the current obligation (due date, note) if the course is mandatory for the learner
    assignment: Any | None
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
    latest: dict[int, Completion] = {}
    for completion in db.session.scalars(queries.user_completions(user.id)).unique():
        latest.setdefault(completion.course_id, completion)
    history = progress.histories(user.id, courses, latest)
    assignments: dict[int, Any] = {}
    if user.employee_id is not None:
        assignments = {a.course_id: a for a in obligations(user.employee_id)}
    today = berlin_today(now)
    sections: dict[str, list[CourseRow]] = {name: [] for name in rules.SECTIONS}
    for course in courses:
        version = course.current_version
        assert version is not None  # the query joins on it
        h = history[course.id]
        state_now = progress.compute(h, version, now)
        assignment = assignments.get(course.id)
        state = rules.course_state(state_now, h.is_started, assignment.due_on if assignment else None, today)
        sections[state.section].append(
            CourseRow(course, version, state, len(h.modules), sum(1 for m in h.modules if state_now.is_done(m)),
                      assignment, h.latest))
    sections["mandatory"].sort(key=lambda r: (r.assignment.due_on if r.assignment else date.max,
                                              r.version.title))
    return Overview(sections)


@dataclass
class ModuleLine:
    module: Module
    is_read: bool
    is_acknowledged: bool
    #: the module asks for a confirmation of a changed text (the earlier one stays in the history)
    needs_reacknowledgement: bool = False

    @property
    def is_done(self) -> bool:
        return self.is_read and (not self.module.acknowledge or self.is_acknowledged)


@dataclass
class CoursePage:
    course: Course
    version: CourseVersion
    modules: list[ModuleLine]
    #: every attempt on every version of the course, newest first
    attempts: list[Attempt]
    open_attempt: Attempt | None
    has_passed: bool
    #: the latest completion while it is valid
    completion: Completion | None
    #: the latest completion of any version (also expired or renewal due)
    latest_completion: Completion | None
    completion_status: str | None
    next_attempt_at: datetime | None
    assignment: Any | None
    is_overdue: bool
    next_module: Module | None = None
    percent: int = 0
    #: the learner read, confirmed, attempted or completed on an earlier version: show what changed
    has_older_history: bool = False

    @property
    def reacknowledge(self) -> list[ModuleLine]:
        return [m for m in self.modules if m.needs_reacknowledgement]


def course_page(user: User, course: Course, now: datetime) -> CoursePage:
    """The course page: modules with read and confirmation state (by key, from the whole history),
    attempts on every version, the completion."""
    version = course.current_version
    assert version is not None
    modules = db.session.scalars(queries.module_outline(version.id)).all()
    attempts = db.session.scalars(queries.course_attempts(user.id, course.id)).unique().all()
    latest = db.session.scalar(queries.latest_completion(user.id, course.id))
    history = progress.histories(user.id, [course], {course.id: latest} if latest else {})[course.id]
    state = progress.compute(history, version, now)
    assignment = None
    if user.employee_id is not None:
        assignment = next(iter(obligations(user.employee_id, course.id)), None)
    lines = [ModuleLine(m, m.key in state.read, m.key in state.acknowledged, m.key in state.reacknowledge)
             for m in modules]
    started = [a.started_at for a in attempts if a.started_at > now - rules.ATTEMPT_WINDOW]
    status = state.completion_status
    page = CoursePage(
        course=course, version=version, modules=lines, attempts=list(attempts),
        open_attempt=next((a for a in attempts if a.submitted_at is None
                           and rules.attempt_counts(a.course_version.major, version.renewal_major)), None),
        has_passed=state.has_passed,
        completion=latest if status == "valid" else None,
        latest_completion=latest, completion_status=status,
        next_attempt_at=rules.next_attempt_at(started, version.attempts_per_day, now),
        assignment=assignment,
        is_overdue=bool(assignment and status != "valid" and assignment.due_on < berlin_today(now)),
        percent=state.percent,
        has_older_history=history.on_older_version or any(a.course_version_id != version.id for a in attempts)
        or bool(latest and latest.course_version_id != version.id))
    page.next_module = next((ln.module for ln in lines if not ln.is_done), None)
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
    #: confirmed an earlier text of this module, not the current one
    needs_reacknowledgement: bool = False


def module_page(user: User, course: Course, module: Module) -> ModulePage:
    version = course.current_version
    assert version is not None
    outline = db.session.scalars(queries.module_outline(version.id)).all()
    index = next(i for i, m in enumerate(outline) if m.id == module.id)
    is_read = db.session.scalar(queries.module_read(user.id, course.id, module.key)) is not None
    is_acked = reack = False
    if module.acknowledge:
        acked = {h for _c, k, h, _m in db.session.execute(queries.acked_texts(user.id, [course.id]))
                 if k == module.key}
        is_acked = module.text_hash in acked
        reack = bool(acked) and not is_acked
    return ModulePage(course, version, module, outline[index - 1] if index > 0 else None,
                      outline[index + 1] if index + 1 < len(outline) else None, len(outline),
                      is_read, is_acked, reack)


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
#: audit events per list on the page "Meine Daten" (the JSON download holds all of them)
AUDIT_ON_PAGE = 50


def my_data(user: User) -> dict:
    """Everything stored about the user in this application (GDPR Art. 15 and 20), as plain data:
    the JSON download, with every attempt and its answers (where the retention run has not removed them)
    and every audit event about or by the user.

    One query per kind of data (:func:`_my_data`), however much there is.
    """
    attempts = db.session.scalars(queries.user_attempts(user.id)).unique().all()
    answers = _answers(queries.user_attempt_ids(user.id))
    return _my_data(user, [_attempt_row(a, answers) for a in attempts])


def my_data_page(user: User, page: int) -> tuple[dict, Page]:
    """What the page "Meine Daten" shows: :func:`my_data`, but of the attempts, which grow without
    bound, only the ``page``-th :data:`ATTEMPTS_PER_PAGE`, newest first (``data["attempts"]`` and
    the returned page's items; its ``total`` counts them all).
    """
    query = queries.user_attempts(user.id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    last = max(1, -(-total // ATTEMPTS_PER_PAGE))
    page = min(max(1, page), last)
    attempts = db.session.scalars(
        query.limit(ATTEMPTS_PER_PAGE).offset((page - 1) * ATTEMPTS_PER_PAGE)).unique().all()
    answers = _answers([a.id for a in attempts]) if attempts else {}
    rows = [_attempt_row(a, answers) for a in attempts]
    return _my_data(user, rows), Page(rows, page, ATTEMPTS_PER_PAGE, total)


def _answers(attempt_ids) -> dict[int, list[dict]]:
    """Per attempt its answers: question, the options chosen, whether it was right."""
    out: dict[int, list[dict]] = {}
    for item in db.session.scalars(queries.answers_of(attempt_ids)).unique():
        by_id = {o.id: o for o in item.question.options}
        out.setdefault(item.attempt_id, []).append({
            "position": item.position, "question": item.question.prompt_html,
            "chosen": [by_id[oid].text_html for oid in item.response or () if oid in by_id],
            "correct": item.is_correct,
        })
    return out


def _attempt_row(a: Attempt, answers: dict[int, list[dict]]) -> dict:
    return {
        "course": a.course_version.title, "course_slug": a.course_version.course.slug,
        "version": a.course_version.version, "started_at": _iso(a.started_at),
        "submitted_at": _iso(a.submitted_at), "score": a.score, "passed": a.passed,
        "answers_deleted_at": _iso(a.details_removed_at), "answers": answers.get(a.id, []),
    }


def _applies(target_path: str | None, pattern: str | None, employee) -> bool:
    if target_path is not None and not employee.org_unit.path.startswith(target_path):
        return False
    return pattern is None or position_matches(pattern, employee.position)


def _my_data(user: User, attempts: list[dict]) -> dict:
    employee = user.employee
    invitations = [{"purpose": i.purpose, "created_at": _iso(i.created_at), "expires_at": _iso(i.expires_at),
                    "used_at": _iso(i.used_at)} for i in db.session.scalars(queries.invitations_of(user.id))]
    profile = {
        "email": user.email, "role": user.role, "display_name": user.display_name,
        "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
        "password_changed_at": _iso(user.password_changed_at), "is_active": user.is_active,
        "locale": user.locale, "scopes": [s.org_unit.code for s in user.scopes], "invitations": invitations,
        "employee": None if employee is None else {
            "first_name": employee.first_name, "last_name": employee.last_name,
            "email": employee.email, "personnel_no": employee.personnel_no,
            "org_unit": {"code": employee.org_unit.code, "name": employee.org_unit.name},
            "position": employee.position,
            "hired_on": _iso(employee.hired_on), "left_on": _iso(employee.left_on),
            "is_active": employee.is_active, "anonymised_at": _iso(employee.anonymised_at),
            "created_at": _iso(employee.created_at), "updated_at": _iso(employee.updated_at),
        },
    }
    completions = [{
        "course": c.course_version.title, "course_slug": c.course.slug, "version": c.course_version.version,
        "completed_at": _iso(c.completed_at), "valid_until": _iso(c.valid_until), "awards": c.awards,
        "certificate_code": c.certificate_code, "holder_name": c.holder_name,
    } for c in db.session.scalars(queries.user_completions(user.id)).unique()]
    acknowledgements = [{
        "course": v.title, "version": v.version, "module": m.title,
        "acknowledged_at": _iso(a.acknowledged_at),
    } for a, m, v in db.session.execute(queries.user_acknowledgements(user.id))]
    reads = [{"course": v.title, "version": v.version, "module": m.title, "read_at": _iso(r.read_at)}
             for r, m, v in db.session.execute(queries.user_reads(user.id))]
    assignments: list[dict] = []
    targets: list[dict] = []
    contribution = None
    if employee is not None:
        assignments = [{
            "course": a.course.current_version.title if a.course.current_version else a.course.slug,
            "course_slug": a.course.slug, "cycle": a.cycle, "reason": a.reason, "opened_on": _iso(a.opened_on),
            "due_on": _iso(a.due_on), "assigned_at": _iso(a.assigned_at),
            "by_rule": a.rule_id is not None, "by_hand": a.assigned_by_id is not None, "note": a.note,
            "fulfilled": a.completion_id is not None, "is_current": a.is_current,
            "ended_at": _iso(a.ended_at), "ended_reason": a.ended_reason,
        } for a in current_app.extensions[OWN_CYCLES_EXTENSION](employee.id)]
        targets = [{"area": t.area_key, "level": t.level, "org_unit": code, "position": t.position_pattern,
                    "note": t.note, "since": _iso(t.created_at)}
                   for t, code, path in db.session.execute(queries.targets_with_units())
                   if _applies(path, t.position_pattern, employee)]
        row = db.session.scalar(queries.contribution_of(employee.id))
        if row is not None:
            contribution = {"org_unit_id": row.org_unit_id, "changes": row.changes,
                            "updated_at": _iso(row.updated_at)}
    notifications = [{"kind": n.kind, "key": n.dedupe_key, "sent_at": _iso(n.sent_at),
                      "to": "you" if n.user_id == user.id else (email or None)}
                     for n, email in current_app.extensions[OWN_NOTIFICATIONS_EXTENSION](user.id, user.employee_id)]
    about, by = [], []
    for event in db.session.scalars(queries.audit_of(user)):
        row = {"occurred_at": _iso(event.occurred_at), "action": event.action,
               "title": audit_titles.title(event.action), "actor": event.actor_label, "object_type": event.object_type, "object_id": event.object_id,
               "detail": event.detail}
        if event.actor_id == user.id:
            by.append({**row, "ip": event.ip})
        else:
            about.append(row)
    return {"profile": profile, "assignments": assignments, "module_progress": reads,
            "acknowledgements": acknowledgements, "attempts": attempts, "completions": completions,
            "notifications": notifications, "competence_targets": targets,
            "competence_contribution": contribution, "audit_about_you": about, "audit_by_you": by}


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()



@dataclass
class CompetenceRow:
    area_name: str
    level: int
    level_name: str
    #: titles of the courses whose valid completion gives the level
    courses: list[str]
    valid_until: datetime | None
    #: the person's target level in the area (None: no target) and the text "Anwenden (2) – noch 1 Stufe"
    target: int | None = None
    target_text: str = "–"

    @property
    def gap(self) -> int:
        """Levels still missing to the target (0: reached or no target)."""
        return max(0, (self.target or 0) - self.level)


@dataclass
class CompetencePage:
    rows: list[CompetenceRow]
    chart: Chart
    #: the level named in the summary ("at least Apply"), or None without a framework
    threshold: str | None
    reached: int
    has_framework: bool
    #: a sentence on the person's targets ("" when none reaches them)
    targets_summary: str = ""


#: the summary counts areas at this level or above: "Anwenden" (apply), what the basic courses aim at
SUMMARY_LEVEL = 2


def competence_page(user: User, now: datetime) -> CompetencePage:
    """"Mein Kompetenzprofil": the level per area from the user's valid completions (three queries)."""
    english = str(get_locale()) == "en"
    areas = db.session.scalars(competence_queries.areas()).all()
    level_names = {lv.level: (lv.name_en if english else lv.name_de)
                   for lv in db.session.scalars(competence_queries.levels())}
    facts = [CompletionFacts(slug, title, dict(awards or {}), completed_at, valid_until, major, renewal)
             for slug, title, awards, completed_at, valid_until, major, renewal
             in db.session.execute(queries.completion_facts(user.id))]
    profile = competence_profile([a.key for a in areas], facts, now)
    names = {a.key: (a.name_en if english else a.name_de) for a in areas}
    wanted = _targets_of(user)

    def level_name(level: int) -> str:
        return f"{level} {level_names[level]}" if level in level_names else _("nicht erreicht")

    rows = [CompetenceRow(names[a.area], a.level, level_name(a.level),
                          [s.course_title for s in a.sources], a.valid_until, wanted.get(a.area),
                          _target_text(wanted.get(a.area), a.level, level_names))
            for a in profile.areas]
    threshold = level_names.get(SUMMARY_LEVEL)
    reached = profile.reached(SUMMARY_LEVEL)
    summary = _competence_summary(len(rows), reached, threshold, profile.reached(1))
    table = Table(
        _("Kompetenzstufe je Bereich"),
        (_("Bereich"), _("Stufe"), _("Erreicht durch"), _("Gültig bis"), _("Ziel")),
        tuple((r.area_name, r.level_name, ", ".join(r.courses) or "–",
               format_date(r.valid_until, "medium") if r.valid_until else "–", r.target_text) for r in rows))
    maximum = max(level_names, default=4)
    chart = bar_chart("kompetenzprofil", _("Meine Kompetenzstufen"), summary,
                      [(r.area_name, r.level) for r in rows] or [("–", 0)], maximum=maximum,
                      value_label=level_name, table=table)
    return CompetencePage(rows, chart, threshold, reached, bool(areas), _targets_summary(rows))


def _targets_summary(rows: list[CompetenceRow]) -> str:
    with_target = [r for r in rows if r.target is not None]
    if not with_target:
        return ""
    open_areas = [r for r in with_target if r.gap]
    if not open_areas:
        return ngettext("Für Sie gilt in %(num)d Bereich ein Ziel; Sie erreichen es.",
                        "Für Sie gelten in %(num)d Bereichen Ziele; Sie erreichen alle.", len(with_target))
    return ngettext("Für Sie gelten in %(total)d Bereichen Ziele; in %(num)d Bereich fehlt noch mindestens eine "
                    "Stufe (Spalte „Ziel“).",
                    "Für Sie gelten in %(total)d Bereichen Ziele; in %(num)d Bereichen fehlt noch mindestens eine "
                    "Stufe (Spalte „Ziel“).", len(open_areas), total=len(with_target))


def _targets_of(user: User) -> dict[str, int]:
    """The user's target level per area (the highest among the active targets reaching them)."""
    if user.employee_id is None:
        return {}
    basis = db.session.execute(competence_queries.employee_target_basis(user.employee_id)).first()
    if basis is None:
        return {}
    targets = [Target(t.area_key, t.level, path, t.position_pattern)
               for t, path in db.session.execute(competence_queries.active_targets())]
    return targets_of(basis.path, basis.position, targets)


def _target_text(target: int | None, level: int, level_names: dict[int, str]) -> str:
    """"Anwenden (2) – noch 1 Stufe", "Anwenden (2) – erreicht", or "–" without a target."""
    if target is None:
        return "–"
    name = _("%(name)s (%(level)d)", name=level_names.get(target, ""), level=target)
    if level >= target:
        return _("%(target)s – erreicht", target=name)
    return ngettext("%(target)s – noch %(num)d Stufe", "%(target)s – noch %(num)d Stufen", target - level,
                    target=name)


def _competence_summary(total: int, reached: int, threshold: str | None, any_level: int) -> str:
    if not total:
        return _("Es ist noch kein Kompetenzrahmen eingerichtet.")
    if not any_level:
        return _("Sie haben noch in keinem der %(total)d Bereiche eine Stufe erreicht: Stufen ergeben sich "
                 "aus gültig abgeschlossenen Schulungen.", total=total)
    if threshold is None:
        return _("Sie haben in %(n)d von %(total)d Bereichen eine Stufe erreicht.", n=any_level, total=total)
    return _("Sie haben in %(n)d von %(total)d Bereichen mindestens „%(level)s“ erreicht und in %(any)d "
             "Bereichen eine Stufe.", n=reached, total=total, level=threshold, any=any_level)
