"""Small-group suppression: no hidden figure can be recovered from everything published.

The oracle is independent of the code under test: an integer programme (``scipy.optimize.milp``, built
here from the tree, not from the code's relations) finds the smallest and largest value each "< k" cell can
take given every published figure; it must still be free to be anything from 1 to k-1.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from lms.reports.aggregate.suppression import Relation, Table, suppress

K = 5


def tree_table(parents: list[int | None], direct: list[int], levels: list[list[int]] | None = None) -> Table:
    """Units 0..n-1 (parent index or None); the published cells are each unit's subtree count (and, with
    ``levels``, its subtree count per level); the staff directly in a unit with children are not shown."""
    n = len(parents)
    children = {u: [c for c in range(n) if parents[c] == u] for u in range(n)}
    values: dict = {}
    relations = []
    unpublished = set()
    dims = [None] if levels is None else [None, *range(len(levels[0]))]

    def direct_value(u, d):
        return direct[u] if d is None else levels[u][d]

    def total(u, d):
        return direct_value(u, d) + sum(total(c, d) for c in children[u])

    for d in dims:
        for u in range(n):
            values[("sub", u, d)] = total(u, d)
            if children[u]:
                values[("dir", u, d)] = direct_value(u, d)
                unpublished.add(("dir", u, d))
                relations.append(Relation(("sub", u, d), (("dir", u, d), *(("sub", c, d) for c in children[u]))))
    if levels is not None:
        for u in range(n):
            relations.append(Relation(("sub", u, None), tuple(("sub", u, d) for d in dims[1:])))
            if children[u]:
                relations.append(Relation(("dir", u, None), tuple(("dir", u, d) for d in dims[1:])))
    return Table(values, relations, frozenset(unpublished))


def integer_range(table: Table, published, cell) -> tuple[int, int]:
    """Oracle: min and max of ``cell`` over all non-negative integer tables agreeing with what is shown."""
    cells = sorted(table.values, key=repr)
    index = {c: i for i, c in enumerate(cells)}
    a = []
    for r in table.relations:
        row = np.zeros(len(cells))
        row[index[r.total]] = 1
        for p in r.parts:
            row[index[p]] -= 1
        a.append(row)
    lower = np.zeros(len(cells))
    upper = np.full(len(cells), np.inf)
    for c in cells:
        if c in table.unpublished:
            continue
        shown = published.value(c)
        if shown is not None:
            lower[index[c]] = upper[index[c]] = shown
        elif published.is_small(c):
            lower[index[c]], upper[index[c]] = 1, K - 1
    constraints = [LinearConstraint(np.array(a), 0, 0)] if a else []
    result = []
    for sign in (1, -1):
        objective = np.zeros(len(cells))
        objective[index[cell]] = sign
        res = milp(objective, constraints=constraints, integrality=np.ones(len(cells)),
                   bounds=Bounds(lower, upper))
        result.append(sign * res.fun if res.status == 0 else (np.inf if sign == -1 else 0))
    return int(round(result[0])), result[1]


class _AllWithheld:
    """What the reader sees when every figure but the "< k" markers is withheld: the baseline."""

    def __init__(self, published):
        self.primary = published.primary

    def value(self, cell):
        return None

    def is_small(self, cell):
        return cell in self.primary


def assert_protected(table: Table, published, baseline=None) -> None:
    """``baseline``: what the reader knows anyway (default: nothing but the "< k" markers)."""
    small_unshown = {c for c in table.unpublished if 0 < table.values[c] < K}
    for cell in published.primary | small_unshown:
        low, high = integer_range(table, published, cell)
        base_low, base_high = integer_range(table, baseline or _AllWithheld(published), cell)
        # the published figures tell nothing about a small count beyond what the markers say
        assert (low, high) == (base_low, base_high), (cell, table.values[cell], low, high, base_low, base_high)
    for cell, value in table.values.items():
        if cell not in table.unpublished and published.value(cell) is not None:
            assert published.value(cell) == value and not 0 < value < K


def test_a_department_of_twelve_with_a_sub_unit_of_three():
    # 0: department (12 in all), 1: sub-unit of 3, 2: sub-unit of 9, nobody directly in the department
    table = tree_table([None, 0, 0], [0, 3, 9])
    published = suppress(table, K)
    assert published.is_small(("sub", 1, None)) and published.value(("sub", 1, None)) is None
    # 12 - 9 would give the 3 away: the 9 (or the 12) is hidden too
    assert published.value(("sub", 2, None)) is None or published.value(("sub", 0, None)) is None
    assert_protected(table, published)


SEVEN = Table({"total": 7, "a": 3, "b": 4, "other": 20}, [Relation("total", ("a", "b"))])


def test_two_small_parts_whose_total_would_pin_them_down():
    # 7 = 3 + 4: both are "< 5", so with the 7 shown each must be 3 or 4; the 7 is hidden as well
    published = suppress(SEVEN, K)
    assert published.value("total") is None and published.value("other") == 20
    assert_protected(SEVEN, published)


def test_staff_directly_in_a_department_protect_its_sub_units():
    # 7 = (nobody directly) + 3 + 4: the reader does not know the direct staff, so 3 and 4 stay open
    table = tree_table([None, 0, 0], [0, 3, 4])
    published = suppress(table, K)
    assert published.value(("sub", 0, None)) == 7
    assert_protected(table, published)


def test_zero_and_large_counts_are_shown():
    table = tree_table([None, 0, 0], [0, 0, 9])
    published = suppress(table, K)
    assert published.value(("sub", 1, None)) == 0 and published.value(("sub", 0, None)) == 9
    assert not published.primary and not published.secondary


def test_rates_are_withheld_for_small_or_hidden_denominators():
    table = Table({"done": 3, "all": 4, "done2": 6, "all2": 8}, [], frozenset())
    published = suppress(table, K)
    assert published.rate("done", "all") is None
    assert published.rate("done2", "all2") == 0.75


@st.composite
def trees(draw, with_levels=False):
    n = draw(st.integers(1, 7))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    direct = [draw(st.integers(0, 12)) for _ in range(n)]
    levels = None
    if with_levels:
        levels = [[draw(st.integers(0, 6)) for _ in range(3)] for _ in range(n)]
        direct = [sum(row) for row in levels]
    return parents, direct, levels


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_no_hidden_figure_can_be_recovered_in_a_random_tree(tree):
    parents, direct, _ = tree
    table = tree_table(parents, direct)
    assert_protected(table, suppress(table, K))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(with_levels=True))
def test_no_hidden_figure_can_be_recovered_across_levels_and_drill_down(tree):
    parents, direct, levels = tree
    table = tree_table(parents, direct, levels)
    assert_protected(table, suppress(table, K))


def test_the_oracle_catches_greedy_suppression_alone(monkeypatch):
    """Without the audit, the 7 = 3 + 4 table leaks; the oracle must say so."""
    import lms.reports.aggregate.suppression as module

    monkeypatch.setattr(module, "first_leak", lambda *a, **k: (None, []))
    with pytest.raises(AssertionError):
        assert_protected(SEVEN, module.suppress(SEVEN, K))


class _TwoTables:
    """What the reader sees of a headcount table and a table of levels beside it: the headcounts shown
    there (fixed here), the "< k" headcounts (marked here), and the levels table's own figures."""

    def __init__(self, heads, head_published, levels, level_published):
        self.heads, self.head_published = heads, head_published
        self.levels, self.level_published = levels, level_published
        self.primary = head_published.primary | level_published.primary

    def value(self, cell):
        if cell in self.levels.fixed:
            return self.head_published.value(cell)
        if cell in self.levels.unpublished:
            return None
        return self.level_published.value(cell)

    def is_small(self, cell):
        return cell in self.levels.marked or (cell not in self.levels.unpublished
                                              and self.level_published.is_small(cell))


