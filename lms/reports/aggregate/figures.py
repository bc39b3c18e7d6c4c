"""The committee's figures: per-unit counts from the competence summaries, passed through suppression.

One function, :func:`committee_figures`, serves the dashboard, its CSV and the PDF report, so the three
cannot disagree. It reads each unit's own counts on the as-of day (``competence.queries.unit_counts``:
one checkpoint plus at most a month of changes), sums them over the org-unit tree, and builds suppression
tables (``suppression.suppress``) over the **whole tree**, so that a figure is withheld the same way on
every drill-down level:

1. headcounts first, one table for the tree (parent = staff directly in it + its sub-units); what it
   withholds is withheld for every filter, and what it publishes is a fixed, known figure for the others;
2. then, for the chosen course, area and the targets in that area, one table each, with the headcounts as
   fixed figures and the complements (people without the course, below the target, without a target) as
   unpublished cells, so that "everyone but two" is protected like "two".

Figures are counts of people; rates are withheld when a count is withheld or the group is below ``k``.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from threading import Lock
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from lms import db
from lms.competence import queries as competence_queries
from lms.competence.summaries import AREA, COURSE, HEAD, TARGET
from lms.reports.aggregate import cache, queries
from lms.reports.aggregate.suppression import Published, Relation, Table, suppress

ROOT = 0
SUB, OWN = "sub", "own"
TREND_MONTHS = 12


class FilterError(ValueError):
    """A filter value that names nothing (shown to the user as a 400 with this message)."""


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    parent_id: int | None
    path: str
    depth: int
    is_active: bool


@dataclass(frozen=True)
class Filters:
    as_of: date
    area: str
    course: str
    #: the unit drilled into (None: the whole organisation, rows are the departments)
    unit: UnitInfo | None = None


@dataclass(frozen=True)
class Shown:
    """A figure as it may be shown: ``value`` (None when withheld), ``small`` ("< k") or withheld ("–")."""

    value: int | None
    small: bool = False

    @property
    def withheld(self) -> bool:
        return self.value is None and not self.small

    def text(self, k: int) -> str:
        if self.small:
            return f"< {k}"
        if self.value is None:
            return "–"
        # five digits and more grouped as the language writes them (62.764 / 62,764), as DIN 5008 does
        return format_decimal(self.value) if self.value >= 10_000 else str(self.value)


@dataclass(frozen=True)
class Row:
    label: str
    #: the unit (None for the staff directly in the unit drilled into)
    unit: UnitInfo | None
    can_drill: bool
    head: Shown
    held: Shown
    held_rate: float | None
    #: levels 0..max of the chosen area
    levels: tuple[Shown, ...]
    with_target: Shown
    meets: Shown
    meets_rate: float | None


@dataclass(frozen=True)
class TrendPoint:
    day: date
    head: Shown
    held: Shown
    rate: float | None


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass
class Figures:
    filters: Filters
    k: int
    areas: list[Option]
    courses: list[Option]
    levels: list[Option]
    #: the first day with a completion (None: no completion at all)
    data_from: date | None
    #: True when the as-of day is before the first data: nothing to show, with an explanation
    empty: bool = False
    breadcrumbs: list[UnitInfo] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def area_label(self) -> str:
        return next((a.label for a in self.areas if a.key == self.filters.area), self.filters.area)

    @property
    def course_label(self) -> str:
        return next((c.label for c in self.courses if c.key == self.filters.course), self.filters.course)

    @property
    def any_withheld(self) -> bool:
        rows = [*self.rows, *([self.total] if self.total else [])]
        cells = [c for r in rows for c in (r.head, r.held, *r.levels, r.with_target, r.meets)]
        cells += [c for p in self.trend for c in (p.head, p.held)]
        return any(c.small or c.withheld for c in cells)


# --- filters -------------------------------------------------------------------------------------------


def parse_filters(args: Mapping[str, str], today: date, *, lang: str = "de") -> Filters:
    """The filters from request arguments (``stichtag``, ``bereich``, ``kurs``, ``einheit``); raises
    :class:`FilterError` with a message that names the bad value."""
    text = (args.get("stichtag") or "").strip()
    if text:
        try:
            as_of = date.fromisoformat(text)
        except ValueError:
            raise FilterError(_("Unbekanntes Datum „%(value)s“: bitte im Format JJJJ-MM-TT angeben.",
                                value=text)) from None
        if as_of > today:
            raise FilterError(_("Der Stichtag %(value)s liegt in der Zukunft.", value=text))
    else:
        as_of = today
    areas = [a.key for a in db.session.scalars(competence_queries.areas())]
    area = (args.get("bereich") or "").strip() or (areas[0] if areas else "")
    if area not in areas:
        raise FilterError(_("Unbekannter Kompetenzbereich „%(value)s“.", value=area))
    courses = [slug for slug, _title in db.session.execute(queries.courses(lang))]
    course = (args.get("kurs") or "").strip() or (db.session.scalar(queries.basics_course()) or
                                                  (courses[0] if courses else ""))
    if course not in courses:
        raise FilterError(_("Unbekannter Kurs „%(value)s“.", value=course))
    code = (args.get("einheit") or "").strip()
    unit = None
    if code:
        row = db.session.execute(queries.unit_by_code(code)).first()
        if row is None:
            raise FilterError(_("Unbekannte Organisationseinheit „%(value)s“.", value=code))
        unit = UnitInfo(*row)
    return Filters(as_of=as_of, area=area, course=course, unit=unit)


# --- counts --------------------------------------------------------------------------------------------


@dataclass
class _Tree:
    units: dict[int, UnitInfo]
    children: dict[int, list[int]]  # ROOT -> top-level units

    def subtree_sum(self, own: Mapping[int, int]) -> dict[int, int]:
        total: dict[int, int] = {}

        def walk(unit_id: int) -> int:
            value = own.get(unit_id, 0) + sum(walk(c) for c in self.children.get(unit_id, []))
            total[unit_id] = value
            return value

        walk(ROOT)
        return total

    def relations(self, tag: tuple[Any, ...]) -> list[Relation]:
        """sub(u) = own(u) + sum(sub(children)); the root has no staff of its own."""
        result = [Relation((tag, ROOT, SUB), tuple((tag, c, SUB) for c in self.children.get(ROOT, [])))]
        for unit_id in self.units:
            parts = [(tag, unit_id, OWN), *((tag, c, SUB) for c in self.children.get(unit_id, []))]
            result.append(Relation((tag, unit_id, SUB), tuple(parts)))
        return result

    def cells(self, tag: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return [(tag, ROOT, SUB), *((tag, u, part) for u in self.units for part in (SUB, OWN))]

    def unpublished(self, tag: tuple[Any, ...]) -> set[tuple[Any, ...]]:
        """Cells never shown: the own staff of a unit without sub-units (it equals the unit), and every
        cell of an inactive unit (its history is part of its parent's figures)."""
        hidden = {(tag, u, OWN) for u in self.units if not self.children.get(u)}
        hidden |= {(tag, u, part) for u, info in self.units.items() if not info.is_active for part in (SUB, OWN)}
        return hidden


def _tree() -> _Tree:
    units = {row[0]: UnitInfo(*row) for row in db.session.execute(queries.units())}
    children: dict[int, list[int]] = defaultdict(list)
    for unit in sorted(units.values(), key=lambda u: (u.name.casefold(), u.code)):
        parent = unit.parent_id if unit.parent_id in units else None
        children[ROOT if parent is None else parent].append(unit.id)
    return _Tree(units, dict(children))


def _own_counts(day: date) -> dict[tuple[str, str, int], dict[int, int]]:
    """(measure, key, level) -> unit id -> own count at the end of ``day``."""
    checkpoint = db.session.scalar(competence_queries.last_checkpoint(day))
    counts: dict[tuple[str, str, int], dict[int, int]] = defaultdict(dict)
    for unit_id, measure, key, level, count in db.session.execute(competence_queries.unit_counts(day, checkpoint)):
        counts[(measure, key, level)][unit_id] = int(count)
    return counts


def _checkpoint_counts(months: list[date], course: str) -> dict[date, dict[tuple[str, str, int], dict[int, int]]]:
    """Like :func:`_own_counts` for several month starts at once, from the checkpoints (one query)."""
    result: dict[date, dict[tuple[str, str, int], dict[int, int]]] = {}
    if not months:
        return result
    for month, unit_id, measure, key, level, count in db.session.execute(
            competence_queries.checkpoint_counts(months, course)):
        result.setdefault(month, defaultdict(dict))[(measure, key, level)][unit_id] = int(count)
    return result


def _values(tree: _Tree, tag: tuple[Any, ...], own: Mapping[int, int]) -> dict[tuple[Any, ...], int]:
    sub = tree.subtree_sum(own)
    values = {(tag, ROOT, SUB): sub[ROOT]}
    for unit_id in tree.units:
        values[(tag, unit_id, SUB)] = sub[unit_id]
        values[(tag, unit_id, OWN)] = own.get(unit_id, 0)
    return values


def _minus(a: Mapping[int, int], b: Mapping[int, int]) -> dict[int, int]:
    return {u: a.get(u, 0) - b.get(u, 0) for u in set(a) | set(b)}


@dataclass
class _Suppressed:
    """The published form of every cell of the tables of one day."""

    k: int
    parts: list[Published] = field(default_factory=list)

    def shown(self, cell: tuple[Any, ...]) -> Shown:
        for part in self.parts:
            if cell in part.values:
                if part.is_small(cell):
                    return Shown(None, small=True)
                return Shown(part.value(cell))
        raise KeyError(cell)

    def rate(self, numerator: tuple[Any, ...], denominator: tuple[Any, ...]) -> float | None:
        num, den = self.shown(numerator).value, self.shown(denominator).value
        if num is None or den is None or den < self.k or den == 0:
            return None
        return num / den


#: suppress() is pure, so its result for the same input can be reused: the summaries change a few tables
#: at a time (a completion changes its course's and its areas' figures of today), and past months rarely
#: change at all. The cache holds results, not state: losing it changes nothing but speed.
_CACHE: OrderedDict[tuple[Any, ...], Published] = OrderedDict()
_CACHE_SIZE = 512
_CACHE_LOCK = Lock()


def suppressed_table(table: Table, k: int) -> Published:
    """``suppress(table, k)``, memoised on the table's complete content."""
    key = (k, tuple(sorted(table.values.items(), key=repr)), tuple(table.relations),
           table.unpublished, table.fixed, table.marked)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    result = suppress(table, k)
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _suppressed(tree: _Tree, counts: Mapping[tuple[str, str, int], Mapping[int, int]], *, course: str,
                area: str | None, max_level: int, k: int, target_paths: Sequence[str | None] = ()) -> _Suppressed:
    """``target_paths``: the units of the area's active targets (None: a target for everyone)."""
    head_own = counts.get((HEAD, "", 0), {})
    head_tag = ("head",)
    head_values = _values(tree, head_tag, head_own)
    head_unpublished = tree.unpublished(head_tag)
    heads = suppressed_table(Table(head_values, tree.relations(head_tag), frozenset(head_unpublished)), k)
    result = _Suppressed(k, [heads])
    # the headcounts as the other tables see them: published ones fixed, withheld ones unknown
    fixed = frozenset(c for c in head_values if c not in head_unpublished and heads.value(c) is not None)
    unknown_heads = frozenset(c for c in head_values if c not in fixed)
    small_heads = frozenset(c for c in head_values if c not in head_unpublished and heads.is_small(c))

    def table(groups: list[tuple[tuple[Any, ...], dict[int, int], bool]],
              splits: list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]],
              known: frozenset[tuple[Any, ...]] = frozenset()) -> Published:
        """groups: (tag, own counts, published?); splits: total tag = sum of part tags, per cell;
        known: cells every reader knows anyway (never withheld)."""
        values = dict(head_values)
        relations: list[Relation] = []
        unpublished = set(unknown_heads)
        for tag, own, published in groups:
            values.update(_values(tree, tag, own))
            relations += tree.relations(tag)
            unpublished |= tree.unpublished(tag) if published else set(tree.cells(tag))
        for total_tag, part_tags in splits:
            for cell in tree.cells(total_tag):
                _tag, unit_id, part = cell
                relations.append(Relation(cell, tuple((t, unit_id, part) for t in part_tags)))
        return suppressed_table(Table(values, relations, frozenset(unpublished) - known, fixed | known, small_heads),
                                k)

    held = dict(counts.get((COURSE, course, 1), {}))
    result.parts.append(table([(("held",), held, True), (("not_held",), _minus(head_own, held), False)],
                              [(head_tag, [("held",), ("not_held",)])]))
    if area is not None:
        levels = {lv: dict(counts.get((AREA, area, lv), {})) for lv in range(1, max_level + 1)}
        level0 = head_own
        for own in levels.values():
            level0 = _minus(level0, own)
        groups = [(("level", 0), level0, True), *((("level", lv), own, True) for lv, own in levels.items())]
        result.parts.append(table(groups, [(head_tag, [("level", lv) for lv in range(max_level + 1)])]))
        with_target = dict(counts.get((TARGET, area, 0), {}))
        meets = dict(counts.get((TARGET, area, 1), {}))
        if not any(with_target.values()):
            # nobody has a target in this area: every cell is 0, names no one and lets the reader work out
            # nothing but "without a target = headcount", which the headcount table says already
            zeros = {**_values(tree, ("with",), {}), **_values(tree, ("meets",), {})}
            result.parts.append(Published(values=zeros, primary=frozenset(), secondary=frozenset(), k=k))
        else:
            result.parts.append(table(
                [(("with",), with_target, True), (("without",), _minus(head_own, with_target), False),
                 (("meets",), meets, True), (("below",), _minus(with_target, meets), False)],
                [(head_tag, [("with",), ("without",)]), (("with",), [("meets",), ("below",)])],
                known=_outside_targets(tree, target_paths, with_target)))
    return result


