"""Grading, drawing and shuffling: pure functions, no I/O, no app.

Services load rows, convert them to the plain data here, call these functions and record the result.
Randomness is always an injected :class:`random.Random`, so a test (or a replay) can fix the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

QUESTION_TYPES = ("single", "multiple", "true_false")


@dataclass(frozen=True)
class OptionData:
    id: int
    is_correct: bool


@dataclass(frozen=True)
class QuestionData:
    id: int
    type: str
    options: tuple[OptionData, ...]

    @property
    def correct_ids(self) -> frozenset[int]:
        return frozenset(o.id for o in self.options if o.is_correct)


@dataclass(frozen=True)
class Grade:
    question_id: int
    is_correct: bool
    chosen: frozenset[int]
    correct: frozenset[int]


def grade(question: QuestionData, response: Iterable[int] | None) -> Grade:
    """Decide one answer.

    ``single`` and ``true_false``: correct when exactly the one correct option was chosen.
    ``multiple``: correct when exactly the set of correct options was chosen (no partial credit).
    No answer (``None`` or empty) is wrong. Ids that are not options of the question make the answer
    wrong (the service refuses such forms before grading; this is the second line of defence).
    """
    if question.type not in QUESTION_TYPES:
        raise ValueError(f"unknown question type {question.type!r}")
    chosen = frozenset(response or ())
    correct = question.correct_ids
    is_correct = bool(chosen) and chosen == correct
    if question.type in ("single", "true_false"):
        is_correct = is_correct and len(chosen) == 1
    return Grade(question.id, is_correct, chosen, correct)


def score(grades: Sequence[Grade]) -> int:
    """Percent of correct answers, 0..100, rounded half up (7 of 8 = 87.5 → 88). No grades → 0.

    Integer arithmetic, so there is no floating-point surprise at exactly .5.
    """
    total = len(grades)
    if total == 0:
        return 0
    right = sum(1 for g in grades if g.is_correct)
    return (200 * right + total) // (2 * total)


def passed(score_percent: int, pass_mark: int) -> bool:
    """Passed when the score reaches the pass mark (``score >= pass_mark``)."""
    return score_percent >= pass_mark


def draw(pool: Sequence[T], n: int, rng: random.Random) -> list[T]:
    """``n`` distinct items of ``pool`` in random order (all of them if the pool is smaller).

    The result depends only on the order of ``pool`` and the state of ``rng``: callers pass the pool
    in a stable order (question position).
    """
    if n <= 0:
        return []
    return rng.sample(list(pool), min(n, len(pool)))


def shuffle_options(question_type: str, option_ids: Sequence[int], rng: random.Random) -> list[int]:
    """The option order shown in one attempt.

    ``true_false`` keeps the authored order ("Wahr" before "Falsch"): swapping them only confuses.
    """
    order = list(option_ids)
    if question_type != "true_false":
        rng.shuffle(order)
    return order


def solution_visible(policy: str, has_passed: bool) -> bool:
    """Whether the result page shows the correct options: ``always``, ``never`` or ``after_pass``."""
    if policy == "always":
        return True
    if policy == "after_pass":
        return has_passed
    return False