class _HeadcountsOnly(_TwoTables):
    """The baseline: the headcount table as published (decided before any table of levels), and of the
    levels nothing but their "< k" markers."""

    def value(self, cell):
        return self.head_published.value(cell) if cell in self.levels.fixed else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(with_levels=True))
def test_levels_beside_the_headcounts_leak_nothing_together(tree):
    """The dashboard's way: headcounts suppressed once, then each table of levels with the shown
    headcounts fixed and the "< k" ones marked. Together they tell nothing beyond the published
    headcounts and the markers. (The headcount table alone is the random-tree property above.)"""
    parents, direct, levels = tree
    full = tree_table(parents, direct, levels)
    head_cells = {c for c in full.values if c[2] is None}
    heads = Table({c: full.values[c] for c in head_cells},
                  [r for r in full.relations if r.total in head_cells and set(r.parts) <= head_cells],
                  frozenset(full.unpublished & head_cells))
    head_published = suppress(heads, K)
    shown = frozenset(c for c in head_cells - heads.unpublished if head_published.value(c) is not None)
    small = frozenset(c for c in head_cells - heads.unpublished if head_published.is_small(c))
    levels_table = Table(full.values, full.relations, frozenset(full.unpublished | (head_cells - shown)),
                         shown, small)
    level_published = suppress(levels_table, K)
    together = _TwoTables(heads, head_published, levels_table, level_published)
    assert_protected(full, together, _HeadcountsOnly(heads, head_published, levels_table, level_published))
