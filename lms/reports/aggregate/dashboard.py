"""The committee's dashboard and its CSV: the figures of :mod:`figures` laid out as tables and charts.

Every number comes from :func:`figures.committee_figures` (suppressed there); this module only words and
arranges them, so the page and the CSV show the same cells. A withheld cell is "< k" (fewer than k people)
or "–" (withheld so that a small count cannot be recomputed by subtraction); both carry the footnote.
Charts draw only the shares that are shown; the table beside each chart has every row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from lms import db
from lms.charts import Chart, Table, bar_chart
from lms.competence import queries as competence_queries
from lms.reports.aggregate import queries
from lms.reports.aggregate.figures import Figures, Row, Shown

FOOTNOTE_ID = "fussnote-datenschutz"


def footnote(k: int) -> str:
    return _("Weniger als %(k)d Personen oder rückrechenbar – aus Datenschutzgründen nicht ausgewiesen.", k=k)


def cell(shown: Shown, k: int, *, html: bool = True) -> str:
    """A count as text; a withheld one with a link to the footnote on the page."""
    text = shown.text(k)
    if not html or not (shown.small or shown.withheld):
        return text
    return Markup('{}<sup><a class="kern-link" href="#{}" aria-label="{}">*</a></sup>').format(  # noqa: S704 # format() escapes
        text, FOOTNOTE_ID, _("Fußnote: aus Datenschutzgründen nicht ausgewiesen"))


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(100 * rate)} %"


@dataclass(frozen=True)
class Section:
    """One chart with its table (``chart`` None when no share in it may be shown: the table alone)."""

    id: str
    table: Table
    summary: str
    chart: Chart | None


@dataclass(frozen=True)
class Page:
    figures: Figures
    sections: tuple[Section, ...]
    #: "as of 01.12.2026", the course and the area, for the headings
    as_of_text: str


def _label(row: Row) -> str:
    if row.unit is None:
        return row.label
    return f"{row.label} ({row.unit.code})"


def _link(row: Row, drill_url: Callable[[str], str] | None) -> str:
    if drill_url is None or row.unit is None or not row.can_drill:
        return _label(row)
    return Markup('<a class="kern-link" href="{}">{}</a>').format(  # noqa: S704 # format() escapes
        drill_url(row.unit.code), _label(row))


def _rows(figures: Figures) -> list[Row]:
    return [*figures.rows, *([figures.total] if figures.total is not None else [])]


def _total_label(figures: Figures) -> str:
    assert figures.total is not None
    return _("Insgesamt: %(name)s", name=figures.total.label)


def _share_bars(rows: Sequence[Row], rate_of) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(r.label, round(100 * rate_of(r))) for r in rows if rate_of(r) is not None]


def _bar_or_none(chart_id: str, title: str, summary: str, bars: list[tuple[str, int]], table: Table) -> Chart | None:
    if not bars:
        return None
    return bar_chart(chart_id, title, summary, bars, maximum=100, value_label=lambda v: f"{v} %", table=table)


def _hidden_note(count: int) -> str:
    if not count:
        return ""
    return " " + _("%(n)d Zeilen ohne ausgewiesenen Anteil (Datenschutz) stehen nur in der Tabelle.", n=count)


def unit_table(figures: Figures, *, html: bool = True) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Headcount, course completion, levels of the area and targets per row (the CSV's main table)."""
    k = figures.k
    columns = (_("Einheit"), _("Beschäftigte"), _("mit gültigem Abschluss"), _("Anteil"),
               *(_("Stufe %(level)s %(name)s", level=lv.key, name=lv.label) for lv in figures.levels),
               _("mit Ziel im Bereich"), _("erreichen ihr Ziel"), _("Anteil am Ziel"))
    rows = []
    for row in _rows(figures):
        label = _total_label(figures) if row is figures.total else _label(row)
        rows.append((label, cell(row.head, k, html=html), cell(row.held, k, html=html), percent(row.held_rate),
                     *(cell(s, k, html=html) for s in row.levels), cell(row.with_target, k, html=html),
                     cell(row.meets, k, html=html), percent(row.meets_rate)))
    return columns, rows


