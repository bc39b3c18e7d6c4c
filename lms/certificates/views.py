"""Certificates: the PDF for its holder and the public verification page.

What ``/pruefen/<code>`` shows (the "no more than needed" decision): whether the code is valid,
expired or unknown; for a known code the course title, version, completion date, valid-until and the
holder as initial and surname at issue time ("E. Mustermann", stored with the completion like the full
name the PDF prints, so that both always agree): enough to match the certificate in hand with the
person showing it, not a full identity, and nothing else (no unit, no score, no e-mail). An unknown
code shows nothing but "unknown". Codes carry 128 random bits and the page is rate-limited.

``/pruefen`` (alias ``/verify``) without a code is a GET form for typing the code from paper; it
normalises what was typed and redirects to the result page, so the code only ever reaches the
database through the rate-limited ``verify`` view.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request
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
    completion, _user = row
    html = pdf_render.certificate_html(
        completion=completion, holder=completion.holder_name, code=rules.format_code(completion.certificate_code),
        verify_url=pdf_render.verify_url(completion.certificate_code))
    body = pdf_render.render_pdf(html)
    filename = f"zertifikat-{completion.course.slug}-{completion.course_version.version}.pdf"
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


#: longest input the form passes on (a code is 26 characters, 32 in the printed groups of four)
MAX_CODE_INPUT = 64


def form_url() -> str:
    """``/pruefen``, or ``/verify`` when the page was reached under its English alias."""
    return request.script_root + ("/verify" if request.path.startswith("/verify") else "/pruefen")


@bp.route("/verify")
@bp.route("/pruefen")  # registered first: url_for builds the German address
def verify_form():
    """Enter a certificate code: ``?code=…`` leads to ``/pruefen/<code>`` (``/verify/<code>``)."""
    typed = request.args.get("code")
    normalised = rules.normalise_code(typed or "")[:MAX_CODE_INPUT]
    if not normalised:
        return render_template("certificates/verify.html", state="form", typed="", form_url=form_url(),
                               missing=typed is not None)
    return redirect(f"{form_url()}/{quote(normalised, safe='')}")


@bp.route("/pruefen/<code>")
@bp.route("/verify/<code>")
@limiter.limit("30 per minute")
def verify(code: str):
    normalised = rules.normalise_code(code)[:MAX_CODE_INPUT]
    row = db.session.execute(queries.completion_by_code(normalised)).unique().one_or_none()
    if row is None:
        return render_template("certificates/verify.html", state="unknown", completion=None,
                               holder=None, typed=code[:MAX_CODE_INPUT], form_url=form_url(),
                               missing=False), 404
    completion, _user = row
    state = "valid" if completion.valid_until > utcnow() else "expired"
    # the name stored at issue time: what the PDF says, whatever the master data says today
    return render_template("certificates/verify.html", state=state, completion=completion,
                           holder=completion.holder_short, code=rules.format_code(completion.certificate_code),
                           form_url=form_url())
