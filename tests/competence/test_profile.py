"""The competence profile: the level per area from valid completions only (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lms.competence.profile import CompletionFacts, competence_profile

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
AREAS = ("grundlagen", "recht", "ethik", "datenschutz")


def facts(course: str = "a", awards: dict[str, int] | None = None, *, days: int = 100, major: int = 1,
          renewal_major: int = 1, completed_days_ago: int = 10) -> CompletionFacts:
    return CompletionFacts(course_slug=course, course_title=course.upper(), awards=awards or {},
                           completed_at=NOW - timedelta(days=completed_days_ago),
                           valid_until=NOW + timedelta(days=days), major=major, renewal_major=renewal_major)


def levels(profile) -> dict[str, int]:
    return {a.area: a.level for a in profile.areas}


def test_areas_without_completions_are_zero():
    profile = competence_profile(AREAS, [], NOW)
    assert levels(profile) == dict.fromkeys(AREAS, 0)
    assert all(a.sources == () for a in profile.areas)


def test_the_highest_level_across_courses_counts_and_names_its_courses():
    profile = competence_profile(AREAS, [facts("a", {"recht": 1, "ethik": 2}), facts("b", {"recht": 3}),
                                         facts("c", {"recht": 3})], NOW)
    assert levels(profile) == {"grundlagen": 0, "recht": 3, "ethik": 2, "datenschutz": 0}
    recht = next(a for a in profile.areas if a.area == "recht")
    assert [s.course_slug for s in recht.sources] == ["b", "c"]  # the courses that give the level


def test_an_expired_completion_no_longer_counts():
    profile = competence_profile(AREAS, [facts("a", {"recht": 3}, days=-1), facts("b", {"recht": 1})], NOW)
    assert levels(profile)["recht"] == 1
    assert competence_profile(AREAS, [facts("a", {"recht": 3}, days=0)], NOW).areas[1].level == 0


def test_a_major_version_that_requires_renewal_makes_it_not_count():
    profile = competence_profile(AREAS, [facts("a", {"ethik": 2}, major=1, renewal_major=2)], NOW)
    assert levels(profile)["ethik"] == 0
    assert levels(competence_profile(AREAS, [facts("a", {"ethik": 2}, major=2, renewal_major=2)], NOW))["ethik"] == 2


def test_only_the_latest_completion_of_a_course_counts():
    """A renewal on a version with other awards replaces the earlier completion's awards."""
    old = facts("a", {"recht": 3}, completed_days_ago=400, days=300)
    new = facts("a", {"recht": 1}, completed_days_ago=5, days=700)
    assert levels(competence_profile(AREAS, [old, new], NOW))["recht"] == 1
    assert levels(competence_profile(AREAS, [new, old], NOW))["recht"] == 1


def test_areas_keep_the_framework_order_and_unknown_areas_are_ignored():
    profile = competence_profile(AREAS, [facts("a", {"alt": 4, "ethik": 1})], NOW)
    assert [a.area for a in profile.areas] == list(AREAS)
    assert profile.reached(1) == 1 and profile.reached(2) == 0


def test_valid_until_is_the_latest_among_the_giving_courses():
    profile = competence_profile(AREAS, [facts("a", {"recht": 2}, days=30), facts("b", {"recht": 2}, days=90)],
                                 NOW)
    assert profile.areas[1].valid_until == NOW + timedelta(days=90)


completion = st.builds(
    facts, course=st.sampled_from("abcde"),
    awards=st.dictionaries(st.sampled_from(AREAS), st.integers(1, 4), max_size=3),
    days=st.integers(-50, 50), major=st.integers(1, 3), renewal_major=st.integers(1, 3),
    completed_days_ago=st.integers(0, 100))


@given(st.lists(completion, max_size=8, unique_by=lambda c: (c.course_slug, c.completed_at)))
def test_level_is_the_max_over_latest_valid_completions(completions):
    profile = competence_profile(AREAS, completions, NOW)
    latest: dict[str, CompletionFacts] = {}
    for c in sorted(completions, key=lambda c: c.completed_at):
        latest[c.course_slug] = c
    valid = [c for c in latest.values() if c.valid_until > NOW and c.major >= c.renewal_major]
    for area in profile.areas:
        assert area.level == max((c.awards.get(area.area, 0) for c in valid), default=0)
        assert all(s.awards[area.area] == area.level for s in area.sources)
        assert (area.level == 0) == (area.sources == ())
    # removing a completion never raises a level
    for i in range(len(completions)):
        fewer = competence_profile(AREAS, completions[:i] + completions[i + 1:], NOW)
        if all(c.course_slug != completions[i].course_slug for c in completions[:i] + completions[i + 1:]):
            assert all(f.level <= a.level for f, a in zip(fewer.areas, profile.areas, strict=True))
