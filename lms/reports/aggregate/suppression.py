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
    solved: dict[tuple[Cell, frozenset[Cell]], tuple[float, float]] = {}
    baseline = _Baseline(values, relations, everything, primary, k, solved)
    while True:
        _complete_relations(relations, unknown, hidden | sensitive, hide_one_more)
        leaking = first_leak(values, relations, unknown, primary, k, sensitive, baseline, solved) if sensitive else None
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


class _Analysis:
    """What the reader knows for one set of unknown cells: every relation with a single unknown cell fixes
    that cell (an equation: exact), and the remaining unknown cells fall into connected parts (cells linked
    through relations). A cell's bounds depend only on its own part, so one linear programme per cell and
    part is enough, and a part that did not change between rounds is not solved again (``solved``: the
    true values are the same throughout one call of ``suppress``)."""

    def __init__(self, values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell] | frozenset[Cell],
                 primary: frozenset[Cell], k: int, solved: dict[tuple[Cell, frozenset[Cell]], tuple[float, float]]):
        self.values, self.primary, self.k, self.solved = values, primary, k, solved
        open_cells = set(unknown)
        self.derived: set[Cell] = set()
        pending = [r for r in relations if any(c in open_cells for c in r.cells)]
        changed = True
        while changed:
            changed = False
            still = []
            for relation in pending:
                missing = [c for c in relation.cells if c in open_cells]
                if len(missing) == 1:
                    open_cells.discard(missing[0])
                    self.derived.add(missing[0])
                    changed = True
                elif missing:
                    still.append(relation)
            pending = still
        self.open = open_cells
        parent: dict[Cell, Cell] = {c: c for c in open_cells}

        def find(c: Cell) -> Cell:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        for relation in pending:
            cells = [c for c in relation.cells if c in open_cells]
            for c in cells[1:]:
                a, b = find(cells[0]), find(c)
                if a != b:
                    parent[a] = b
        self.part: dict[Cell, frozenset[Cell]] = {}
        members: dict[Cell, set[Cell]] = {}
        for c in open_cells:
            members.setdefault(find(c), set()).add(c)
        for group in members.values():
            frozen = frozenset(group)
            for c in group:
                self.part[c] = frozen
        self.relations_of: dict[frozenset[Cell], list[Relation]] = {}
        for relation in pending:
            first = next(c for c in relation.cells if c in open_cells)
            self.relations_of.setdefault(self.part[first], []).append(relation)

    def bounds(self, cell: Cell) -> tuple[float, float]:
        if cell in self.derived:
            value = float(self.values[cell])
            return value, value
        if cell not in self.open:
            return _box(cell, self.primary, self.k)
        part = self.part[cell]
        key = (cell, part)
        if key not in self.solved:
            relations = self.relations_of.get(part, [])
            self.solved[key] = (_solve(self.values, relations, part, self.primary, self.k, cell) if relations
                                else _box(cell, self.primary, self.k))
        return self.solved[key]


class _Baseline:
    """The bounds of a cell with every other figure withheld, computed when first needed."""

    def __init__(self, values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell],
                 primary: frozenset[Cell], k: int,
                 solved: dict[tuple[Cell, frozenset[Cell]], tuple[float, float]]) -> None:
        self.args = (values, relations, unknown, primary, k, solved)
        self.analysis: _Analysis | None = None

    def __getitem__(self, cell: Cell) -> tuple[float, float]:
        if self.analysis is None:
            self.analysis = _Analysis(*self.args)
        return self.analysis.bounds(cell)


def _box(cell: Cell, primary: frozenset[Cell], k: int) -> tuple[float, float]:
    return (1.0, float(k - 1)) if cell in primary else (0.0, float("inf"))


def bounds(values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell] | frozenset[Cell],
           primary: frozenset[Cell], k: int, cell: Cell) -> tuple[float, float]:
    """What a reader can infer about an unknown ``cell``: its minimum and maximum (``inf`` if unbounded)
    under every relation, the published values, ``>= 0`` and ``[1, k-1]`` for "< k" cells."""
    return _Analysis(values, relations, unknown, primary, k, {}).bounds(cell)


def _solve(values: Mapping[Cell, int], involved: Sequence[Relation], unknown: frozenset[Cell],
           primary: frozenset[Cell], k: int, cell: Cell) -> tuple[float, float]:
    """The two linear programmes over one connected part (cells outside it are known)."""
    variables = sorted(unknown, key=repr)
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
               baseline: _Baseline | Mapping[Cell, tuple[float, float]],
               solved: dict[tuple[Cell, frozenset[Cell]], tuple[float, float]] | None = None) -> Cell | None:
    """A sensitive cell (shown as "< k", or a small count never shown) the reader can narrow further
    than with every other figure withheld (``baseline``), or None."""
    analysis = _Analysis(values, relations, unknown, primary, k, solved if solved is not None else {})
    for cell in sorted(sensitive, key=repr):
        lo, hi = analysis.bounds(cell)
        if (lo, hi) == _box(cell, primary, k):
            continue  # nothing learnt at all: the baseline cannot be wider
        base_lo, base_hi = baseline[cell]
        if lo > base_lo + 1e-6 or hi < base_hi - 1e-6:
            return cell
    return None
