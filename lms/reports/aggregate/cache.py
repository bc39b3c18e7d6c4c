"""Caches of the committee's figures, its dashboard and its report, keyed on the competence generation.

The figures are a pure function of the unit summaries, the units, courses, assignment rules, the
competence framework and the targets, the as-of day and ``k``. ``lms.competence.models.SummaryGeneration``
gets a new random number in the same transaction as any change of those (the summaries mark their own
writes; a flush that writes one of the models in :data:`READ` is marked through
``competence.services.watch``). A result cached under generation *g* is therefore exactly what a
recomputation would give while the generation is *g*, and it is never served after a change: the first
request after a change computes afresh.

The generation is read before anything else of a request, so a change committed while a result is being
computed can only make that result newer than its key, never older. Each app-server process holds its
own small caches (least recently used first out); losing them changes nothing but speed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from lms import db
from lms.catalog.models import Course, CourseVersion
from lms.competence import queries as competence_queries
from lms.competence import services as competence_services
from lms.competence.models import CompetenceArea, CompetenceLevel, CompetenceTarget
from lms.org.models import OrgUnit
from lms.training.models import AssignmentRule

#: what the committee's figures read besides the summaries (reports.aggregate.queries and
#: competence.queries: unit tree, course titles, the basics course's rule, areas, levels, targets)
READ = (OrgUnit, Course, CourseVersion, AssignmentRule, CompetenceArea, CompetenceLevel, CompetenceTarget)
competence_services.watch(*READ)

T = TypeVar("T")


class Memo:
    """A thread-safe map of the last ``size`` results by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def generation() -> int | None:
    """The current generation, or None when it is unknown (then nothing may be served from a cache)."""
    return db.session.scalar(competence_queries.generation())


def cached(memo: Memo, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its result under the current generation and ``key``."""
    current = generation()
    if current is None:
        return compute()
    return memo.get((current, key), compute)
