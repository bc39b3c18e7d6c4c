"""The committee's progress report: a tagged PDF (PDF/UA-1) and the same tables as CSV.

Every number comes from :func:`lms.reports.aggregate.figures.committee_figures`, so the report shows what
the dashboard shows, suppressed the same way; this module only arranges it: a summary, a table per
department (each unit with sub-units, drilled into from the top), the trend over twelve months, the targets
and a methods section. The report is German (the committee's working language), like the exports.

``lms report committee --out FILE.pdf [--csv FILE.csv] [--as-of DATE]`` and the committee's download
``/ausschuss/bericht.pdf?stichtag=JJJJ-MM-TT`` both call :func:`build`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from lms import db
from lms.auth.access import roles_required
from lms.competence import queries as competence_queries
from lms.competence.models import CompetenceLevel
from lms.org.models import OrgUnit
from lms.org.services import today as berlin_today
from lms.reports.aggregate import cache
from lms.reports.aggregate import figures as fig
from lms.spreadsheet import csv_rows

bp = Blueprint("committee_report", __name__, url_prefix="/ausschuss")

ROLES = ("committee",)
TITLE = "KI-Kompetenz: Fortschrittsbericht für den Ausschuss"
STYLESHEET = Path(__file__).resolve().parents[2] / "templates" / "aggregate" / "report.css"
#: tagged PDF/UA-1: structure tree, reading order, /Lang from <html lang>, title from <title>
PDF_VARIANT = "pdf/ua-1"
CSV_HEADER = ["Abschnitt", "Zeile", "Spalte", "Wert"]


@dataclass
class Table:
    """One table of the report: its caption, column headings, rows of shown texts (first cell: row label)."""

    key: str
    caption: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    #: the index of the total row (shown in bold), if any
    total: int | None = None
    note: str = ""


@dataclass
class Report:
    as_of: date
    k: int
    org_name: str
    course: str
    data_from: date | None
    empty: bool
    summary: list[tuple[str, str]] = field(default_factory=list)
    departments: list[Table] = field(default_factory=list)
    levels: Table | None = None
    trend: Table | None = None
    targets: Table | None = None

    @property
    def title(self) -> str:
        return f"{TITLE} – Stichtag {self.as_of:%d.%m.%Y}"

    def tables(self) -> list[Table]:
        return [t for t in (*self.departments, self.levels, self.trend, self.targets) if t is not None]


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)} %"


def _shown_pair(meets: fig.Shown, of: fig.Shown, k: int) -> str:
    return f"{meets.text(k)} von {of.text(k)}"


def _target_areas() -> list[tuple[str, str]]:
    """Areas with an active target (key, name), in framework order; else none."""
    names = {a.key: a.name_de for a in db.session.scalars(competence_queries.areas())}
    keys = []
    for target, _path in db.session.execute(competence_queries.active_targets()):
        if target.area_key not in keys:
            keys.append(target.area_key)
    return [(key, names.get(key, key)) for key in names if key in keys]


def parse_as_of(text: str | None, today: date) -> date:
    """The as-of day from ``JJJJ-MM-TT`` (empty: today); raises :class:`figures.FilterError` with the
    dashboard's messages (also where no course or area exists yet: then the report is empty)."""
    text = (text or "").strip()
    if not text:
        return today
    try:
        as_of = date.fromisoformat(text)
    except ValueError:
        raise fig.FilterError(_("Unbekanntes Datum „%(value)s“: bitte im Format JJJJ-MM-TT angeben.",
                                value=text)) from None
    if as_of > today:
        raise fig.FilterError(_("Der Stichtag %(value)s liegt in der Zukunft.", value=text))
    return as_of


