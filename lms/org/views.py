"""HR pages for the organisation: unit tree and staff list (imports live in imports_views)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from lms import db
from lms.auth.access import roles_required
from lms.main.pagination import paginate
from lms.org import queries

bp = Blueprint("org", __name__, url_prefix="/organisation")


def scope_paths() -> list[str] | None:
    """The unit subtrees the current user may see by name: None means the whole organisation."""
    if current_user.role in ("hr", "admin"):
        return None
    return [s.org_unit.path for s in current_user.scopes]


@bp.route("/einheiten")
@roles_required("hr")
def units():
    units = db.session.scalars(queries.units_tree()).all()
    counts = dict(db.session.execute(queries.unit_staff_counts()).all())
    return render_template("org/units.html", units=units, counts=counts)


@bp.route("/beschaeftigte")
@roles_required("hr", "coordinator")
def staff():
    search = request.args.get("q", "")[:100]
    page = paginate(queries.staff(search, scope_paths()), per_page=50)
    return render_template("org/staff.html", page=page, search=search)