def _outside_targets(tree: _Tree, paths: Sequence[str | None],
                     with_target: Mapping[int, int]) -> frozenset[tuple[Any, ...]]:
    """The target cells of units no target of the area (``paths``: their units) reaches: zero for every
    reader of the published list of targets (a target names its unit), so they need no protection and
    protect nothing. A unit whose count is not 0 after all (a target ended since) is left to the audit."""
    if any(path is None for path in paths):
        return frozenset()  # a target for everyone
    sub = tree.subtree_sum(with_target)
    known = set()
    for unit_id, unit in tree.units.items():
        inside = [p for p in paths if unit.path.startswith(p)]
        below = [p for p in paths if p.startswith(unit.path)]
        for part, reached, value in ((OWN, inside, with_target.get(unit_id, 0)),
                                     (SUB, inside or below, sub[unit_id])):
            if not reached and value == 0:
                known |= {(("with",), unit_id, part), (("meets",), unit_id, part), (("below",), unit_id, part)}
    return frozenset(known)


def _row(label: str, unit: UnitInfo | None, cell: tuple[int, str], published: _Suppressed, max_level: int,
         can_drill: bool) -> Row:
    unit_id, part = cell
    return Row(
        label=label, unit=unit, can_drill=can_drill,
        head=published.shown((("head",), unit_id, part)),
        held=published.shown((("held",), unit_id, part)),
        held_rate=published.rate((("held",), unit_id, part), (("head",), unit_id, part)),
        levels=tuple(published.shown((("level", lv), unit_id, part)) for lv in range(max_level + 1)),
        with_target=published.shown((("with",), unit_id, part)),
        meets=published.shown((("meets",), unit_id, part)),
        meets_rate=published.rate((("meets",), unit_id, part), (("with",), unit_id, part)),
    )


