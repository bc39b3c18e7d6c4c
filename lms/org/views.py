"""HR pages for the organisation: unit tree, staff list and the master-data upload with preview."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms import db
from lms.auth.access import roles_required
from lms.main.pagination import paginate
from lms.org import queries, services
from lms.org.forms import ConfirmImportForm, ImportForm

bp = Blueprint("org", __name__, url_prefix="/organisation")

#: labels of the attributes an import may change (preview page)
FIELD_LABELS = {
    "name": _l("Bezeichnung"), "parent": _l("Übergeordnete Einheit"), "personnel_no": _l("Personalnummer"),
    "first_name": _l("Vorname"), "last_name": _l("Nachname"), "email": _l("E-Mail"),
    "org_unit_id": _l("Organisationseinheit"), "position": _l("Funktion"), "hired_on": _l("Eintritt"),
    "left_on": _l("Austritt"), "is_active": _l("Status"),
}
CHANGE_LABELS = {"created": _l("neu"), "updated": _l("geändert"), "deactivated": _l("deaktiviert")}
#: changes listed on the preview page; the counts always cover all
PREVIEW_LIMIT = 500


def scope_paths() -> list[str] | None:
    """The unit subtrees the current user may see by name: None means the whole organisation."""
    if current_user.role in ("hr", "admin"):
        return None
    return [s.org_unit.path for s in current_user.scopes]


def sees_everyone() -> bool:
    return scope_paths() is None


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
    # only HR sees former employees; coordinators look after the current staff of their units
    inactive = sees_everyone() and request.args.get("inaktive") == "1"
    page = paginate(queries.staff(search, scope_paths(), include_inactive=inactive), per_page=50)
    return render_template("org/staff.html", page=page, search=search, inactive=inactive,
                           may_filter_inactive=sees_everyone())


@bp.route("/import", methods=["GET", "POST"])
@roles_required("hr")
def imports():
    """Upload: validate the whole file and show every problem, or the changes with a confirm button."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("org/import.html", form=form)
    kind = form.kind.data
    full = bool(form.full.data) and kind == "staff"
    upload = form.file.data
    content = upload.read()
    filename = (upload.filename or "upload.csv").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    result = services.import_file(kind, content, dry_run=True, full=full, filename=filename)
    confirm = None
    if result.ok:
        staged = services.stage(kind, filename, content, is_full=full, user_id=current_user.id)
        db.session.commit()
        confirm = ConfirmImportForm(token=staged.token)
    return render_template("org/import_preview.html", result=result, filename=filename, full=full,
                           confirm=confirm, **_labels())


@bp.route("/import/bestaetigen", methods=["POST"])
@roles_required("hr")
def import_confirm():
    """Apply a staged file. Only its uploader may, within an hour; unknown or foreign tokens are 404."""
    form = ConfirmImportForm()
    try:
        staged = services.find_staged(form.token.data or "", current_user.id)
    except services.StagedImportExpired:
        flash(_("Die Vorschau ist abgelaufen (nach einer Stunde). Bitte laden Sie die Datei erneut hoch."),
              "error")
        return redirect(url_for("org.imports"))
    if staged is None:
        abort(404)
    kind, filename, full, content = staged.kind, staged.filename, staged.is_full, staged.content
    result = services.import_file(kind, content, full=full, filename=filename)
    if not result.ok:
        # the database changed since the preview (e.g. a unit import in between): show why
        db.session.rollback()
        services.discard(staged)
        db.session.commit()
        return render_template("org/import_preview.html", result=result, filename=filename, full=full,
                               confirm=None, **_labels())
    services.discard(staged)
    db.session.commit()
    counts = result.counts
    flash(_("Import von %(file)s abgeschlossen: %(created)d angelegt, %(updated)d geändert, "
            "%(unchanged)d unverändert, %(deactivated)d deaktiviert.", file=filename, **counts), "success")
    return redirect(url_for("org.units" if kind == "units" else "org.staff"))


def _labels() -> dict[str, object]:
    return {"field_labels": FIELD_LABELS, "change_labels": CHANGE_LABELS, "preview_limit": PREVIEW_LIMIT}