def build(figures: Figures, drill_url: Callable[[str], str] | None = None) -> Page:
    """The sections of the dashboard: completion, levels, targets (per unit) and the trend. With
    ``drill_url`` (unit code -> URL), the first table links each unit that has sub-units to its drill-down."""
    k = figures.k
    as_of = format_date(figures.filters.as_of, "medium")
    if figures.empty or figures.total is None:
        return Page(figures, (), as_of)
    units = figures.rows
    course = figures.course_label
    area = figures.area_label
    sections = []

    # 1. completion of the chosen course
    table = Table(_("Gültiger Abschluss „%(course)s“ je Einheit am %(day)s", course=course, day=as_of),
                  (_("Einheit"), _("Beschäftigte"), _("mit gültigem Abschluss"), _("Anteil")),
                  tuple((_total_label(figures) if r is figures.total else _link(r, drill_url), cell(r.head, k),
                         cell(r.held, k), percent(r.held_rate)) for r in _rows(figures)))
    bars = _share_bars(units, lambda r: r.held_rate)
    total_rate = figures.total.held_rate
    summary = (_("Insgesamt haben %(share)s der Beschäftigten einen gültigen Abschluss von „%(course)s“.",
                 share=percent(total_rate), course=course) if total_rate is not None
               else _("Der Anteil insgesamt ist aus Datenschutzgründen nicht ausgewiesen."))
    summary += _hidden_note(len(units) - len(bars))
    sections.append(Section("abschluss", table, summary, _bar_or_none(
        "ausschuss-abschluss", _("Anteil mit gültigem Abschluss je Einheit"), summary, bars, table)))

    # 2. levels of the chosen area (the distribution of the whole scope as the chart)
    columns = (_("Einheit"), *(f"{lv.key} {lv.label}" for lv in figures.levels), _("Beschäftigte"))
    table = Table(_("Stufen im Bereich „%(area)s“ je Einheit (Personen)", area=area), columns,
                  tuple((_total_label(figures) if r is figures.total else _label(r),
                         *(cell(s, k) for s in r.levels), cell(r.head, k)) for r in _rows(figures)))
    head = figures.total.head.value
    bars = [(f"{lv.key} {lv.label}", round(100 * s.value / head)) for lv, s in zip(figures.levels,
                                                                                  figures.total.levels, strict=True)
            if s.value is not None and head]
    reached = [s.value for s in figures.total.levels[2:]]
    summary = (_("Im Bereich „%(area)s“ haben insgesamt %(share)s mindestens die Stufe „%(level)s“ erreicht.",
                 area=area, share=percent(sum(reached) / head),  # type: ignore[arg-type]
                 level=figures.levels[2].label)
               if len(figures.levels) > 2 and head and head >= k and None not in reached
               else _("Die Verteilung der Stufen im Bereich „%(area)s“ steht in der Tabelle.", area=area))
    if len(bars) < len(figures.levels):
        summary += " " + _("Stufen mit nicht ausgewiesener Zahl fehlen im Diagramm.")
    sections.append(Section("stufen", table, summary, _bar_or_none(
        "ausschuss-stufen", _("Verteilung der Stufen insgesamt (Anteil der Beschäftigten)"), summary, bars, table)))

    # 3. progress against targets in the area
    table = Table(_("Ziele im Bereich „%(area)s“ je Einheit", area=area),
                  (_("Einheit"), _("mit Ziel"), _("erreichen ihr Ziel"), _("Anteil")),
                  tuple((_total_label(figures) if r is figures.total else _label(r), cell(r.with_target, k),
                         cell(r.meets, k), percent(r.meets_rate)) for r in _rows(figures)))
    bars = _share_bars(units, lambda r: r.meets_rate)
    total = figures.total
    if total.with_target.value == 0:
        summary = _("Im Bereich „%(area)s“ ist kein Ziel gesetzt.", area=area)
    elif total.meets_rate is not None:
        summary = _("Von den Beschäftigten mit einem Ziel im Bereich „%(area)s“ erreichen es %(share)s.",
                    area=area, share=percent(total.meets_rate))
    else:
        summary = _("Der Anteil insgesamt ist aus Datenschutzgründen nicht ausgewiesen.")
    summary += _hidden_note(len(units) - len(bars)) if total.with_target.value != 0 else ""
    sections.append(Section("ziele", table, summary, _bar_or_none(
        "ausschuss-ziele", _("Anteil, der sein Ziel erreicht, je Einheit"), summary, bars, table)))

    # 4. monthly trend of the course completion
    table = Table(_("Entwicklung: gültiger Abschluss „%(course)s“ am Monatsende", course=course),
                  (_("Stand am"), _("Beschäftigte"), _("mit gültigem Abschluss"), _("Anteil")),
                  tuple((format_date(p.day, "medium"), cell(p.head, k), cell(p.held, k), percent(p.rate))
                        for p in figures.trend))
    bars = [(format_date(p.day, "MMM yyyy"), round(100 * p.rate)) for p in figures.trend if p.rate is not None]
    if len(figures.trend) > 1 and figures.trend[0].rate is not None and figures.trend[-1].rate is not None:
        summary = _("Der Anteil mit gültigem Abschluss lag am %(first)s bei %(a)s und am %(last)s bei %(b)s.",
                    first=format_date(figures.trend[0].day, "medium"), a=percent(figures.trend[0].rate),
                    last=format_date(figures.trend[-1].day, "medium"), b=percent(figures.trend[-1].rate))
    else:
        summary = _("Die Entwicklung je Monat steht in der Tabelle.")
    if len(bars) < len(figures.trend):
        summary += " " + _("Monate mit nicht ausgewiesenem Anteil fehlen im Diagramm.")
    sections.append(Section("verlauf", table, summary, _bar_or_none(
        "ausschuss-verlauf", _("Entwicklung des Anteils mit gültigem Abschluss"), summary, bars, table)))
    return Page(figures, tuple(sections), as_of)


