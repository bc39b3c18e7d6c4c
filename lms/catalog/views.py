"""The author's catalogue page (status, lint result, import) and the course image route."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms import db
from lms.auth.access import login_required, roles_required
from lms.catalog import queries, services, stats
from lms.catalog.forms import ImportForm
from lms.catalog.lint import IMAGE_TYPES, lint
from lms.catalog.loader import SLUG

bp = Blueprint("catalog", __name__)


def courses_dir() -> Path:
    return Path(current_app.config["LMS_COURSES_DIR"])


@bp.route("/katalog")
@roles_required("author")
def status():
    """Imported courses, and the live lint result of the files on disk with what an import would do."""
    checked = lint(courses_dir())
    outcomes, plan_problems = services.plan(checked.catalog)
    rows = db.session.execute(queries.course_overview()).all()
    known = {row.Course.slug for row in rows}
    form = ImportForm(digest=services.plan_digest(checked.catalog))
    return render_template(
        "catalog/status.html", rows=rows, checked=checked, problems=checked.problems + plan_problems,
        outcomes={o.slug: o for o in outcomes}, new=[o for o in outcomes if o.slug not in known],
        updated=[o for o in outcomes if o.action == services.UPDATED], form=form,
    )


@bp.route("/katalog/import", methods=["POST"])
@roles_required("author")
def run_import():
    form = ImportForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.digest.data:
        flash(_("Import abgelehnt: Bitte bestätigen Sie den Import auf der Seite mit der Vorschau. "
                "Es wurde nichts geändert."), "error")
        return redirect(url_for("catalog.status"))
    try:
        result = services.import_courses(courses_dir(), confirmed_digest=form.digest.data)
    except services.StalePreview:
        db.session.rollback()
        flash(_("Import abgelehnt: Die Kursdateien oder die importierten Kurse haben sich seit Ihrer "
                "Vorschau geändert. Es wurde nichts geändert. Bitte prüfen Sie die neue Vorschau und "
                "importieren Sie erneut."), "error")
        return redirect(url_for("catalog.status"))
    if not result.ok:
        db.session.rollback()
        flash(_("Import abgelehnt: %(n)d Fehler in den Kursdateien. Es wurde nichts geändert; "
                "die bisherigen Versionen bleiben gültig.", n=len(result.problems)), "error")
        return redirect(url_for("catalog.status"))
    try:
        db.session.commit()
    except IntegrityError:  # another import committed the same versions first
        db.session.rollback()
        flash(_("Ein anderer Import lief gleichzeitig. Bitte prüfen Sie den Stand und importieren Sie erneut."),
              "error")
        return redirect(url_for("catalog.status"))
    flash(_("Import abgeschlossen: %(created)d neu, %(updated)d mit neuer Version, %(unchanged)d unverändert, "
            "%(deactivated)d deaktiviert.", created=result.count(services.CREATED),
            updated=result.count(services.UPDATED), unchanged=result.count(services.UNCHANGED),
            deactivated=result.count(services.DEACTIVATED)), "success")
    for outcome in result.outcomes:
        if outcome.impact is not None and outcome.diff is not None:
            flash(impact_sentence(outcome), "info")
    return redirect(url_for("catalog.status"))


def impact_sentence(outcome: services.CourseOutcome) -> str:
    """One line on what an import did to the learners of one course (the same figures as the preview)."""
    impact = outcome.impact
    return _("%(slug)s %(old)s → %(new)s: %(completed)d mit gültigem Abschluss (davon %(renewing)d zur "
             "Erneuerung aufgefordert), %(progress)d in Bearbeitung, %(reack)d erneute Bestätigungen, "
             "%(open)d offene Versuche.", slug=outcome.slug, old=outcome.previous, new=outcome.version,
             completed=impact.completed, renewing=impact.renewing, progress=impact.in_progress,
             reack=impact.reacknowledge_total, open=impact.open_attempts)


@bp.route("/katalog/<slug>/statistik")
@roles_required("author")
def statistics(slug: str):
    """Item statistics of the course's quiz (aggregates over all versions; see lms.catalog.stats)."""
    course = db.session.scalar(queries.course_by_slug(slug))
    if course is None:
        abort(404)
    return render_template("catalog/statistics.html", course=course, items=stats.course_items(course),
                           stats=stats, percent=format_percent, decimal=format_decimal)


@bp.route("/kurse/<slug>/<path:filename>")
@login_required
def asset(slug: str, filename: str):
    """An image from a course folder. Only image types, only inside that folder, no hidden files."""
    mimetype = IMAGE_TYPES.get(PurePosixPath(filename).suffix.lower())
    parts = PurePosixPath(filename).parts
    if (mimetype is None or not SLUG.match(slug) or "\\" in filename
            or any(part in ("..", ".") or part.startswith(".") for part in parts)):
        abort(404)
    folder = (courses_dir() / slug).resolve()
    path = folder.joinpath(*parts).resolve()
    if folder not in path.parents or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=mimetype, max_age=3600, conditional=True)
    response.cache_control.public = False
    response.cache_control.private = True
    return response
