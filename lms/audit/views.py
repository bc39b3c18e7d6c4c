"""Admin: read the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lms.audit import queries
from lms.auth.access import roles_required
from lms.main.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/protokoll")


@bp.route("")
@roles_required("admin")
def log():
    action = request.args.get("action", "")[:60]
    actor = request.args.get("actor", "")[:254]
    page = paginate(queries.events(action or None, actor or None), per_page=100)
    return render_template("audit/log.html", page=page, action=action, actor=actor)
