"""Grading, drawing and shuffling: pure, no app."""

from __future__ import annotations

import random

import pytest

from lms.learning.grading import (
    Grade,
    OptionData,
    QuestionData,
    draw,
    grade,
    passed,
    score,
    shuffle_options,
    solution_visible,
)


def q(qtype: str, correct: set[int], n: int = 4) -> QuestionData:
    return QuestionData(7, qtype, tuple(OptionData(i, i in correct) for i in range(1, n + 1)))


@pytest.mark.parametrize(("response", "expected"), [
    ([1], True), ([2], False), ([1, 2], False), ([], False), (None, False), ([99], False), ([1, 1], True),
])
def test_single_choice_needs_exactly_the_correct_option(response, expected):
    assert grade(q("single", {1}), response).is_correct is expected


@pytest.mark.parametrize(("response", "expected"), [
    ([1, 3], True), ([3, 1], True), ([1], False), ([1, 2, 3], False), ([2, 4], False), ([], False),
    ([1, 3, 99], False),
])
def test_multiple_choice_needs_exactly_the_correct_set(response, expected):
    assert grade(q("multiple", {1, 3}), response).is_correct is expected


@pytest.mark.parametrize(("response", "expected"), [([1], True), ([2], False), ([1, 2], False), ([], False)])
def test_true_false(response, expected):
    assert grade(q("true_false", {1}, n=2), response).is_correct is expected


def test_single_choice_with_two_marked_correct_can_never_be_answered_right():
    question = q("single", {1, 2})
    assert not any(grade(question, r).is_correct for r in ([1], [2], [1, 2]))


def test_grade_reports_chosen_and_correct():
    g = grade(q("multiple", {1, 3}), [3, 2])
    assert g == Grade(7, False, frozenset({2, 3}), frozenset({1, 3}))


def test_unknown_type_is_refused():
    with pytest.raises(ValueError):
        grade(QuestionData(1, "essay", ()), [1])


def grades(right: int, total: int) -> list[Grade]:
    return [Grade(i, i < right, frozenset(), frozenset()) for i in range(total)]


@pytest.mark.parametrize(("right", "total", "percent"), [
    (0, 4, 0), (4, 4, 100), (3, 4, 75), (7, 8, 88), (1, 8, 13), (2, 3, 67), (1, 3, 33), (1, 200, 1),
    (1, 400, 0), (0, 0, 0),
])
def test_score_rounds_half_up(right, total, percent):
    assert score(grades(right, total)) == percent


def test_score_properties_over_many_sizes():
    for total in range(1, 60):
        previous = -1
        for right in range(total + 1):
            s = score(grades(right, total))
            assert 0 <= s <= 100
            assert s > previous or total > 100  # strictly increasing for any realistic quiz size
            assert abs(s - 100 * right / total) <= 0.5
            previous = s
        assert score(grades(total, total)) == 100 and score(grades(0, total)) == 0


def test_passed_is_score_at_least_pass_mark():
    assert passed(75, 75) and passed(100, 75) and not passed(74, 75) and passed(0, 0)


def test_draw_takes_distinct_items_and_is_deterministic_per_seed():
    pool = list(range(20))
    for seed in range(50):
        first = draw(pool, 8, random.Random(seed))
        assert first == draw(pool, 8, random.Random(seed))
        assert len(first) == len(set(first)) == 8
        assert set(first) <= set(pool)
    assert len({tuple(draw(pool, 8, random.Random(s))) for s in range(50)}) > 40


def test_draw_never_takes_more_than_the_pool():
    assert sorted(draw([1, 2, 3], 10, random.Random(1))) == [1, 2, 3]
    assert draw([1, 2, 3], 0, random.Random(1)) == []


def test_draw_reaches_every_question():
    seen: set[int] = set()
    for seed in range(100):
        seen.update(draw(range(10), 3, random.Random(seed)))
    assert seen == set(range(10))


def test_shuffle_is_a_permutation_and_deterministic():
    ids = [11, 12, 13, 14]
    orders = set()
    for seed in range(300):
        order = shuffle_options("single", ids, random.Random(seed))
        assert sorted(order) == ids
        assert order == shuffle_options("single", ids, random.Random(seed))
        orders.add(tuple(order))
    assert len(orders) == 24  # every permutation of four options occurs
    assert ids == [11, 12, 13, 14]  # the input is not changed


def test_true_false_keeps_the_authored_order():
    for seed in range(20):
        assert shuffle_options("true_false", [5, 6], random.Random(seed)) == [5, 6]


@pytest.mark.parametrize(("policy", "has_passed", "visible"), [
    ("always", False, True), ("always", True, True), ("after_pass", False, False),
    ("after_pass", True, True), ("never", True, False), ("never", False, False),
])
def test_solution_visible(policy, has_passed, visible):
    assert solution_visible(policy, has_passed) is visible
