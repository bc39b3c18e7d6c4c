"""HR's and coordinators' views of named employees: completion per unit and per course, the filterable
obligation list with its CSV and XLSX exports, and one employee's page.

HR and admin see the whole organisation; coordinators their subtrees (an employee elsewhere is 404, a
filter naming a unit elsewhere 403). Every view, search and export of named people is audited with its
filters and the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.exceptions import BadRequest

from lms import db
from lms.audit import services as audit
from lms.auth.access import roles_required, scope_paths
from lms.db import utcnow, writes
from lms.org.services import BERLIN
from lms.org.services import today as berlin_today
from lms.pagination import paginate
from lms.reports.individual import queries, scores
from lms.reports.individual.queries import Filters
from lms.spreadsheet import csv_rows, xlsx_chunks
from lms.training import rules as training_rules
from lms.training.rules import Status

bp = Blueprint("reports", __name__, url_prefix="/berichte")

ROLES = ("hr", "coordinator")
PER_PAGE = 50

STATUS_LABELS = {
    Status.OFFEN.value: _l("offen"),
    Status.BEGONNEN.value: _l("begonnen"),
    Status.ABGESCHLOSSEN.value: _l("abgeschlossen"),
    Status.UEBERFAELLIG.value: _l("überfällig"),
    Status.ABGELAUFEN.value: _l("abgelaufen"),
}
#: exports are German whatever the UI language: the city's files and macros read them
STATUS_EXPORT = {Status.OFFEN.value: "offen", Status.BEGONNEN.value: "begonnen",
                 Status.ABGESCHLOSSEN.value: "abgeschlossen", Status.UEBERFAELLIG.value: "überfällig",
                 Status.ABGELAUFEN.value: "abgelaufen"}
EXPORT_HEADER = ["Personalnummer", "Name", "Organisationseinheit", "Kurs", "Status", "Fällig am",
                 "Abgeschlossen am", "Gültig bis"]
REASON_LABELS = {training_rules.INITIAL: _l("Erstschulung"), training_rules.EXPIRED: _l("Gültigkeit abgelaufen"),
                 training_rules.RENEWAL: _l("Neue Hauptversion")}
FILTER_KEYS = ("einheit", "kurs", "status", "ueberfaellig", "faellig_vor", "q")


class FilterError(BadRequest):
    """An unknown filter value: 400 with a message that says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = message


def _now() -> tuple[date, datetime]:
    return berlin_today(), utcnow()


def parse_filters(args: Any, scope: list[str] | None) -> Filters:
    """The list's filters from the query string. Unknown values are a 400 with a clear message; a unit
    outside the user's scope is 403."""
    given = {k: args.get(k, "").strip()[:100] for k in FILTER_KEYS if args.get(k, "").strip()}
    unit = course = None
    if "einheit" in given:
        unit = db.session.scalar(queries.unit_by_code(given["einheit"]))
        if unit is None:
            raise FilterError(_("Unbekannte Organisationseinheit: %(code)s", code=given["einheit"]))
        if scope is not None and not any(unit.path.startswith(p) for p in scope):
            abort(403)
    if "kurs" in given:
        course = db.session.scalar(queries.course_by_slug(given["kurs"]))
        if course is None:
            raise FilterError(_("Unbekannter Kurs: %(course)s", course=given["kurs"]))
    status = given.get("status")
    if status is not None and status not in queries.STATUSES:
        raise FilterError(_("Unbekannter Status: %(status)s (erlaubt: %(allowed)s)", status=status,
                            allowed=", ".join(queries.STATUSES)))
    overdue = given.get("ueberfaellig")
    if overdue is not None and overdue != "1":
        raise FilterError(_("Der Filter „überfällig“ erwartet den Wert 1."))
    due_before = None
    if "faellig_vor" in given:
        try:
            due_before = date.fromisoformat(given["faellig_vor"])
        except ValueError:
            raise FilterError(_("Ungültiges Datum für „fällig vor“: %(value)s (erwartet: JJJJ-MM-TT)",
                                value=given["faellig_vor"])) from None
    return Filters(unit=unit, course=course, status=status, overdue=overdue == "1", due_before=due_before,
                   search=given.get("q", ""), args=given)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


@bp.route("/einheiten")
@roles_required(*ROLES)
def units():
    today, now = _now()
    rows = db.session.execute(queries.unit_tree(today, now, scope_paths())).all()
    return render_template("reports/units.html", rows=rows, statuses=queries.STATUSES, labels=STATUS_LABELS)


