"""Admin: accounts and roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from lms import db
from lms.admin.forms import CreateUserForm, RoleForm
from lms.auth import services
from lms.auth.access import roles_required
from lms.auth.models import User
from lms.main.pagination import paginate
from lms.org import queries as org_queries

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _unit_choices() -> list[tuple[str, str]]:
    return [(u.code, f"{u.code} – {u.name}") for u in db.session.scalars(org_queries.units_tree())]


@bp.route("/konten")
@roles_required("admin")
def users():
    search = request.args.get("q", "")[:100].strip().lower()
    query = select(User).order_by(User.email)
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
            return render_template("admin/invited.html", user=user, url=services.invitation_url(token))
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
        if user.id == current_user.id and form.role.data != "admin":
            form.role.errors = [_("Sie können sich die Administrationsrolle nicht selbst entziehen.")]
        else:
            try:
                services.set_role(user, form.role.data, unit_codes=form.units.data)
            except services.AccountError as exc:
                db.session.rollback()
                (form.role if isinstance(exc, services.RoleError) else form.units).errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("Rolle von %(email)s geändert. Alle Sitzungen dieses Kontos wurden beendet.",
                        email=user.email), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/edit_user.html", form=form, user=user)