def csv_lines(figures: Figures) -> tuple[list[str], Iterator[list[str]]]:
    """(header, rows) for the CSV: the filters, the unit table, the trend and the footnote (German)."""
    k = figures.k
    header = ["Ausschuss-Übersicht KI-Kompetenz", f"Stichtag {figures.filters.as_of:%d.%m.%Y}",
              f"Einheit: {figures.total.label if figures.total else '–'}",
              f"Kurs: {figures.course_label}", f"Bereich: {figures.area_label}"]

    def rows() -> Iterator[list[str]]:
        if figures.empty or figures.total is None:
            yield []
            yield [empty_text(figures)]
            return
        columns, body = unit_table(figures, html=False)
        yield []
        yield list(columns)
        yield from (list(r) for r in body)
        yield []
        yield ["Stand am", "Beschäftigte", "mit gültigem Abschluss", "Anteil"]
        for p in figures.trend:
            yield [p.day.strftime("%d.%m.%Y"), cell(p.head, k, html=False), cell(p.held, k, html=False),
                   percent(p.rate)]
        yield []
        yield [f"< {k}: Weniger als {k} Personen oder rückrechenbar – aus Datenschutzgründen nicht ausgewiesen. "
               f"„–“: nicht ausgewiesen, damit sich eine kleine Zahl nicht zurückrechnen lässt."]

    return header, rows()


def empty_text(figures: Figures) -> str:
    as_of = format_date(figures.filters.as_of, "medium")
    if figures.data_from is None:
        return _("Zum Stichtag %(day)s gibt es noch keine Daten: Bisher ist keine Schulung abgeschlossen.",
                 day=as_of)
    return _("Zum Stichtag %(day)s gibt es noch keine Daten: Die ersten Abschlüsse sind vom %(first)s. "
             "Wählen Sie einen späteren Stichtag.", day=as_of, first=format_date(figures.data_from, "medium"))


def is_set_up() -> bool:
    """The framework (areas) and at least one course exist: before that there is nothing to filter by."""
    return (db.session.scalar(competence_queries.areas().limit(1)) is not None
            and db.session.execute(queries.courses().limit(1)).first() is not None)
