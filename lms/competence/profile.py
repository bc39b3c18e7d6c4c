"""A person's competence profile: the level reached per competence area (pure, no database).

The level of an area is the highest level awarded (``awards:`` in ``course.yml``, copied into each
completion) by the person's **valid** completions: the latest completion of each course counts while it
has not expired and its major version still counts (the semantics of
``lms.learning.rules.completion_status``; restated here because ``competence`` is below ``learning``).
An area without such a completion is 0 ("not yet reached"). The caller (the learning layer) loads the
completions and passes plain values in; see ``docs/competence.md`` for why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CompletionFacts:
    """One completion as the profile needs it."""

    course_slug: str
    course_title: str
    #: area key -> level awarded
    awards: dict[str, int]
    completed_at: datetime
    valid_until: datetime
    #: the major version completed, and the lowest major whose completions still count
    major: int
    renewal_major: int | None

    def is_valid(self, now: datetime) -> bool:
        """Same rule as ``completion_status(...) == "valid"``: not expired, major still counts."""
        if self.valid_until <= now:
            return False
        return self.renewal_major is None or self.major >= self.renewal_major


@dataclass(frozen=True)
class AreaLevel:
    area: str
    #: 0 = no valid completion awards this area
    level: int
    #: the valid completions that give ``level`` (course title order)
    sources: tuple[CompletionFacts, ...] = ()

    @property
    def valid_until(self) -> datetime | None:
        """Until when the level holds without a renewal (the latest among its sources)."""
        return max((s.valid_until for s in self.sources), default=None)


@dataclass(frozen=True)
class Profile:
    areas: tuple[AreaLevel, ...] = field(default_factory=tuple)

    def reached(self, level: int) -> int:
        """How many areas are at ``level`` or above."""
        return sum(1 for a in self.areas if a.level >= level)


def competence_profile(area_keys: Sequence[str], completions: Iterable[CompletionFacts],
                       now: datetime) -> Profile:
    """The level per area (in the order of ``area_keys``) from the latest valid completion of each course.

    Awards for areas not in ``area_keys`` are ignored (an area removed from the framework).
    """
    latest: dict[str, CompletionFacts] = {}
    for completion in completions:
        held = latest.get(completion.course_slug)
        if held is None or completion.completed_at > held.completed_at:
            latest[completion.course_slug] = completion
    valid = sorted((c for c in latest.values() if c.is_valid(now)), key=lambda c: (c.course_title, c.course_slug))
    areas = []
    for key in area_keys:
        level = max((c.awards.get(key, 0) for c in valid), default=0)
        sources = tuple(c for c in valid if level and c.awards.get(key, 0) == level)
        areas.append(AreaLevel(key, level, sources))
    return Profile(tuple(areas))