def build(as_of: date, k: int, *, org_name: str = "") -> Report:
    """Assemble the report for ``as_of`` from the committee's figures (every number suppressed)."""
    try:
        base = fig.parse_filters({}, as_of)  # the default area and course, on the as-of day
    except fig.FilterError:  # no course or competence area imported yet: nothing to report
        return Report(as_of=as_of, k=k, org_name=org_name, course="", data_from=None, empty=True)
    targets = _target_areas()
    area = targets[0][0] if targets else base.area
    first = fig.committee_figures(fig.Filters(as_of, area, base.course), k, trend_months=fig.TREND_MONTHS)
    report = Report(as_of=as_of, k=k, org_name=org_name, course=first.course_label, data_from=first.data_from,
                    empty=first.empty)
    if first.empty:
        return report
    per_area = {area: first}
    for key, _name in targets[1:]:
        per_area[key] = fig.committee_figures(fig.Filters(as_of, key, base.course), k, trend_months=1)
    total = first.total
    assert total is not None
    report.summary = [
        ("Beschäftigte am Stichtag", total.head.text(k)),
        (f"mit gültigem Abschluss „{first.course_label}“", f"{total.held.text(k)} ({percent(total.held_rate)})"),
    ]
    if first.trend and len(first.trend) > 1:
        start = first.trend[0]
        report.summary.append((f"Anteil am {start.day:%d.%m.%Y} (Vergleich)", percent(start.rate)))
    for key, name in targets:
        row = per_area[key].total
        assert row is not None
        report.summary.append((f"Zielvorgabe „{name}“ erreicht",
                               f"{_shown_pair(row.meets, row.with_target, k)} ({percent(row.meets_rate)})"))
    report.departments = _departments(as_of, base.course, targets, area, k)
    report.levels = _levels(as_of, base.course, k, first)
    report.trend = _trend(first, k)
    report.targets = _targets_table(per_area, targets, k)
    return report


def _departments(as_of: date, course: str, targets: list[tuple[str, str]], area: str, k: int) -> list[Table]:
    """One table per unit with sub-units, from the top down: its sub-units, its own staff and its total."""
    parents = set(db.session.scalars(select(OrgUnit.parent_id).where(OrgUnit.parent_id.is_not(None),
                                                                      OrgUnit.is_active.is_(True))))
    scopes: list[fig.UnitInfo | None] = [None]
    for row in db.session.execute(fig.queries.units()):
        unit = fig.UnitInfo(*row)
        if unit.id in parents and unit.is_active and unit.parent_id is not None:
            scopes.append(unit)
    areas = [key for key, _name in targets] or [area]
    names = dict(targets)
    tables = []
    for scope in scopes:
        results = [fig.committee_figures(fig.Filters(as_of, key, course, scope), k, trend_months=1) for key in areas]
        main = results[0]
        header = ["Einheit", "Beschäftigte", f"Abschluss „{main.course_label}“", "Anteil"]
        for key in areas if targets else []:
            header += [f"Ziel „{names[key]}“ erreicht", "Anteil"]
        table = Table(f"einheit-{scope.code if scope else 'gesamt'}",
                      (f"{scope.code} {scope.name}" if scope else
                       (main.total.label if main.total else "Gesamte Verwaltung")), header)
        rows = [*main.rows, *([main.total] if main.total else [])]
        for i, row in enumerate(rows):
            cells = [row.label if row.unit is None else f"{row.unit.code} {row.unit.name}",
                     row.head.text(k), row.held.text(k), percent(row.held_rate)]
            for result in results if targets else []:
                other = [*result.rows, *([result.total] if result.total else [])][i]
                cells += [_shown_pair(other.meets, other.with_target, k), percent(other.meets_rate)]
            table.rows.append(cells)
        table.total = len(rows) - 1 if main.total else None
        tables.append(table)
    return tables


def _levels(as_of: date, course: str, k: int, first: fig.Figures) -> Table:
    levels = [lv.name_de for lv in db.session.scalars(select(CompetenceLevel).order_by(CompetenceLevel.level))]
    header = ["Kompetenzbereich", "noch keine Stufe", *levels]
    table = Table("stufen", "Kompetenzstufen in der gesamten Verwaltung", header,
                  note="Je Person zählt die höchste Stufe aus gültigen Abschlüssen.")
    for option in first.areas:
        result = fig.committee_figures(fig.Filters(as_of, option.key, course), k, trend_months=1)
        if result.total is not None:
            table.rows.append([option.label, *(s.text(k) for s in result.total.levels)])
    return table


def _trend(first: fig.Figures, k: int) -> Table:
    table = Table("entwicklung", f"Entwicklung: gültige Abschlüsse „{first.course_label}“ zum Monatsende",
                  ["Tag", "Beschäftigte", "mit gültigem Abschluss", "Anteil"])
    for point in first.trend:
        table.rows.append([f"{point.day:%d.%m.%Y}", point.head.text(k), point.held.text(k), percent(point.rate)])
    return table


