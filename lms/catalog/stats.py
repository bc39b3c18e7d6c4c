"""Item statistics of a course's quiz for its authors: difficulty, discrimination, option choices.

Questions are stored per course version; the figures follow a question across versions by its stable
id (``Question.key``). Only submitted attempts count (their items are graded). The database does the
heavy lifting in one grouped pass over the course's answers (:func:`answer_groups`): per question row,
attempt score, right or wrong, and (wrong answers only) the response. From these few hundred groups
Python derives, per question id, the number of answers ``n``, the number correct ``Σx`` and, with ``t``
the attempt's number of correct items (exact from its score), ``Σt``, ``Σxt`` and ``Σt²``; sums add up
across versions. A right answer chose exactly the correct options, so option counts need only the
responses of wrong answers.

Discrimination is the point-biserial correlation between the item (right = 1, wrong = 0) and the rest
score ``y = t − x`` (the attempt's other items): the corrected item-total correlation. It uses every
answer and needs only the sums above; upper/lower 27 % groups would need a ranking per version, and
with 10 items per attempt the scores tie so heavily that the groups are ill-defined. Method and
thresholds: ``docs/course-format.md`` ("Item statistics").

Aggregates only: nothing here names or counts a person, and an item with fewer than
:data:`MIN_ANSWERS` answers shows no figures at all.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import TextClause, select, text

from lms import db
from lms.catalog.models import Course, CourseVersion, Question, QuestionOption

#: below this many graded answers an item shows "zu wenige Antworten" and no figure
MIN_ANSWERS = 20
#: difficulty flags: almost everyone / almost no one answers correctly
EASY = 0.95
HARD = 0.20
#: discrimination flag: the item hardly separates those who know the course from those who do not
LOW_DISCRIMINATION = 0.2
#: a distractor chosen in fewer than this share of the answers to its question does not distract
DEAD_DISTRACTOR = 0.01

TOO_EASY, TOO_HARD, NOT_DISCRIMINATING, DEAD_DISTRACTORS = "easy", "hard", "discrimination", "distractor"


def point_biserial(n: int, sum_x: float, sum_t: float, sum_xt: float, sum_tt: float) -> float | None:
    """Pearson correlation of a 0/1 item score ``x`` with the rest score ``y = t − x``, from sums over
    the answers (``t`` the attempt's total of correct items, ``x`` included). None when either side has
    no variance (everyone right, everyone wrong, or every rest score the same)."""
    if n < 2:
        return None
    sum_y = sum_t - sum_x
    sum_xy = sum_xt - sum_x  # Σx(t−x) = Σxt − Σx², and x² = x
    sum_yy = sum_tt - 2 * sum_xt + sum_x  # Σ(t−x)² = Σt² − 2Σxt + Σx
    var_x = n * sum_x - sum_x * sum_x
    var_y = n * sum_yy - sum_y * sum_y
    if var_x <= 0 or var_y <= 0:
        return None
    return (n * sum_xy - sum_x * sum_y) / math.sqrt(var_x * var_y)


@dataclass
class OptionFigure:
    text_html: str
    is_correct: bool
    chosen: int
    #: graded answers to the question versions that showed this option
    shown: int

    @property
    def share(self) -> float | None:
        return self.chosen / self.shown if self.shown else None

    @property
    def dead(self) -> bool:
        """A distractor (almost) nobody chooses (only judged from MIN_ANSWERS answers on)."""
        return (not self.is_correct and self.shown >= MIN_ANSWERS and self.share is not None
                and self.share < DEAD_DISTRACTOR)


@dataclass
class ItemFigure:
    key: str
    type: str
    prompt_html: str
    #: position in the newest version that has the question (for the order of the table)
    position: int
    #: the question is in the course's current version
    current: bool
    answers: int = 0
    correct: int = 0
    sum_t: int = 0
    sum_xt: int = 0
    sum_tt: int = 0
    options: list[OptionFigure] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return self.answers >= MIN_ANSWERS

    @property
    def difficulty(self) -> float | None:
        """Share of answers that were correct (p)."""
        return self.correct / self.answers if self.enough else None

    @property
    def discrimination(self) -> float | None:
        if not self.enough:
            return None
        return point_biserial(self.answers, self.correct, self.sum_t, self.sum_xt, self.sum_tt)

    @property
    def flags(self) -> list[str]:
        if not self.enough:
            return []
        flags = []
        p = self.difficulty
        if p is not None and p > EASY:
            flags.append(TOO_EASY)
        if p is not None and p < HARD:
            flags.append(TOO_HARD)
        r = self.discrimination
        if r is not None and r < LOW_DISCRIMINATION:
            flags.append(NOT_DISCRIMINATING)
        if any(o.dead for o in self.options):
            flags.append(DEAD_DISTRACTORS)
        return flags


#: ``attempts`` first, then their items by ``ix_attempt_items_attempt_id``: SQLite keeps the order of a
#: CROSS JOIN (without statistics it otherwise scans every item of every course and looks up its attempt,
#: three times slower at 300,000 attempts); PostgreSQL plans the plain JOIN itself
_FROM = """
FROM attempts a {join} attempt_items i ON i.attempt_id = a.id
WHERE a.course_version_id IN (SELECT v.id FROM course_versions v WHERE v.course_id = :course_id)
  AND a.submitted_at IS NOT NULL AND i.is_correct IS NOT NULL
"""


def _join(dialect: str) -> str:
    return "CROSS JOIN" if dialect == "sqlite" else "JOIN"


def answer_groups(dialect: str) -> TextClause:
    """Graded answers of a course (``:course_id``) grouped by question row, attempt score, right or wrong,
    and for wrong answers the response (the JSON list of chosen option ids, as text): (question_id,
    score, x, response, n). One pass over the course's items. The score gives the attempt's number of
    correct items (:func:`correct_items`), so the sums for the correlation follow in Python; a right
    answer chose exactly the correct options, so only wrong answers need their response."""
    return text(
        "SELECT i.question_id, a.score, CASE WHEN i.is_correct THEN 1 ELSE 0 END AS x, "
        "CASE WHEN i.is_correct THEN NULL ELSE CAST(i.response AS TEXT) END AS response, COUNT(*) AS n"
        + _FROM.format(join=_join(dialect))
        + "GROUP BY i.question_id, a.score, CASE WHEN i.is_correct THEN 1 ELSE 0 END, "
          "CASE WHEN i.is_correct THEN NULL ELSE CAST(i.response AS TEXT) END")


def correct_items(score: int | None, items: int) -> int:
    """The number of correct items behind a score: the score is ``round(100 · t / items)`` half up
    (:func:`lms.learning.grading.score`), so ``t`` is exact for fewer than 100 items."""
    return ((score or 0) * items + 50) // 100


def course_items(course: Course) -> list[ItemFigure]:
    """Every question the course ever had (by id; text and position from the newest version that has
    it), with its figures over all versions."""
    dialect = db.session.get_bind().dialect.name
    params = {"course_id": course.id}
    questions = db.session.scalars(
        select(Question).join(CourseVersion, CourseVersion.id == Question.course_version_id)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.imported_at.desc(), CourseVersion.id.desc(), Question.position)
    ).all()
    pool = Counter(q.course_version_id for q in questions)
    draws = dict(db.session.execute(select(CourseVersion.id, CourseVersion.questions_per_attempt)
                                    .where(CourseVersion.course_id == course.id)).tuples().all())
    version_of = {q.id: q.course_version_id for q in questions}
    sums: dict[int, list[int]] = {}  # question id -> [n, Σx, Σt, Σxt, Σt²]
    chosen: Counter[int] = Counter()  # option id -> times chosen in wrong answers
    for question_id, score, x, response, n in db.session.execute(answer_groups(dialect), params):
        version = version_of[question_id]
        t = correct_items(score, min(draws[version], pool[version]))
        row = sums.setdefault(question_id, [0, 0, 0, 0, 0])
        row[0] += n
        row[1] += x * n
        row[2] += n * t
        row[3] += x * n * t
        row[4] += n * t * t
        if not x:
            for option_id in _option_ids(response):
                chosen[option_id] += n
    options_of: dict[int, list[QuestionOption]] = {}
    for option in db.session.scalars(
            select(QuestionOption).where(QuestionOption.question_id.in_(list(version_of)))
            .order_by(QuestionOption.question_id, QuestionOption.position)):
        options_of.setdefault(option.question_id, []).append(option)
    items: dict[str, ItemFigure] = {}
    option_rows: dict[tuple[str, str, bool], OptionFigure] = {}
    for question in questions:  # newest version first: its prompt and position describe the item
        item = items.get(question.key)
        if item is None:
            item = items[question.key] = ItemFigure(
                question.key, question.type, question.prompt_html, question.position,
                current=question.course_version_id == course.current_version_id)
        n, right, sum_t, sum_xt, sum_tt = sums.get(question.id, [0, 0, 0, 0, 0])
        item.answers += n
        item.correct += right
        item.sum_t += sum_t
        item.sum_xt += sum_xt
        item.sum_tt += sum_tt
        for option in options_of.get(question.id, []):
            key = (question.key, option.text_html, option.is_correct)
            figure = option_rows.get(key)
            if figure is None:
                figure = option_rows[key] = OptionFigure(option.text_html, option.is_correct, 0, 0)
                item.options.append(figure)
            # a right answer chose exactly the correct options; wrong answers as counted
            figure.chosen += (right if option.is_correct else 0) + chosen[option.id]
            figure.shown += n
    return sorted(items.values(), key=lambda i: (not i.current, i.position, i.key))


def _option_ids(response: str | None) -> list[int]:
    """The option ids of a stored response (JSON list; None, JSON null or garbage: none)."""
    try:
        value = json.loads(response) if response else None
    except ValueError:
        return []
    return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []
