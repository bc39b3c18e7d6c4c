"""The learner's pages: "Meine Schulungen", course, module, quiz, result, "Meine Daten"."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import db
from lms.audit import services as audit
from lms.auth.access import login_required
from lms.catalog.models import Course, Module
from lms.db import utcnow, writes
from lms.formatting import when
from lms.learning import pages, queries, services
from lms.learning.forms import AcknowledgeForm, ActionForm
from lms.learning.models import Attempt

bp = Blueprint("learning", __name__)
log = logging.getLogger(__name__)


# -- load-or-404 helpers -------------------------------------------------------------------------

def get_course_or_404(slug: str) -> Course:
    """An active course with a current version, else 404."""
    course = db.session.scalars(queries.course_by_slug(slug)).unique().one_or_none()
    if course is None:
        abort(404)
    return course


def get_module_or_404(course: Course, position: int) -> Module:
    assert course.current_version_id is not None
    module = db.session.scalar(queries.module_at(course.current_version_id, position))
    if module is None:
        abort(404)
    return module


def get_attempt_or_404(attempt_id: int) -> Attempt:
    """The current user's attempt with items, questions and options. Someone else's attempt is a 404
    (not 403): its existence is not disclosed."""
    attempt = db.session.scalars(queries.attempt_with_items(attempt_id)).unique().one_or_none()
    if attempt is not None and attempt.user_id != current_user.id:
        log.warning("access denied: user %s asked for attempt %s of another user", current_user.id, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _bad_request(message: str):
    from lms.errors import render_error

    return render_error(400, message)


# -- pages ---------------------------------------------------------------------------------------

@bp.route("/schulungen")
@login_required
def my_courses():
    overview = pages.overview(current_user, utcnow())
    return render_template("learning/my_courses.html", overview=overview, form=ActionForm())


@bp.route("/kompetenzprofil")
@login_required
def competence_profile():
    """The learner's own competence profile: a chart with its table (every role has one)."""
    page = pages.competence_page(current_user, utcnow())
    return render_template("learning/competence_profile.html", page=page)


@bp.route("/schulungen/<slug>")
@login_required
def course(slug: str):
    page = pages.course_page(current_user, get_course_or_404(slug), utcnow())
    return render_template("learning/course.html", page=page, form=ActionForm())


@bp.route("/schulungen/<slug>/module/<int:position>")
@login_required
def module(slug: str, position: int):
    course = get_course_or_404(slug)
    page = pages.module_page(current_user, course, get_module_or_404(course, position))
    return render_template("learning/module.html", page=page, form=ActionForm(),
                           ack_form=AcknowledgeForm())


def _flash_completed(title: str) -> None:
    flash(_("Geschafft: Sie haben die Schulung „%(t)s“ abgeschlossen. Ihr Zertifikat können Sie jetzt "
            "herunterladen.", t=title), "success")


def _after_module(course: Course, module: Module):
    """Go on to the next module, or back to the course page after the last one (or when this was the
    last requirement: the course page then shows the completion and the certificate)."""
    assert course.current_version is not None
    completion = services.complete_if_done(current_user.id, course)
    db.session.commit()
    if completion is not None:
        _flash_completed(course.current_version.title)
        return redirect(url_for(".course", slug=course.slug))
    following = db.session.scalar(queries.module_at(module.course_version_id, module.position + 1))
    if following is not None:
        return redirect(url_for(".module", slug=course.slug, position=following.position))
    return redirect(url_for(".course", slug=course.slug))


@bp.route("/schulungen/<slug>/module/<int:position>/gelesen", methods=["POST"])
@login_required
def mark_read(slug: str, position: int):
    course = get_course_or_404(slug)
    module = get_module_or_404(course, position)
    services.mark_read(current_user.id, module)
    return _after_module(course, module)


@bp.route("/schulungen/<slug>/module/<int:position>/bestaetigen", methods=["POST"])
@login_required
def acknowledge(slug: str, position: int):
    course = get_course_or_404(slug)
    module = get_module_or_404(course, position)
    if not module.acknowledge:
        abort(404)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        page = pages.module_page(current_user, course, module)
        return render_template("learning/module.html", page=page, form=ActionForm(), ack_form=form), 400
    if services.acknowledge(current_user.id, module):
        flash(_("Ihre Bestätigung wurde gespeichert."), "success")
    return _after_module(course, module)