def _targets_table(per_area: dict[str, fig.Figures], targets: list[tuple[str, str]], k: int) -> Table:
    levels = {lv.level: lv.name_de for lv in db.session.scalars(select(CompetenceLevel))}
    names = dict(targets)
    table = Table("ziele", "Zielvorgaben", ["Kompetenzbereich", "Stufe", "gilt für"],
                  note="Erreicht ist eine Zielvorgabe, wenn die Person im Bereich mindestens die Stufe hält; "
                       "gelten für eine Person mehrere, zählt die höchste.")
    for target, _path in db.session.execute(competence_queries.active_targets()):
        unit = db.session.get(OrgUnit, target.org_unit_id) if target.org_unit_id else None
        scope = f"{unit.code} {unit.name} (mit Untereinheiten)" if unit else "alle Beschäftigten"
        if target.position_pattern:
            scope += f", Funktion „{target.position_pattern}“"
        table.rows.append([names.get(target.area_key, target.area_key),
                           f"{target.level} {levels.get(target.level, '')}".strip(), scope])
    if not table.rows:
        table.note = "Es sind keine Zielvorgaben festgelegt."
    return table


# --- output --------------------------------------------------------------------------------------------


def report_html(report: Report) -> str:
    with force_locale("de"):
        return render_template("aggregate/report.html", report=report, empty_text=empty_text(report))


class _NoFetch(Exception):
    pass


def _refuse(url: str, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
    raise _NoFetch(f"the report fetches nothing ({url})")


def render_pdf(report: Report) -> bytes:
    """The report as a tagged PDF/UA-1 document (German, with title metadata)."""
    from weasyprint import CSS, HTML  # imported on first use: it is slow to import

    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=_refuse)
    return HTML(string=report_html(report), url_fetcher=_refuse).write_pdf(
        stylesheets=[stylesheet], pdf_variant=PDF_VARIANT)


def csv_lines(report: Report) -> Iterator[str]:
    """Every table of the report in one long CSV (section; row; column; value), the texts as printed."""

    def rows() -> Iterator[list[str]]:
        yield ["Stichtag", "", "", f"{report.as_of:%d.%m.%Y}"]
        yield ["Mindestgruppengröße", "", "", str(report.k)]
        if report.empty:
            yield ["Hinweis", "", "", empty_text(report)]
        for label, value in report.summary:
            yield ["Zusammenfassung", label, "", value]
        for table in report.tables():
            for row in table.rows:
                for column, value in zip(table.header[1:], row[1:], strict=True):
                    yield [table.caption, row[0], column, value]

    return csv_rows(CSV_HEADER, rows())


def empty_text(report: Report) -> str:
    if report.data_from is None:
        return ("Es liegen noch keine Daten vor: bisher hat niemand eine Schulung abgeschlossen. Der Bericht "
                "zeigt Zahlen, sobald der erste Abschluss erfasst ist.")
    return (f"Für den Stichtag {report.as_of:%d.%m.%Y} liegen noch keine Daten vor: der erste Abschluss wurde "
            f"am {report.data_from:%d.%m.%Y} erfasst. Bitte einen späteren Stichtag wählen.")


def filename(as_of: date, suffix: str) -> str:
    return f"ki-kompetenz-bericht-{as_of.isoformat()}.{suffix}"


# --- the committee's download --------------------------------------------------------------------------


@bp.get("/bericht.pdf")
@roles_required(*ROLES)
def pdf() -> Response:
    try:
        as_of = parse_as_of(request.args.get("stichtag"), berlin_today())
    except fig.FilterError as exc:
        raise BadRequest(str(exc)) from None
    k, org_name = current_app.config["LMS_MIN_GROUP_SIZE"], current_app.config["LMS_ORG_NAME"]
    body = cache.cached(_PDFS, ("pdf", as_of, k, org_name), lambda: _german_pdf(as_of, k, org_name))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename(as_of, "pdf")}"',
        "Cache-Control": "no-store"})


def _german_pdf(as_of: date, k: int, org_name: str) -> bytes:
    """The report is German whatever the language of the page it is downloaded from."""
    with force_locale("de"):
        return render_pdf(build(as_of, k, org_name=org_name))


#: rendered reports (a few hundred KB each) while nothing they show has changed (``cache``)
_PDFS = cache.Memo(8)

