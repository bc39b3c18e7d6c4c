"""Small-group suppression for every figure the committee sees: one pure function, ``suppress``.

A table is a set of counts (cells) and the additive relations between them (a parent is the sum of its
children, a headcount the sum of its level distribution). Publishing it must not reveal a person:

1. **Primary**: a count ``0 < n < k`` (``k`` = ``LMS_MIN_GROUP_SIZE``) is shown as "< k". A count of 0 is
   shown (policy, stated in the report's methods section: a zero in a group of at least ``k`` people names
   no one). Cells that are never published (e.g. the staff directly in a department, outside its
   sub-units) are unknown to the reader like hidden ones.
2. **Secondary** (complementary): every relation with exactly one unknown cell would give it away by
   subtraction, so another cell of that relation is hidden ("–"), the smallest count first.
3. **Audit**: what the reader can still infer is computed exactly: for each primary cell, two linear
   programmes minimise and maximise it subject to every relation, every published value, every unknown
   count being ``>= 0``, and every "< k" cell lying in ``[1, k-1]`` (what the page says about it). The
   pattern is safe only when the reader learns nothing about a small count beyond what the "< k" markers
   themselves say: each interval must equal the one the reader would get if every other figure were
   withheld. Otherwise another cell of a relation around it is hidden and the audit runs again. The loop
   ends because each round hides one more cell, and hiding everything is safe by definition.

   (The markers alone can say a little: a "< 5" total of two "< 5" parts is at least 2. That is inherent
   in printing "< 5" and the same for every pattern, so it is the baseline, not a leak.)

The relations are sums over a tree or a two-way table, whose linear programmes have integral optima, so
the real-valued bounds are the bounds over whole numbers.

The same function serves screen, CSV and PDF, so the three can never disagree.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

Cell = Hashable


@dataclass(frozen=True)
class Relation:
    """``total == sum(parts)``."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Table:
    values: Mapping[Cell, int]
    relations: Sequence[Relation]
    #: cells that exist in the relations but are never shown (unknown to the reader)
    unpublished: frozenset[Cell] = field(default_factory=frozenset)
    #: cells published elsewhere (e.g. headcounts, decided once for every filter): known to the reader and
    #: never withheld here, so that no two views of the same figure differ
    fixed: frozenset[Cell] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Published:
    """The table as it may be shown: ``value(cell)`` is the count, or None when it is withheld."""

    values: Mapping[Cell, int]
    primary: frozenset[Cell]
    secondary: frozenset[Cell]
    k: int

    def value(self, cell: Cell) -> int | None:
        return None if cell in self.primary or cell in self.secondary else self.values[cell]

    def is_small(self, cell: Cell) -> bool:
        """Shown as "< k"."""
        return cell in self.primary

    def rate(self, numerator: Cell, denominator: Cell) -> float | None:
        """A share, withheld unless both figures are published and the denominator is at least k."""
        num, den = self.value(numerator), self.value(denominator)
        if num is None or den is None or den < self.k or den == 0:
            return None
        return num / den


def suppress(table: Table, k: int) -> Published:
    """Primary, complementary suppression and the audit (see the module docstring)."""
    values = dict(table.values)
    shown_cells = [c for c in values if c not in table.unpublished]
    primary = frozenset(c for c in shown_cells if 0 < values[c] < k and c not in table.fixed)
    # people counted in cells nobody sees (e.g. 2 directly in a department) are protected like "< k" ones
    sensitive = primary | frozenset(c for c in table.unpublished if 0 < values[c] < k)
    hidden: set[Cell] = set(primary)
    unknown = hidden | set(table.unpublished)
    relations = [r for r in table.relations if len(r.cells) > 1]
    by_cell: dict[Cell, list[Relation]] = {}
    for relation in relations:
        for cell in relation.cells:
            by_cell.setdefault(cell, []).append(relation)

    def hide_one_more(candidates: Iterable[Cell]) -> bool:
        options = sorted((c for c in candidates if c not in unknown and c not in table.fixed),
                         key=lambda c: (values[c], repr(c)))
        if not options:
            return False
        hidden.add(options[0])
        unknown.add(options[0])
        return True

    everything = set(values) - table.fixed
    baseline = _Baseline(values, relations, everything, primary, k)
    while True:
        _complete_relations(relations, unknown, hidden | sensitive, hide_one_more)
        leaking = first_leak(values, relations, unknown, primary, k, sensitive, baseline) if sensitive else None
        if leaking is None or unknown >= everything:
            break
        around = [c for r in by_cell.get(leaking, []) for c in r.cells]
        if not hide_one_more(around):
            # every neighbour is unknown already: widen to the neighbours' relations
            wider = [c for n in around for r in by_cell.get(n, []) for c in r.cells]
            if not hide_one_more(wider):
                hide_one_more(values)  # last resort: the smallest published cell anywhere
    return Published(values=values, primary=primary, secondary=frozenset(hidden - primary), k=k)


