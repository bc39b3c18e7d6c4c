"""Certificates: the PDF for its holder and the public verification page.

What ``/pruefen/<code>`` shows (the "no more than needed" decision): whether the code is valid,
expired or unknown; for a known code the course title, version, completion date, valid-until and the
holder as initial and surname ("E. Mustermann"): enough to match the certificate in hand with the
person showing it, not a full identity, and nothing else (no unit, no score, no e-mail). An unknown
code shows nothing but "unknown". Codes carry 128 random bits and the page is rate-limited.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from lms import db
from lms.auth.access import login_required
from lms.certificates import pdf as pdf_render
from lms.certificates import queries
from lms.db import utcnow
from lms.extensions import limiter
from lms.learning import rules

bp = Blueprint("certificates", __name__)
log = logging.getLogger(__name__)


@bp.route("/zertifikate/<code>.pdf")
@login_required
def pdf(code: str):
    row = db.session.execute(queries.completion_by_code(code)).unique().one_or_none()
    if row is not None and row.Completion.user_id != current_user.id:
        log.warning("access denied: user %s asked for the certificate of another user", current_user.id)
    if row is None or row.Completion.user_id != current_user.id:
        abort(404)  # someone else's certificate is not disclosed
    completion, user = row
    html = pdf_render.certificate_html(
        completion=completion, holder=user.name, code=rules.format_code(completion.certificate_code),
        verify_url=pdf_render.verify_url(completion.certificate_code))
    body = pdf_render.render_pdf(html)
    filename = f"zertifikat-{completion.course.slug}-{completion.course_version.version}.pdf"
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


def holder_initials(user) -> str | None:
    """"E. Mustermann" for employees; None for accounts without an employee record."""
    if user.employee is None:
        return None
    return f"{user.employee.first_name[:1]}. {user.employee.last_name}"


@bp.route("/pruefen/<code>")
@bp.route("/verify/<code>")
@limiter.limit("30 per minute")
def verify(code: str):
    normalised = rules.normalise_code(code)[:64]
    row = db.session.execute(queries.completion_by_code(normalised)).unique().one_or_none()
    if row is None:
        return render_template("certificates/verify.html", state="unknown", completion=None,
                               holder=None), 404
    completion, user = row
    state = "valid" if completion.valid_until > utcnow() else "expired"
    return render_template("certificates/verify.html", state=state, completion=completion,
                           holder=holder_initials(user), code=rules.format_code(completion.certificate_code))