@bp.route("/schulungen/<slug>/quiz", methods=["POST"])
@login_required
def start_quiz(slug: str):
    course = get_course_or_404(slug)
    assert course.current_version is not None
    try:
        attempt = services.start_attempt(current_user.id, course.current_version)
    except services.LimitReached as exc:
        db.session.rollback()
        flash(limit_message(exc.limit, exc.next_at), "warning")
        return redirect(url_for(".course", slug=slug))
    except services.EmptyPool:
        db.session.rollback()
        flash(_("Für diese Schulung gibt es noch keine Quizfragen."), "error")
        return redirect(url_for(".course", slug=slug))
    db.session.commit()
    return redirect(url_for(".attempt", attempt_id=attempt.id))


def limit_message(limit: int, next_at) -> str:
    return _("Sie haben die erlaubten %(n)d Versuche in 24 Stunden genutzt. Der nächste Versuch ist "
             "ab %(time)s Uhr möglich.", n=limit, time=when(next_at))


@bp.route("/schulungen/versuch/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = get_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for(".result", attempt_id=attempt.id))
    return render_template("learning/attempt.html", attempt=attempt, form=ActionForm())


def _answers_or_400(attempt: Attempt):
    try:
        return services.parse_answers(attempt, request.form.to_dict(flat=False)), None
    except services.TamperedAnswers:
        return None, _bad_request(_("Die Antworten passen nicht zu diesem Versuch. Es wurde nichts "
                                    "gespeichert. Bitte laden Sie den Versuch neu."))


@bp.route("/schulungen/versuch/<int:attempt_id>/speichern", methods=["POST"])
@login_required
def save_attempt(attempt_id: int):
    attempt = get_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return _bad_request(_("Dieser Versuch ist bereits abgegeben und kann nicht mehr geändert werden."))
    answers, error = _answers_or_400(attempt)
    if error:
        return error
    if not services.save_answers(attempt, answers):  # submitted meanwhile (another tab, a double click)
        return _bad_request(_("Dieser Versuch ist bereits abgegeben und kann nicht mehr geändert werden."))
    db.session.commit()
    flash(_("Ihre Antworten wurden zwischengespeichert."), "success")
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.route("/schulungen/versuch/<int:attempt_id>/abgeben", methods=["POST"])
@login_required
def submit_attempt(attempt_id: int):
    attempt = get_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        # a double click or a resent form: the first result stands
        return redirect(url_for(".result", attempt_id=attempt.id), code=303)
    answers, error = _answers_or_400(attempt)
    if error:
        return error
    unanswered = [item.position for item in attempt.items if not answers.get(item.id)]
    if unanswered and not request.form.get("trotzdem"):
        # nothing is graded yet: keep the answers and ask once more, naming the open questions
        services.save_answers(attempt, answers)
        db.session.commit()
        return render_template("learning/attempt.html", attempt=attempt, form=ActionForm(),
                               unanswered=unanswered), 422
    services.submit(attempt, answers)
    db.session.commit()
    # the result page says so when this attempt completed the course, with the certificate link
    return redirect(url_for(".result", attempt_id=attempt.id), code=303)


@bp.route("/schulungen/versuch/<int:attempt_id>/ergebnis")
@login_required
def result(attempt_id: int):
    attempt = get_attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    lines, shows_solution = pages.result_lines(attempt)
    completion = db.session.scalar(queries.completion_of_attempt(attempt.id))
    return render_template("learning/result.html", attempt=attempt, lines=lines,
                           shows_solution=shows_solution, completion=completion)


@bp.route("/meine-daten")
@login_required
def my_data():
    data, attempts = pages.my_data_page(current_user, request.args.get("page", 1, type=int))
    return render_template("learning/my_data.html", data=data, attempts=attempts,
                           audit_on_page=pages.AUDIT_ON_PAGE)


@bp.route("/meine-daten.json")
@login_required
@writes
def my_data_json():
    """The download of everything stored about the user; the download itself is audited."""
    data = pages.my_data(current_user)
    audit.record("learning.my_data_export", object_type="user", object_id=current_user.id,
                 detail={"format": "json", "attempts": len(data["attempts"])})
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="meine-daten.json"',
        "Cache-Control": "no-store",
    })