def _complete_relations(relations: Sequence[Relation], unknown: set[Cell], protect: set[Cell] | frozenset[Cell],
                        hide_one_more) -> None:
    """Greedy step: no relation may keep exactly one unknown cell that must stay unknown (a sensitive or a
    hidden one; an unpublished 0 or large count may be inferred, it names no one)."""
    changed = True
    while changed:
        changed = False
        for relation in relations:
            open_cells = [c for c in relation.cells if c in unknown]
            if len(open_cells) == 1 and open_cells[0] in protect and hide_one_more(relation.cells):
                changed = True


class _Baseline:
    """The bounds of a cell with every other figure withheld, computed when first needed."""

    def __init__(self, values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell],
                 primary: frozenset[Cell], k: int) -> None:
        self.args = (values, relations, unknown, primary, k)
        self.known: dict[Cell, tuple[float, float]] = {}

    def __getitem__(self, cell: Cell) -> tuple[float, float]:
        if cell not in self.known:
            self.known[cell] = bounds(*self.args, cell)
        return self.known[cell]


def _box(cell: Cell, primary: frozenset[Cell], k: int) -> tuple[float, float]:
    return (1.0, float(k - 1)) if cell in primary else (0.0, float("inf"))


def _component(values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell] | frozenset[Cell],
               cell: Cell) -> tuple[list[Relation], set[Cell], dict[Cell, float]]:
    """The relations that bear on ``cell``: first every relation with a single unknown cell fixes that
    cell (an equation, exact); then only the relations connected to ``cell`` through unknown cells remain
    (the others share no variable with it). Returns them, their unknown cells and the derived values."""
    derived: dict[Cell, float] = {}
    open_cells = set(unknown)
    changed = True
    while changed:
        changed = False
        for relation in relations:
            missing = [c for c in relation.cells if c in open_cells]
            if len(missing) == 1:
                c = missing[0]
                known = {x: derived.get(x, values[x]) for x in relation.cells if x != c}
                total = known.get(relation.total)
                derived[c] = (sum(known[p] for p in relation.parts) if c == relation.total
                              else total - sum(known[p] for p in relation.parts if p != c))  # type: ignore[operator]
                open_cells.discard(c)
                changed = True
    if cell not in open_cells:
        return [], set(), derived
    by_cell: dict[Cell, list[Relation]] = {}
    for relation in relations:
        for c in relation.cells:
            if c in open_cells:
                by_cell.setdefault(c, []).append(relation)
    seen, todo, chosen = {cell}, [cell], {}
    while todo:
        for relation in by_cell.get(todo.pop(), []):
            if id(relation) not in chosen:
                chosen[id(relation)] = relation
                for c in relation.cells:
                    if c in open_cells and c not in seen:
                        seen.add(c)
                        todo.append(c)
    return list(chosen.values()), seen, derived


def bounds(values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell] | frozenset[Cell],
           primary: frozenset[Cell], k: int, cell: Cell) -> tuple[float, float]:
    """What a reader can infer about an unknown ``cell``: its minimum and maximum (``inf`` if unbounded)
    under every relation, the published values, ``>= 0`` and ``[1, k-1]`` for "< k" cells."""
    involved, open_cells, derived = _component(values, relations, unknown, cell)
    if cell in derived:
        return derived[cell], derived[cell]
    if not involved:
        return _box(cell, primary, k)
    values = {**values, **derived}
    unknown = open_cells
    variables = sorted({c for r in involved for c in r.cells if c in unknown} | {cell}, key=repr)
    index = {c: i for i, c in enumerate(variables)}
    rows, rhs = [], []
    for relation in involved:
        row = np.zeros(len(variables))
        constant = 0.0
        for sign, c in [(1.0, relation.total), *((-1.0, p) for p in relation.parts)]:
            if c in index:
                row[index[c]] += sign
            else:
                constant += sign * values[c]
        rows.append(row)
        rhs.append(-constant)
    box = [(1, k - 1) if c in primary else (0, None) for c in variables]
    objective = np.zeros(len(variables))
    objective[index[cell]] = 1.0
    eq = {"A_eq": np.array(rows), "b_eq": np.array(rhs)} if rows else {}
    low = linprog(objective, bounds=box, method="highs", **eq)
    high = linprog(-objective, bounds=box, method="highs", **eq)
    lo = low.fun if low.status == 0 else 0.0
    hi = -high.fun if high.status == 0 else float("inf")
    return lo, hi


def first_leak(values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell],
               primary: frozenset[Cell], k: int, sensitive: frozenset[Cell],
               baseline: _Baseline | Mapping[Cell, tuple[float, float]]) -> Cell | None:
    """A sensitive cell (shown as "< k", or a small count never shown) the reader can narrow further
    than with every other figure withheld (``baseline``), or None."""
    for cell in sorted(sensitive, key=repr):
        lo, hi = bounds(values, relations, unknown, primary, k, cell)
        if (lo, hi) == _box(cell, primary, k):
            continue  # nothing learnt at all: the baseline cannot be wider
        base_lo, base_hi = baseline[cell]
        if lo > base_lo + 1e-6 or hi < base_hi - 1e-6:
            return cell
    return None
