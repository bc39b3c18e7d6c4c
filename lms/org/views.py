"""HR pages for the organisation: unit tree, staff list and the master-data upload with preview."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from lms import db
from lms.audit import services as audit
from lms.auth.access import roles_required, scope_paths, sees_everyone
from lms.db import writes
from lms.org import importer, queries, rules, services
from lms.org.forms import ConfirmImportForm, ImportForm
from lms.pagination import paginate

bp = Blueprint("org", __name__, url_prefix="/organisation")

CHANGE_LABELS = {"created": _l("neu"), "updated": _l("geändert"), "deactivated": _l("deaktiviert")}
#: changes listed on the preview page; the counts always cover all
PREVIEW_LIMIT = 500
STALE_NOTICE = _l("Der Import wurde nicht gespeichert: Die Daten haben sich seit Ihrer Vorschau geändert "
                  "(zum Beispiel durch einen anderen Import). Bitte prüfen Sie die aktualisierte Vorschau "
                  "unten und bestätigen Sie erneut.")
#: deactivations listed before the "show all" switch
DEACTIVATION_PREVIEW = 10


@bp.route("/einheiten")
@roles_required("hr")
def units():
    units = db.session.scalars(queries.units_tree()).all()
    counts = dict(db.session.execute(queries.unit_staff_counts()).all())
    return render_template("org/units.html", units=units, counts=counts)


@bp.route("/beschaeftigte")
@roles_required("hr", "coordinator")
@writes
def staff():
    search = request.args.get("q", "")[:100]
    # only HR sees former employees; coordinators look after the current staff of their units
    inactive = sees_everyone() and request.args.get("inaktive") == "1"
    page = paginate(queries.staff(search, scope_paths(), include_inactive=inactive), per_page=50)
    # a list of named people: who looked, with which search, at how many
    audit.record("org.view_staff", object_type="report", object_id="staff",
                 detail={"search": search, "inactive": inactive, "rows": page.total, "page": page.page})
    db.session.commit()
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
    if result.ok or result.only_identity_problems:
        # identity changes are not a reason to upload again: they are confirmed row by row
        staged = services.stage(kind, filename, content, is_full=full, user_id=current_user.id)
        db.session.commit()
        confirm = ConfirmImportForm(token=staged.token, digest=result.digest)
    return _preview(result, filename, full, confirm)


@bp.route("/import/bestaetigen", methods=["POST"])
@roles_required("hr")
def import_confirm():
    """Apply a staged file. Only its uploader may, within an hour; unknown or foreign tokens are 404.

    Nothing is written unless the confirmation belongs to the preview as it is now (same digest of
    file and affected rows), every identity change is confirmed row by row, and a full list above
    ``LMS_IMPORT_CONFIRM_DEACTIVATIONS`` carries the typed number of people it deactivates.
    """
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
    confirmed = set(request.form.getlist("identity"))
    plan = services.import_file(kind, content, dry_run=True, full=full, filename=filename,
                                allow_identity_change=confirmed)
    if not (plan.ok or plan.only_identity_problems):
        # the database changed since the preview (e.g. a unit import in between): show why
        services.discard(staged)
        db.session.commit()
        return _preview(plan, filename, full, None)
    fresh = ConfirmImportForm(formdata=None, token=staged.token, digest=plan.digest)
    if not form.digest.data:
        return _preview(plan, filename, full, fresh, notice=_(
            "Der Import wurde nicht gespeichert: Die Bestätigung gehört zu keiner Vorschau. Bitte prüfen "
            "Sie die Vorschau unten und bestätigen Sie dann."))
    if form.digest.data != plan.digest:
        return _preview(plan, filename, full, fresh, notice=STALE_NOTICE)
    errors: list[tuple[str, str]] = []
    identities = plan.identity_changes()
    unconfirmed = [c for c in identities if c.key not in confirmed]
    if unconfirmed:
        errors.append((f"identity-{unconfirmed[0].key}", ngettext(
            "%(num)d Identitätswechsel ist nicht bestätigt. Bestätigen Sie jede solche Zeile einzeln oder "
            "laden Sie eine korrigierte Datei hoch.",
            "%(num)d Identitätswechsel sind nicht bestätigt. Bestätigen Sie jede solche Zeile einzeln oder "
            "laden Sie eine korrigierte Datei hoch.", len(unconfirmed))))
    deactivations = len(plan.deactivations())
    if rules.needs_typed_confirmation(deactivations, _confirm_threshold()) and \
            not rules.typed_confirmation_matches(form.deactivations.data, deactivations):
        message = _("Bitte geben Sie zur Bestätigung die Zahl %(num)d ein (so viele Personen werden "
                    "deaktiviert).", num=deactivations)
        errors.append((fresh.deactivations.id, message))
        fresh.deactivations.errors = [message]
    if errors:
        fresh.deactivations.data = form.deactivations.data
        return _preview(plan, filename, full, fresh, errors=errors, confirmed=confirmed)
    result = services.import_file(kind, content, full=full, filename=filename, allow_identity_change=confirmed)
    if not result.ok or result.digest != plan.digest:
        # another request wrote in between the checks above and the import: undo, show what is now
        db.session.rollback()
        return _preview(plan, filename, full, fresh, notice=STALE_NOTICE)
    services.discard(staged)
    db.session.commit()
    counts = result.counts
    flash(_("Import von %(file)s abgeschlossen: %(created)d angelegt, %(updated)d geändert, "
            "%(unchanged)d unverändert, %(deactivated)d deaktiviert.", file=filename, **counts), "success")
    return redirect(url_for("org.units" if kind == "units" else "org.staff"))


def _confirm_threshold() -> int:
    return int(current_app.config["LMS_IMPORT_CONFIRM_DEACTIVATIONS"])


def _preview(result: services.ImportResult, filename: str, full: bool, confirm: ConfirmImportForm | None, *,
             notice: object = None, errors: list[tuple[str, str]] | None = None,
             confirmed: set[str] | None = None):
    deactivations = result.deactivations()
    return render_template(
        "org/import_preview.html", result=result, filename=filename, full=full, confirm=confirm,
        notice=notice, errors=errors or [], confirmed=confirmed or set(), deactivations=deactivations,
        typed_confirmation=rules.needs_typed_confirmation(len(deactivations), _confirm_threshold()),
        threshold=_confirm_threshold(), **_labels())


def _labels() -> dict[str, object]:
    return {"field_label": importer.field_label, "shown": importer.shown_value, "text": importer.message,
            "change_labels": CHANGE_LABELS, "preview_limit": PREVIEW_LIMIT,
            "deactivation_preview": DEACTIVATION_PREVIEW}
