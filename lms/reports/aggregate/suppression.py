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

import os
import sys
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

import highspy
import numpy as np

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
    #: unpublished cells shown as "< k" elsewhere (e.g. a small headcount in the headcount table): the
    #: reader knows they lie in [1, k-1], and the audit must know it too, or it would take that for a leak
    #: it can never close and withhold the whole table
    marked: frozenset[Cell] = field(default_factory=frozenset)


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
                         key=lambda c: (values[c] == 0, values[c], repr(c)))
        if not options:
            return False
        hidden.add(options[0])
        unknown.add(options[0])
        return True

    everything = set(values) - table.fixed
    # what the reader knows to lie in [1, k-1]: this table's "< k" cells and those shown so elsewhere
    boxed = primary | (table.marked & table.unpublished)
    reader = _Reader(values, relations, boxed, k)
    baseline = _Baseline(_Reader(values, relations, boxed, k), frozenset(everything))
    # Withholding more can only widen what the reader can infer (fewer equations, the same constraints),
    # and the baseline is the widest it gets: a cell found safe stays safe, so each audit resumes at the
    # cell that leaked last.
    pending = sorted(sensitive, key=repr)
    while True:
        _complete_relations(relations, unknown, hidden | sensitive, hide_one_more)
        leaking, pending = first_leak(reader, frozenset(unknown), pending, baseline)
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



class _Reader:
    """What a reader can infer, as one linear programme over the whole table (a HiGHS model, built on
    first use): a column per cell, a row per relation; a published cell is a column fixed at its value,
    an unknown one has the bounds the reader knows (``[1, k-1]`` for "< k", else ``>= 0``). Withholding
    one more cell only widens that column's bounds, and each cell's minimum and maximum only change the
    objective, so HiGHS starts every solve from the previous optimal basis. (A fresh programme per bound
    cost ~3 ms of set-up each; docs/performance.md.)"""

    def __init__(self, values: Mapping[Cell, int], relations: Sequence[Relation], primary: frozenset[Cell],
                 k: int) -> None:
        self.values, self.relations, self.primary, self.k = values, relations, primary, k
        self.index = {c: i for i, c in enumerate(sorted({c for r in relations for c in r.cells}, key=repr))}
        self.highs: Any = None
        self.unknown: frozenset[Cell] = frozenset()
        self.costed: int | None = None

    def _build(self) -> None:
        self.highs = _highs()
        fixed = np.array([float(self.values[c]) for c in self.index])
        self.highs.addVars(len(self.index), fixed, fixed)
        for relation in self.relations:
            row: dict[int, float] = {}
            for sign, c in [(1.0, relation.total), *((-1.0, p) for p in relation.parts)]:
                row[self.index[c]] = row.get(self.index[c], 0.0) + sign
            columns = [i for i, coefficient in row.items() if coefficient != 0.0]
            self.highs.addRow(0.0, 0.0, len(columns), np.array(columns, dtype=np.int32),
                              np.array([row[i] for i in columns]))

    def _know(self, unknown: frozenset[Cell]) -> None:
        """Set each column's bounds to what the reader knows when ``unknown`` is withheld."""
        if self.highs is None:
            self._build()
        for cell in unknown ^ self.unknown:
            column = self.index.get(cell)
            if column is None:
                continue
            if cell not in unknown:
                value = float(self.values[cell])
                self.highs.changeColBounds(column, value, value)
            elif cell in self.primary:
                self.highs.changeColBounds(column, 1.0, float(self.k - 1))
            else:
                self.highs.changeColBounds(column, 0.0, highspy.kHighsInf)
        self.unknown = unknown

    def bounds(self, cell: Cell, unknown: frozenset[Cell]) -> tuple[float, float]:
        """The least and greatest value of the unknown ``cell`` (``inf`` if unbounded) when the cells in
        ``unknown`` are withheld and every other one is published."""
        column = self.index.get(cell)
        if column is None:  # in no relation: the reader knows only its marker
            return _box(cell, self.primary, self.k)
        self._know(unknown)
        if self.costed is not None:
            self.highs.changeColCost(self.costed, 0.0)
        self.highs.changeColCost(column, 1.0)
        self.costed = column
        lo = self._optimum(highspy.ObjSense.kMinimize)
        hi = self._optimum(highspy.ObjSense.kMaximize)
        return (0.0 if lo is None else lo), (float("inf") if hi is None else hi)

    def _optimum(self, sense: Any) -> float | None:
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None  # unbounded above (a minimum always exists: the true values are feasible, >= 0)
        return float(self.highs.getInfo().objective_function_value)


_HIGHS_LOCK = Lock()
_highs_announced = False


def _highs() -> Any:
    """A silent HiGHS instance. The library prints a banner to standard output the first time a solver is
    created in a process, before any option can switch output off; that once, standard output is pointed
    at /dev/null (CLI commands write CSV to standard output)."""
    global _highs_announced
    with _HIGHS_LOCK:
        if not _highs_announced:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "wb") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    solver = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _highs_announced = True
        else:
            solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    # small models re-solved from the last optimal basis after a change of objective: that basis stays
    # primal feasible, so the primal simplex (strategy 4) continues from it; presolve would discard it
    solver.setOptionValue("presolve", "off")
    solver.setOptionValue("simplex_strategy", 4)
    return solver




class _Baseline:
    """The bounds of a cell with every other figure withheld, computed when first needed."""

    def __init__(self, reader: _Reader, everything: frozenset[Cell]) -> None:
        self.reader, self.everything = reader, everything
        self.known: dict[Cell, tuple[float, float]] = {}

    def __getitem__(self, cell: Cell) -> tuple[float, float]:
        if cell not in self.known:
            self.known[cell] = self.reader.bounds(cell, self.everything)
        return self.known[cell]


def _box(cell: Cell, primary: frozenset[Cell], k: int) -> tuple[float, float]:
    return (1.0, float(k - 1)) if cell in primary else (0.0, float("inf"))


def bounds(values: Mapping[Cell, int], relations: Sequence[Relation], unknown: set[Cell] | frozenset[Cell],
           primary: frozenset[Cell], k: int, cell: Cell) -> tuple[float, float]:
    """What a reader can infer about an unknown ``cell``: its minimum and maximum (``inf`` if unbounded)
    under every relation, the published values, ``>= 0`` and ``[1, k-1]`` for "< k" cells."""
    return _Reader(values, relations, primary, k).bounds(cell, frozenset(unknown))


def first_leak(reader: _Reader, unknown: frozenset[Cell], pending: Sequence[Cell],
               baseline: _Baseline | Mapping[Cell, tuple[float, float]]) -> tuple[Cell | None, list[Cell]]:
    """The first of the ``pending`` sensitive cells (shown as "< k", or small counts never shown) that
    the reader can narrow further than with every other figure withheld (``baseline``), and the cells
    still to audit: that one and those after it (the ones before it are safe, and stay safe)."""
    for i, cell in enumerate(pending):
        lo, hi = reader.bounds(cell, unknown)
        if (lo, hi) == _box(cell, reader.primary, reader.k):
            continue  # nothing learnt at all: the baseline cannot be wider
        base_lo, base_hi = baseline[cell]
        if lo > base_lo + 1e-6 or hi < base_hi - 1e-6:
            return cell, list(pending[i:])
    return None, []
