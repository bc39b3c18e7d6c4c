"""The annexes of the Dienstvereinbarung for the staff council and the administration: a page per
annex (printable) and each as PDF. No personal data: the annexes describe the software, not people."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import force_locale

from lms.auth.access import roles_required
from lms.dv import annexes, pdf
from lms.main.privacy import Notice

bp = Blueprint("dv", __name__, url_prefix="/dienstvereinbarung")


def _annex(number: int) -> Notice:
    if number not in annexes.ANNEXES:
        abort(404)
    with force_locale("de"):  # part of a German legal text
        return annexes.build(number, current_app.config, annexes.url_rules(current_app.url_map))


@bp.route("")
@roles_required("personalrat")
def index():
    return render_template("dv/index.html", annexes=annexes.ANNEXES, digest=annexes.catalogue_hash(),
                           short=annexes.short_hash())


@bp.route("/anlage-<int:number>")
@roles_required("personalrat")
def annex(number: int):
    notice = _annex(number)
    return render_template("dv/annex.html", notice=notice, number=number, short=annexes.short_hash())


@bp.route("/anlage-<int:number>.pdf")
@roles_required("personalrat")
def annex_pdf(number: int):
    notice = _annex(number)
    with force_locale("de"):
        document = pdf.render_pdf(pdf.document_html(notice, annexes.catalogue_hash()))
    filename = f"{annexes.ANNEXES[number][1]}-{annexes.short_hash()}.pdf"
    return current_app.response_class(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})
