"""Pages of mandatory training: rules (with their reach before saving), ending a rule, one assignment."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from lms import db
from lms.auth.access import in_scope, roles_required, scope_paths
from lms.catalog.models import Course
from lms.org.models import Employee, OrgUnit
from lms.org.services import today
from lms.training import queries, services
from lms.training.forms import AssignForm, EndRuleForm, RuleForm
from lms.training.models import AssignmentRule

bp = Blueprint("training", __name__, url_prefix="/pflichtschulungen")


def _courses() -> list[Course]:
    return db.session.scalars(queries.active_courses()).unique().all()


def _units(paths: list[str] | None) -> list[OrgUnit]:
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.is_active.is_(True)).order_by(OrgUnit.path)).all()
    return [u for u in units if in_scope(paths, u.path)]


def _rule_form() -> tuple[RuleForm, dict[str, Course], dict[str, OrgUnit]]:
    paths = scope_paths(current_user)
    form = RuleForm(today=today())
    courses = {str(c.id): c for c in _courses()}
    units = {str(u.id): u for u in _units(paths)}
    form.course.choices = [(k, c.current_version.title) for k, c in courses.items()]
    form.due_on.description = ngettext(
        "Wer erst nach diesem Tag erreicht wird (zum Beispiel neu eingestellt), bekommt %(num)d Tag Zeit.",
        "Wer erst nach diesem Tag erreicht wird (zum Beispiel neu eingestellt), bekommt %(num)d Tage Zeit.",
        services.renewal_days())
    form.unit.choices = ([("", _("Alle Beschäftigten"))] if paths is None else []) + [
        (k, "\u2003" * u.depth + f"{u.code} {u.name}") for k, u in units.items()]
    return form, courses, units


def _digest(form: RuleForm) -> str:
    values = [form.course.data, form.unit.data, (form.position.data or "").strip(), form.due_kind.data,
              form.due_days.data if form.due_kind.data == "days" else None,
              form.due_on.data.isoformat() if form.due_kind.data == "date" and form.due_on.data else None]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


@bp.route("")
@roles_required("hr", "coordinator")
def rules():
    paths = scope_paths(current_user)
    active = [r for r in db.session.scalars(queries.active_rules()).unique()
              if paths is None or (r.org_unit is not None and in_scope(paths, r.org_unit.path))]
    counts = dict(db.session.execute(queries.running_count_per_rule()).tuples().all())
    return render_template("training/rules.html", rules=active, counts=counts, end_form=EndRuleForm())


@bp.route("/neu", methods=["GET", "POST"])
@roles_required("hr", "coordinator")
def new_rule():
    form, courses, units = _rule_form()
    reach = None
    if request.method == "POST" and form.validate():
        course = courses[form.course.data]
        unit = units.get(form.unit.data or "")
        position = (form.position.data or "").strip() or None
        reach = services.reach(course, unit_path=unit.path if unit else None, position_pattern=position)
        if request.form.get("action") == "save" and form.digest.data == _digest(form):
            rule, made = services.create_rule(
                course, org_unit_id=unit.id if unit else None, position_pattern=position,
                due_days=form.due_days.data if form.due_kind.data == "days" else None,
                due_on=form.due_on.data if form.due_kind.data == "date" else None,
                note=(form.note.data or "").strip(), by=current_user)
            db.session.commit()
            flash(ngettext("Die Regel ist gespeichert. %(num)d Person hat die Schulung jetzt als Pflicht.",
                           "Die Regel ist gespeichert. %(num)d Personen haben die Schulung jetzt als Pflicht.",
                           made), "success")
            return redirect(url_for("training.rules"))
        if request.form.get("action") == "save":
            flash(_("Die Angaben haben sich seit der Vorschau geändert. Bitte prüfen Sie die neue Vorschau."),
                  "warning")
        form.digest.data = _digest(form)
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template("training/rule_form.html", form=form, reach=reach), status


def _rule_in_scope(rule_id: int) -> AssignmentRule:
    rule = db.session.get(AssignmentRule, rule_id)
    if rule is None or rule.ended_at is not None:
        abort(404)
    paths = scope_paths(current_user)
    if paths is not None and (rule.org_unit is None or not in_scope(paths, rule.org_unit.path)):
        abort(404)
    return rule


@bp.route("/<int:rule_id>/beenden", methods=["GET", "POST"])
@roles_required("hr", "coordinator")
def end_rule(rule_id: int):
    rule = _rule_in_scope(rule_id)
    form = EndRuleForm()
    if form.validate_on_submit():
        ended = services.end_rule(rule, by=current_user)
        db.session.commit()
        flash(ngettext("Die Regel ist beendet. %(num)d offene Pflichtschulung wurde beendet.",
                       "Die Regel ist beendet. %(num)d offene Pflichtschulungen wurden beendet.", ended), "success")
        return redirect(url_for("training.rules"))
    open_count = db.session.scalar(queries.open_count_of_rule(rule.id)) or 0
    return render_template("training/end_rule.html", rule=rule, form=form, open_count=open_count)


@bp.route("/zuweisen/<int:employee_id>", methods=["GET", "POST"])
@roles_required("hr", "coordinator")
def assign(employee_id: int):
    employee = db.session.get(Employee, employee_id)
    if employee is None or not employee.is_active or not in_scope(scope_paths(current_user),
                                                                  employee.org_unit.path):
        abort(404)
    form = AssignForm(today=today())
    courses = {str(c.id): c for c in _courses()}
    form.course.choices = [(k, c.current_version.title) for k, c in courses.items()]
    if form.validate_on_submit():
        made = services.assign_manually(employee, courses[form.course.data], due_on=form.due_on.data,
                                        by=current_user, note=form.note.data.strip())
        if made is None:
            flash(_("%(name)s hat diesen Kurs schon als Pflichtschulung. Es wurde nichts geändert.",
                    name=f"{employee.first_name} {employee.last_name}"), "warning")
        else:
            db.session.commit()
            flash(_("Die Pflichtschulung ist zugewiesen."), "success")
        return redirect(url_for("training.assign", employee_id=employee.id))
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template("training/assign.html", form=form, employee=employee), status
