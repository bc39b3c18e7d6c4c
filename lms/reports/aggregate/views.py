"""The council committee's dashboard: aggregate competence figures per unit, never a name.

Thin: parse the filters, ask :mod:`figures` (which applies suppression), lay out with :mod:`dashboard`.
The committee and admins see it; no page here reads a person (``figures`` reads per-unit summaries only).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale, get_locale
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from lms.auth.access import roles_required
from lms.learning.summaries import today
from lms.reports.aggregate import cache, figures
from lms.reports.aggregate import dashboard as layout
from lms.spreadsheet import csv_rows

bp = Blueprint("committee", __name__, url_prefix="/ausschuss")

ROLES = ("committee",)


class FilterError(BadRequest):
    """An unknown or malformed filter value: 400 with the message of :class:`figures.FilterError`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = message


def _figures(lang: str) -> figures.Figures:
    """The figures for the request's filters (cached in ``figures``)."""
    try:
        filters = figures.parse_filters(request.args, today(), lang=lang)
    except figures.FilterError as exc:
        raise FilterError(str(exc)) from None
    return figures.committee_figures(filters, current_app.config["LMS_MIN_GROUP_SIZE"], lang=lang)


#: the filters of the dashboard's URL, in the cache key as given (the page links carry them on)
_ARGS = ("stichtag", "bereich", "kurs", "einheit")
_PAGES = cache.Memo(128)


@bp.route("")
@roles_required(*ROLES)
def dashboard():
    lang = str(get_locale())
    k = current_app.config["LMS_MIN_GROUP_SIZE"]
    key = ("dashboard", lang, k, today(), tuple(request.args.get(name) for name in _ARGS))
    body = cache.cached(_PAGES, key, lambda: _dashboard_body(lang, k))
    if body is None:
        return render_template("committee/not_ready.html")
    return render_template("committee/dashboard.html", body=body)


def _dashboard_body(lang: str, k: int) -> Markup | None:
    """The page's content (None before the framework and a course exist); raises :class:`FilterError`."""
    if not layout.is_set_up():
        return None
    result = _figures(lang)
    keep = {"stichtag": request.args.get("stichtag") or None, "bereich": result.filters.area,
            "kurs": result.filters.course}
    page = layout.build(result, lambda code: url_for("committee.dashboard", einheit=code, **keep))
    return Markup(render_template(  # noqa: S704  # nosec B704 # a rendered, autoescaped template
        "committee/_dashboard_body.html", page=page, figures=page.figures, today=today(),
        empty_text=layout.empty_text(page.figures) if page.figures.empty else "",
        footnote=layout.footnote(page.figures.k), footnote_id=layout.FOOTNOTE_ID))


@bp.route("/uebersicht.csv")
@roles_required(*ROLES)
def export():
    """The dashboard's tables as CSV (German, like every export), the same suppressed cells."""
    if not layout.is_set_up():
        abort(404)
    with force_locale("de"):
        result = _figures("de")
        header, rows = layout.csv_lines(result)
        rows = list(rows)
    stamp = result.filters.as_of.isoformat()
    unit = f"-{result.filters.unit.code}" if result.filters.unit is not None else ""
    safe_unit = "".join(c if c.isalnum() or c in "-_" else "_" for c in unit)
    headers = {"Content-Disposition": f'attachment; filename="ausschuss-uebersicht-{stamp}{safe_unit}.csv"',
               "Cache-Control": "private, no-store"}
    body = (line.encode("utf-8") for line in csv_rows(header, rows))
    return Response(stream_with_context(body), mimetype="text/csv", headers=headers)