@bp.route("/kurse")
@roles_required(*ROLES)
def courses():
    today, now = _now()
    rows = db.session.execute(queries.course_summary(today, now, scope_paths())).all()
    return render_template("reports/courses.html", rows=rows, statuses=queries.STATUSES, labels=STATUS_LABELS)


@bp.route("/pflichtschulungen")
@roles_required(*ROLES)
@writes
def obligations():
    scope = scope_paths()
    filters = parse_filters(request.args, scope)
    today, now = _now()
    with_score = scores.sees_scores(current_app.config)
    page = paginate(queries.obligation_rows(filters, scope, today, now, with_score), per_page=PER_PAGE,
                    rows=True)
    audit.record("report.list", object_type="report", object_id="obligations",
                 detail={"filters": filters.args, "rows": page.total, "page": page.page, "scores": with_score})
    db.session.commit()
    units = db.session.scalars(queries.units_in_scope(scope)).all()
    courses = db.session.scalars(queries.courses_with_obligations()).all()
    return render_template("reports/obligations.html", page=page, filters=filters, units=units, courses=courses,
                           statuses=queries.STATUSES, labels=STATUS_LABELS, with_score=with_score,
                           score_field=scores.PASSED_SCORE)


def _export_rows(query, with_score: bool) -> Iterator[list[Any]]:
    """The rows of the export, read in batches on a read-only session of its own: the request's
    session wrote the audit event, and a long download must not hold SQLite's write lock."""
    session = db.get_db().read_sessions()
    try:
        for row in session.execute(query.execution_options(yield_per=1000)):
            line = [row.personnel_no, f"{row.last_name}, {row.first_name}", f"{row.unit_code} {row.unit_name}",
                    row.course_title or row.course_slug, STATUS_EXPORT.get(row.status, row.status), row.due_on,
                    _berlin_date(row.completed_at), _berlin_date(row.valid_until)]
            if with_score:  # the one agreed field (lms/reports/individual/scores.py)
                line.append(row.passed_score)
            yield line
    finally:
        session.close()


def _berlin_date(value: datetime | None) -> date | None:
    return value.astimezone(BERLIN).date() if value is not None else None


@bp.route("/pflichtschulungen.<any(csv, xlsx):fmt>")
@roles_required(*ROLES)
@writes
def export(fmt: str):
    """The filtered list as a file, streamed: rows are read from the database in batches and written
    as they come, so memory does not grow with the number of rows."""
    scope = scope_paths()
    filters = parse_filters(request.args, scope)
    today, now = _now()
    with_score = scores.sees_scores(current_app.config)
    query = queries.obligation_rows(filters, scope, today, now, with_score)
    rows = _count(query)
    audit.record("report.export", object_type="report", object_id="obligations",
                 detail={"format": fmt, "filters": filters.args, "rows": rows, "scores": with_score})
    db.session.commit()
    stamp = today.isoformat()
    headers = {"Content-Disposition": f'attachment; filename="pflichtschulungen-{stamp}.{fmt}"',
               "Cache-Control": "private, no-store"}
    header = EXPORT_HEADER + ([scores.PASSED_SCORE.export_header] if with_score else [])
    if fmt == "csv":
        body = (line.encode("utf-8") for line in csv_rows(header, _export_rows(query, with_score)))
        return Response(stream_with_context(body), mimetype="text/csv", headers=headers)
    body = xlsx_chunks(header, _export_rows(query, with_score), title="Pflichtschulungen")
    return Response(stream_with_context(body), headers=headers,
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/beschaeftigte/<int:employee_id>")
@roles_required(*ROLES)
@writes
def employee(employee_id: int):
    employee = db.session.scalar(queries.employee_in_scope(employee_id, scope_paths()))
    if employee is None:
        abort(404)
    today, now = _now()
    sees_scores = scores.sees_scores(current_app.config)
    cycles = db.session.execute(queries.cycles(employee.id, today, now, sees_scores)).all()
    rules = [rule for rule in db.session.scalars(queries.active_rules_with_units()).unique()
             if (rule.org_unit is None or employee.org_unit.path.startswith(rule.org_unit.path))
             and (not rule.position_pattern
                  or training_rules.position_matches(rule.position_pattern, employee.position))]
    audit.record("report.view_person", object_type="employee", object_id=employee.id,
                 detail={"obligations": len(cycles), "scores": sees_scores})
    db.session.commit()
    return render_template("reports/employee.html", employee=employee, cycles=cycles, rules=rules,
                           sees_scores=sees_scores, score_field=scores.PASSED_SCORE, labels=STATUS_LABELS,
                           reasons=REASON_LABELS)
