"""The real curriculum in courses/: lint passes and the minimum counts of the curriculum hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.catalog.lint import lint

COURSES = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture(scope="module")
def result():
    return lint(COURSES)


def test_lint_passes(result):
    assert result.problems == [], "\n".join(f"{p.file}:{p.line}: {p.message}" for p in result.problems)


def test_minimum_counts(result):
    courses, modules, questions = result.counts
    assert courses >= 8
    assert modules >= 41
    assert questions >= 200


def test_six_competence_areas_and_four_levels(result):
    framework = result.catalog.framework
    assert framework is not None
    assert len(framework.areas) >= 6
    assert [level.level for level in framework.levels] == [1, 2, 3, 4]


def test_every_pool_is_at_least_twice_the_draw(result):
    for course in result.catalog.courses:
        assert len(course.questions) >= 2 * course.questions_per_attempt, course.slug


def test_every_version_after_the_first_tells_learners_what_changed(result):
    """The course page shows the ``changes:`` note to learners who worked on an earlier version."""
    for course in result.catalog.courses:
        if course.version != "1.0.0":
            assert course.change_note, f"{course.slug} {course.version} has no changes: note"


def test_every_question_has_explanation_and_source(result):
    for course in result.catalog.courses:
        for q in course.questions:
            assert q.explanation and q.explanation.strip(), (course.slug, q.key)
            assert q.source and q.source.strip(), (course.slug, q.key)


def test_a_model_guideline_is_acknowledged_in_the_mandatory_basics(result):
    basics = next(c for c in result.catalog.courses if c.slug == "ki-grundlagen")
    assert any(m.acknowledge for m in basics.modules)


def test_nothing_city_specific_in_the_content():
    """Any city can run it: no course names a particular city as the learner's administration."""
    pattern = re.compile(r"\b(Stadt|Landeshauptstadt|Verwaltung der Stadt)\s+Dresden\b")
    hits = [str(p) for p in COURSES.rglob("*") if p.is_file() and pattern.search(p.read_text("utf-8"))]
    assert hits == []


def test_ai_act_key_dates_are_the_same_everywhere():
    """Facts that several courses share have one value (checked on the course.yml facts maps)."""
    import yaml

    values: dict[str, set[str]] = {}
    for course_yml in COURSES.glob("*/course.yml"):
        facts = yaml.safe_load(course_yml.read_text("utf-8")).get("facts") or {}
        for key in ("ai_act_in_force", "art4_applies", "art5_applies", "gpai_applies", "general_application"):
            if key in facts:
                values.setdefault(key, set()).add(str(facts[key]))
    expected = {"ai_act_in_force": "1. August 2024", "art4_applies": "2. Februar 2025",
                "art5_applies": "2. Februar 2025", "gpai_applies": "2. August 2025",
                "general_application": "2. August 2026"}
    for key, found in values.items():
        assert found == {expected[key]}, (key, found)


def test_english_titles_in_german_text_are_marked(result):
    """WCAG 3.1.2: the English report title keeps its lang="en" through facts and the sanitiser."""
    from lms import markdown as md

    bodies = [md.render(m.body) for c in result.catalog.courses for m in c.modules if "Energy and AI" in m.body]
    assert bodies
    for html in bodies:
        assert '<span lang="en">Energy and AI</span>' in html


def test_the_practice_course_is_voluntary(result):
    """Issue 12: the practice course deepens the curriculum; the demo's mandatory training does not assign it."""
    from lms.demo.services import MANDATORY

    practice = next(c for c in result.catalog.courses if c.slug == "ki-praxis-recht-und-faelle")
    assert len(practice.modules) == 6
    assert practice.slug not in {slug for slug, _units, _days in MANDATORY}