def _month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of the ``months - 1`` months before the as-of month, then the as-of day."""
    days = [as_of]
    first = as_of.replace(day=1)
    for _i in range(months - 1):
        last = first - timedelta(days=1)
        days.append(last)
        first = last.replace(day=1)
    return sorted(days)


_FIGURES = cache.Memo(256)


def committee_figures(filters: Filters, k: int, *, lang: str = "de",
                      trend_months: int = TREND_MONTHS) -> Figures:
    """Everything the committee sees for these filters, every figure suppressed; served from the cache
    while nothing it is computed from has changed (``cache``). The result is shared: read it only."""
    return cache.cached(_FIGURES, ("figures", filters, k, lang, trend_months),
                        lambda: _committee_figures(filters, k, lang=lang, trend_months=trend_months))


def _committee_figures(filters: Filters, k: int, *, lang: str, trend_months: int) -> Figures:
    areas = [Option(a.key, a.name_en if lang == "en" else a.name_de)
             for a in db.session.scalars(competence_queries.areas())]
    levels = [Option(str(lv.level), lv.name_en if lang == "en" else lv.name_de)
              for lv in db.session.scalars(competence_queries.levels())]
    levels.insert(0, Option("0", _("noch keine Stufe")))
    courses = [Option(slug, title) for slug, title in db.session.execute(queries.courses(lang))]
    data_from = db.session.scalar(queries.first_completion_day())
    figures = Figures(filters=filters, k=k, areas=areas, courses=courses, levels=levels, data_from=data_from)
    if data_from is None or filters.as_of < data_from:
        figures.empty = True
        return figures
    tree = _tree()
    max_level = len(levels) - 1
    target_paths = [path for target, path in db.session.execute(competence_queries.active_targets())
                    if target.area_key == filters.area]
    published = _suppressed(tree, _own_counts(filters.as_of), course=filters.course, area=filters.area,
                            max_level=max_level, k=k, target_paths=target_paths)
    scope = filters.unit.id if filters.unit is not None else ROOT
    if scope == ROOT and len(tree.children.get(ROOT, [])) == 1:
        scope = tree.children[ROOT][0]  # one unit at the top is the administration itself
    if filters.unit is not None:
        figures.breadcrumbs = _ancestors(tree, filters.unit)
    for child in tree.children.get(scope, []):
        unit = tree.units[child]
        if unit.is_active:
            figures.rows.append(_row(unit.name, unit, (child, SUB), published, max_level,
                                     bool(tree.children.get(child))))
    if scope != ROOT and tree.children.get(scope):
        figures.rows.append(_row(_("direkt zugeordnet"), None, (scope, OWN), published, max_level, False))
    scope_unit = tree.units.get(scope)
    scope_label = scope_unit.name if scope_unit is not None else _("Gesamte Verwaltung")
    figures.total = _row(scope_label, scope_unit, (scope, SUB), published, max_level, False)
    days = [d for d in _month_ends(filters.as_of, trend_months) if d >= data_from.replace(day=1) - timedelta(days=1)]
    at_month_start = _checkpoint_counts([d + timedelta(days=1) for d in days if d != filters.as_of], filters.course)
    for day in days:
        counts = at_month_start.get(day + timedelta(days=1))
        if day != filters.as_of and counts is None:  # no checkpoint yet (before the daily run)
            counts = _own_counts(day)
        month = published if day == filters.as_of else _suppressed(
            tree, counts, course=filters.course, area=None, max_level=max_level, k=k)
        figures.trend.append(TrendPoint(day, month.shown((("head",), scope, SUB)),
                                        month.shown((("held",), scope, SUB)),
                                        month.rate((("held",), scope, SUB), (("head",), scope, SUB))))
    return figures


def _ancestors(tree: _Tree, unit: UnitInfo) -> list[UnitInfo]:
    chain = []
    current = tree.units.get(unit.parent_id) if unit.parent_id is not None else None
    while current is not None:
        chain.append(current)
        current = tree.units.get(current.parent_id) if current.parent_id is not None else None
    return list(reversed(chain))


def all_areas(filters: Filters, k: int, *, lang: str = "de") -> Iterable[tuple[Option, Figures]]:
    """The figures for every area in turn (the PDF report shows each)."""
    for area in committee_figures(filters, k, lang=lang, trend_months=1).areas:
        yield area, committee_figures(Filters(filters.as_of, area.key, filters.course, filters.unit), k,
                                      lang=lang, trend_months=1)
