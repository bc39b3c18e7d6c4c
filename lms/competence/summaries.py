"""What one person adds to the per-unit summary counts, over time (pure, no database).

The committee's figures are counts per org unit: members, people at each level per competence area,
holders of a valid completion per course, people with a target and people meeting it. They come from
small per-unit rows (``competence_unit_changes``: the change of a count on a day) instead of a scan over
every completion on each request. A person's part of those rows is a function of their facts alone, so
any event (a completion, an import that moves or ends someone, a new major version, a changed target)
is handled the same way: subtract what the person added before, add what they add now.

Expiry needs no event: a completion's end is known when it is recorded, so its ``-1`` is written then,
on the day it will stop counting.

Days are calendar days in Europe/Berlin. A count "on day D" includes every change up to and including D.
Level 0 of an area is not stored: it is the members minus those at level 1 or above.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

HEAD = "head"
AREA = "area"
COURSE = "course"
TARGET = "target"

#: (measure, key, level, day) -> change of the count on that day
Changes = dict[tuple[str, str, int, date], int]


@dataclass(frozen=True)
class Span:
    """One completion as the summaries need it."""

    course: str
    #: area key -> level awarded
    awards: Mapping[str, int]
    #: the day it was completed, and the first day it no longer counts (expiry, or the day a later
    #: major version that requires renewal was imported, whichever comes first)
    start: date
    end: date
    #: orders completions of the same course (the later one replaces the earlier from its start)
    order: tuple[object, ...] = ()


@dataclass(frozen=True)
class Target:
    """An active target: a level in an area for everyone, a unit subtree and/or a position."""

    area: str
    level: int
    unit_path: str | None = None
    position_pattern: str | None = None


@dataclass(frozen=True)
class PersonFacts:
    employee_id: int
    unit_id: int
    unit_path: str
    position: str | None
    #: first day counted as a member, and the first day no longer counted (None: still a member)
    first_day: date
    last_day: date | None
    spans: Sequence[Span] = field(default_factory=tuple)


def position_matches(pattern: str, position: str | None) -> bool:
    """A position pattern (``*`` for any text, case-insensitive, umlauts included) matches a position."""
    if position is None:
        return False
    regex = ".*".join(re.escape(part) for part in pattern.strip().lower().split("*"))
    return re.fullmatch(regex, position.lower(), flags=re.DOTALL) is not None


def targets_of(unit_path: str, position: str | None, targets: Iterable[Target]) -> dict[str, int]:
    """The person's target per area: the highest level among the targets that reach them."""
    found: dict[str, int] = {}
    for target in targets:
        if target.unit_path is not None and not unit_path.startswith(target.unit_path):
            continue
        if target.position_pattern is not None and not position_matches(target.position_pattern, position):
            continue
        found[target.area] = max(found.get(target.area, 0), target.level)
    return found


def _segments(spans: Sequence[Span]) -> list[Span]:
    """Each completion counts from its start until it ends or the next completion of its course starts."""
    by_course: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_course[span.course].append(span)
    result = []
    for course_spans in by_course.values():
        course_spans.sort(key=lambda s: (s.start, s.order))
        for i, span in enumerate(course_spans):
            end = span.end
            if i + 1 < len(course_spans):
                end = min(end, course_spans[i + 1].start)
            if span.start < end:
                result.append(Span(span.course, span.awards, span.start, end, span.order))
    return result


def contribution(person: PersonFacts, targets: Iterable[Target] = ()) -> Changes:
    """The changes this person adds to their unit's counts (zero changes left out)."""
    changes: Changes = defaultdict(int)
    first, last = person.first_day, person.last_day
    if last is not None and last <= first:
        return {}
    changes[(HEAD, "", 0, first)] += 1
    if last is not None:
        changes[(HEAD, "", 0, last)] -= 1
    segments = _segments(person.spans)
    wanted = targets_of(person.unit_path, person.position, targets)
    for area in wanted:
        changes[(TARGET, area, 0, first)] += 1
        if last is not None:
            changes[(TARGET, area, 0, last)] -= 1
    # sweep over the days on which something can change, within membership
    days = sorted({first, *(d for s in segments for d in (s.start, s.end) if first <= d and (last is None
                                                                                            or d < last))})
    held: dict[tuple[str, str], int] = {}  # (measure, key) -> level held before this day (0: none)
    for day in days:
        active = [s for s in segments if s.start <= day < s.end]
        now: dict[tuple[str, str], int] = {}
        for s in active:
            now[(COURSE, s.course)] = 1
            for area, level in s.awards.items():
                now[(AREA, area)] = max(now.get((AREA, area), 0), level)
        for area, target in wanted.items():
            if now.get((AREA, area), 0) >= target:
                now[(TARGET, area)] = 1
        for key in set(held) | set(now):
            before, after = held.get(key, 0), now.get(key, 0)
            if before != after:
                if before:
                    changes[(*key, before, day)] -= 1
                if after:
                    changes[(*key, after, day)] += 1
        held = now
    if last is not None:
        for (measure, key), level in held.items():
            if level:
                changes[(measure, key, level, last)] -= 1
    return {k: v for k, v in changes.items() if v}


def counts_on(changes: Iterable[tuple[tuple[str, str, int, date], int]], day: date) -> dict[tuple[str, str, int], int]:
    """The counts on ``day`` from changes: the sum of every change up to and including that day."""
    totals: dict[tuple[str, str, int], int] = defaultdict(int)
    for (measure, key, level, on), delta in changes:
        if on <= day:
            totals[(measure, key, level)] += delta
    return {k: v for k, v in totals.items() if v}


def encode(changes: Changes) -> list[list[object]]:
    """The JSON form stored per person: ``[measure, key, level, "YYYY-MM-DD", delta]``, sorted."""
    return [[m, k, lv, d.isoformat(), v] for (m, k, lv, d), v in sorted(changes.items())]


def decode(rows: Iterable[Sequence[object]]) -> Changes:
    return {(str(m), str(k), int(lv), date.fromisoformat(str(d))): int(v)  # type: ignore[call-overload]
            for m, k, lv, d, v in rows}


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
