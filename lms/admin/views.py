"""Admin: accounts and roles; the account lifecycle (admin, and HR for employees' accounts); competence
targets (with their reach before saving)."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from lms import db
from lms.admin.forms import CreateUserForm, EndTargetForm, RoleForm, TargetForm
from lms.auth import services
from lms.auth.access import roles_required
from lms.auth.models import Role, User
from lms.competence import queries as competence_queries
from lms.competence import services as competence_services
from lms.competence.models import CompetenceTarget
from lms.learning import summaries
from lms.org import queries as org_queries
from lms.org.models import OrgUnit
from lms.pagination import paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _unit_choices() -> list[tuple[str, str]]:
    return [(u.code, f"{u.code} – {u.name}") for u in db.session.scalars(org_queries.units_tree())]


@bp.route("/konten")
@roles_required("hr", "admin")
def users():
    """All accounts for an admin; the accounts of the employee role for HR."""
    search = request.args.get("q", "")[:100].strip().lower()
    query = select(User).order_by(User.email)
    if current_user.role != Role.ADMIN:
        query = query.where(User.role == Role.EMPLOYEE.value)
    if search:
        query = query.where(or_(User.email.contains(search), User.role == search))
    return render_template("admin/users.html", page=paginate(query), search=search)


@bp.route("/konten/neu", methods=["GET", "POST"])
@roles_required("admin")
def create_user():
    form = CreateUserForm()
    form.units.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.role.data, unit_codes=form.units.data,
                                        display_name=form.display_name.data or "")
            token = services.invite(user)
        except services.AccountError as exc:
            db.session.rollback()
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Konto angelegt."), "success")
            # the account stands whether or not the mail leaves; the page shows the link and says which
            sent = services.send_invitations([(user, token)]).ok
            return render_template("admin/invited.html", user=user, url=services.invitation_url(token),
                                   mail_sent=sent)
    return render_template("admin/create_user.html", form=form)


@bp.route("/konten/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm(obj=None if request.method == "POST" else user)
    form.units.choices = _unit_choices()
    if request.method == "GET":
        form.units.data = [s.org_unit.code for s in user.scopes]
    if form.validate_on_submit():
        try:
            services.set_role(user, form.role.data, unit_codes=form.units.data,
                              by=current_user._get_current_object())
        except services.AccountError as exc:
            db.session.rollback()
            (form.role if isinstance(exc, services.RoleError) else form.units).errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Rolle von %(email)s geändert. Alle Sitzungen dieses Kontos wurden beendet.",
                    email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/edit_user.html", form=form, user=user)


# --- account lifecycle -------------------------------------------------------------------------------


def _managed_user_or_404(user_id: int) -> User:
    """The account, if the logged-in admin or HR may manage it (HR: employees' accounts); else 404."""
    user = db.session.get(User, user_id)
    if user is None or not services.may_manage(current_user, user):
        abort(404)
    return user


def _back(user: User):
    return redirect(url_for("admin.account", user_id=user.id))


@bp.route("/konten/<int:user_id>/verwalten")
@roles_required("hr", "admin")
def account(user_id: int):
    user = _managed_user_or_404(user_id)
    return render_template("admin/account.html", user=user, locked_until=services.login_locked_until(user),
                           is_self=user.id == current_user.id)


@bp.route("/konten/<int:user_id>/deaktivieren", methods=["POST"])
@roles_required("hr", "admin")
def deactivate(user_id: int):
    user = _managed_user_or_404(user_id)
    try:
        services.deactivate(user, by=current_user._get_current_object())
    except services.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Das Konto %(email)s ist deaktiviert. Alle Sitzungen wurden beendet.", email=user.email), "success")
    return _back(user)


@bp.route("/konten/<int:user_id>/reaktivieren", methods=["POST"])
@roles_required("hr", "admin")
def reactivate(user_id: int):
    user = _managed_user_or_404(user_id)
    try:
        services.reactivate(user, by=current_user._get_current_object())
    except services.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Das Konto %(email)s ist wieder aktiv.", email=user.email), "success")
    return _back(user)


@bp.route("/konten/<int:user_id>/entsperren", methods=["POST"])
@roles_required("hr", "admin")
def unlock(user_id: int):
    user = _managed_user_or_404(user_id)
    was_locked = services.unlock(user, by=current_user._get_current_object())
    db.session.commit()
    flash(_("Die Anmeldesperre von %(email)s ist aufgehoben.", email=user.email) if was_locked
          else _("Die Anmeldung von %(email)s war nicht gesperrt.", email=user.email), "success")
    return _back(user)


@bp.route("/konten/<int:user_id>/einladen", methods=["POST"])
@roles_required("hr", "admin")
def reinvite(user_id: int):
    """A new invitation by e-mail. The mail leaves first and the link is stored only once it was sent:
    when the mail fails nothing changes (the earlier link stays valid) and no lock is held meanwhile."""
    user = _managed_user_or_404(user_id)
    try:
        services.check_reinvite(user)
    except services.AccountError as exc:
        flash(str(exc), "error")
        return _back(user)
    token = services.new_token()
    if not services.send_invitations([(user, token)]).ok:
        flash(_("Die E-Mail an %(email)s konnte nicht gesendet werden; es wurde keine neue Einladung erzeugt. "
                "Bitte versuchen Sie es später noch einmal.", email=user.email), "error")
        return _back(user)
    services.reinvite(user, by=current_user._get_current_object(), token=token)
    db.session.commit()
    flash(_("Eine neue Einladung wurde per E-Mail an %(email)s gesendet. Frühere Links gelten nicht mehr.",
            email=user.email), "success")
    return _back(user)


# --- competence targets ------------------------------------------------------------------------------


def _target_form() -> tuple[TargetForm, dict[str, OrgUnit]]:
    form = TargetForm()
    english = str(get_locale()) == "en"
    form.area.choices = [(a.key, a.name_en if english else a.name_de)
                         for a in db.session.scalars(competence_queries.areas())]
    form.level.choices = [(str(lv.level), f"{lv.level} {lv.name_en if english else lv.name_de}")
                          for lv in db.session.scalars(competence_queries.levels())]
    units = {u.code: u for u in db.session.scalars(org_queries.units_tree()) if u.is_active}
    form.unit.choices = [("", _("Bitte wählen"))] + [(code, "\u2003" * u.depth + f"{u.code} {u.name}")
                                                      for code, u in units.items()]
    return form, units


def _target_digest(form: TargetForm) -> str:
    values = [form.area.data, form.level.data, form.scope.data, form.unit_code(), form.pattern()]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


@bp.route("/kompetenzziele")
@roles_required("admin")
def targets():
    rows = db.session.execute(competence_queries.targets_listed()).all()
    return render_template("admin/targets.html", rows=rows)


@bp.route("/kompetenzziele/neu", methods=["GET", "POST"])
@roles_required("admin")
def target_new():
    form, units = _target_form()
    reach = None
    if request.method == "POST" and form.validate():
        unit = units.get(form.unit_code() or "")
        level = int(form.level.data)
        reach = competence_services.target_reach(form.area.data, level, unit_path=unit.path if unit else None,
                                                 position_pattern=form.pattern(), today=summaries.today())
        if request.form.get("action") == "save" and form.digest.data == _target_digest(form):
            competence_services.create_target(form.area.data, level, org_unit_id=unit.id if unit else None,
                                              position_pattern=form.pattern(), note=form.note.data or "",
                                              by=current_user._get_current_object())
            summaries.sync_all()
            db.session.commit()
            flash(ngettext("Das Ziel ist gespeichert. Es gilt für %(num)d Person.",
                           "Das Ziel ist gespeichert. Es gilt für %(num)d Personen.", reach.covered), "success")
            return redirect(url_for("admin.targets"))
        if request.form.get("action") == "save":
            flash(_("Die Angaben haben sich seit der Vorschau geändert. Bitte prüfen Sie die neue Vorschau."),
                  "warning")
        form.digest.data = _target_digest(form)
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template("admin/target_form.html", form=form, reach=reach), status


@bp.route("/kompetenzziele/<int:target_id>/beenden", methods=["GET", "POST"])
@roles_required("admin")
def target_end(target_id: int):
    target = db.session.get(CompetenceTarget, target_id)
    if target is None or target.ended_at is not None:
        abort(404)
    form = EndTargetForm()
    if form.validate_on_submit():
        competence_services.end_target(target, by=current_user._get_current_object())
        summaries.sync_all()
        db.session.commit()
        flash(_("Das Ziel ist beendet. Es bleibt im Protokoll erhalten."), "success")
        return redirect(url_for("admin.targets"))
    row = db.session.execute(competence_queries.targets_listed().where(CompetenceTarget.id == target.id)).one()
    return render_template("admin/end_target.html", row=row, form=form)
