"""Item statistics (lms.catalog.stats) against a small dataset computed by hand, the 20-answer floor,
the page and the CLI table. Runs on SQLite and, with ``make pytest-pg``, on PostgreSQL."""

from __future__ import annotations

import statistics as st
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.catalog import stats
from lms.catalog.models import Course, CourseVersion
from lms.db import utcnow
from lms.learning import grading
from lms.learning.models import Attempt, AttemptItem
from tests.learning.factories import create_course

#: (q1, q2, q3) right (1) or wrong (0) per attempt, and how many attempts had that pattern
PATTERNS = [((1, 1, 1), 8), ((1, 1, 0), 4), ((1, 0, 0), 4), ((0, 1, 0), 2), ((0, 0, 0), 2)]


def _answer(version: CourseVersion, user_id: int, pattern: tuple[int, ...], wrong: dict[str, list[int | None]],
            submitted: bool = True) -> None:
    """One attempt on ``version`` answering q1..q3 as ``pattern`` says; a wrong answer takes the next
    response in ``wrong[key]`` (option positions 1..4; None: no answer)."""
    questions = {q.key: q for q in version.questions}
    attempt = Attempt(user_id=user_id, course_version_id=version.id, started_at=utcnow() - timedelta(hours=1))
    db.session.add(attempt)
    db.session.flush()
    for position, (key, x) in enumerate(zip(("q1", "q2", "q3"), pattern, strict=True), start=1):
        question = questions[key]
        ids = {o.position: o.id for o in question.options}
        if not submitted:
            response, correct = None, None
        elif x:
            response, correct = [o.id for o in question.options if o.is_correct], True
        else:
            chosen = wrong[key].pop(0)
            response, correct = (None if chosen is None else [ids[p] for p in chosen]), False
        db.session.add(AttemptItem(attempt_id=attempt.id, position=position, question_id=question.id,
                                   option_order=list(ids.values()), response=response, is_correct=correct))
    if submitted:
        attempt.submitted_at = utcnow()
        attempt.score = grading.score([grading.Grade(0, bool(x), (), ()) for x in pattern])
        attempt.passed = attempt.score >= version.pass_mark


@pytest.fixture
def course(app, make_user) -> Course:
    """Two versions of one course, the same three questions (q1, q2 single; q3 multiple with options 1
    and 2 correct); the 20 attempts of PATTERNS, half on each version; an open attempt; and another
    course's attempts, which must not count."""
    user = make_user("employee")
    v1 = create_course("statistik", types=("single", "single", "multiple"), questions=3, per_attempt=3)
    v2 = create_course(course=v1.course, version="1.1.0", types=("single", "single", "multiple"), questions=3,
                       per_attempt=3)
    # wrong answers: q1 three times option 2, once no answer; q2 option 3; q3 partly right or with option 3
    wrong = {"q1": [(2,), (2,), (2,), None], "q2": [(3,)] * 6, "q3": [(1,)] * 6 + [(1, 3)] * 6}
    n = 0
    for pattern, count in PATTERNS:
        for _ in range(count):
            _answer(v1 if n % 2 else v2, user.id, pattern, wrong)
            n += 1
    assert all(not left for left in wrong.values())
    _answer(v2, user.id, (1, 1, 1), wrong, submitted=False)
    other = create_course("anderer-kurs", types=("single", "single", "multiple"), questions=3, per_attempt=3)
    for _ in range(5):
        _answer(other, user.id, (0, 0, 0), {"q1": [(2,)], "q2": [(2,)], "q3": [(3,)]})
    db.session.commit()
    return v1.course


def rest_correlation(item: int) -> float:
    """Pearson correlation of item ``item`` with the sum of the other items, over the expanded data."""
    rows = [pattern for pattern, count in PATTERNS for _ in range(count)]
    xs = [r[item] for r in rows]
    ys = [sum(r) - r[item] for r in rows]
    return st.correlation(xs, ys)


def test_difficulty_discrimination_and_options_match_the_hand_computation(course) -> None:
    items = {i.key: i for i in stats.course_items(course)}
    assert list(items) == ["q1", "q2", "q3"]
    q1, q2, q3 = items["q1"], items["q2"], items["q3"]
    assert [q1.answers, q2.answers, q3.answers] == [20, 20, 20]  # the open attempt does not count
    assert [q1.difficulty, q2.difficulty, q3.difficulty] == [0.8, 0.7, 0.4]
    # q1 against the rest score y = q2 + q3: n = 20, Σx = 16, Σy = 22, Σxy = 20, Σy² = 38, so
    # r = (20·20 − 16·22) / sqrt((20·16 − 16²)(20·38 − 22²)) = 48 / sqrt(64 · 276) ≈ 0.3612
    for index, item in enumerate((q1, q2, q3)):
        assert item.discrimination == pytest.approx(rest_correlation(index))
    assert q1.discrimination == pytest.approx(48 / 17664 ** 0.5) and round(q1.discrimination, 4) == 0.3612
    # options merged across the two versions by text; shares of the 20 answers
    assert [(o.text_html, o.chosen, o.shown) for o in q1.options] == [
        ("Antwort 1.1", 16, 20), ("Antwort 1.2", 3, 20), ("Antwort 1.3", 0, 20), ("Antwort 1.4", 0, 20)]
    assert [o.chosen for o in q2.options] == [14, 0, 6, 0]
    # multiple: a wrong answer may contain a correct option; 8 right + 12 partly right choose option 1
    assert [o.chosen for o in q3.options] == [20, 8, 6, 0]
    assert [o.dead for o in q3.options] == [False, False, False, True]


def test_flags(course) -> None:
    items = {i.key: i for i in stats.course_items(course)}
    assert items["q1"].flags == [stats.DEAD_DISTRACTORS]
    assert items["q2"].flags == [stats.DEAD_DISTRACTORS]
    assert items["q3"].discrimination > stats.LOW_DISCRIMINATION


def test_point_biserial_from_sums_equals_pearson() -> None:
    xs = [1, 1, 0, 1, 0, 0, 1, 1]
    ts = [5, 4, 2, 3, 3, 1, 4, 2]  # totals including the item
    sums = (len(xs), sum(xs), sum(ts), sum(x * t for x, t in zip(xs, ts, strict=True)), sum(t * t for t in ts))
    assert stats.point_biserial(*sums) == pytest.approx(
        st.correlation(xs, [t - x for x, t in zip(xs, ts, strict=True)]))
    assert stats.point_biserial(4, 4, 10, 10, 30) is None  # everyone right: no variance
    assert stats.point_biserial(1, 1, 1, 1, 1) is None


def test_correct_items_from_score() -> None:
    for items in range(1, 30):
        for right in range(items + 1):
            score = grading.score([grading.Grade(0, i < right, (), ()) for i in range(items)])
            assert stats.correct_items(score, items) == right


def test_flag_thresholds() -> None:
    def item(answers: int, correct: int) -> stats.ItemFigure:
        # the item is the whole attempt (t = x): the rest score has no variance, no discrimination
        return stats.ItemFigure("k", "single", "", 1, True, answers=answers, correct=correct, sum_t=correct,
                                sum_xt=correct, sum_tt=correct)

    assert item(100, 96).flags == [stats.TOO_EASY]
    assert item(100, 95).flags == []
    assert item(100, 19).flags == [stats.TOO_HARD]
    assert item(100, 20).flags == []


def test_fewer_than_20_answers_show_nothing(app, make_user) -> None:
    user = make_user("employee")
    version = create_course("wenig", types=("single", "single", "multiple"), questions=3, per_attempt=3)
    for _ in range(19):
        _answer(version, user.id, (1, 0, 1), {"q1": [], "q2": [(2,)], "q3": []})
    db.session.commit()
    (q1, *_) = stats.course_items(db.session.get(Course, version.course_id))
    assert q1.answers == 19 and not q1.enough
    assert q1.difficulty is None and q1.discrimination is None and q1.flags == []
    assert not any(o.dead for o in q1.options)
    _answer(version, user.id, (1, 0, 1), {"q1": [], "q2": [(2,)], "q3": []})
    db.session.commit()
    (q1, *_) = stats.course_items(db.session.get(Course, version.course_id))
    assert q1.enough and q1.difficulty == 1.0 and q1.flags == [stats.TOO_EASY, stats.DEAD_DISTRACTORS]


def test_page_shows_figures_and_no_names(course, client, login_as) -> None:
    login_as("author")
    html = client.get("/katalog/statistik/statistik").get_data(as_text=True).replace("\xa0", " ")
    assert "Fragenstatistik" in html and "<caption" in html and 'scope="row"' in html
    assert "80 %" in html and "0,36" in html and "lenkt nicht ab" in html
    assert "Employee" not in html and "person" not in html
    assert client.get("/katalog/gibt-es-nicht/statistik").status_code == 404


def test_page_says_too_few_answers(app, client, login_as) -> None:
    create_course("leer")
    login_as("author")
    html = client.get("/katalog/leer/statistik").get_data(as_text=True)
    assert html.count("zu wenige Antworten") == 6


def test_page_in_english(course, client, login_as) -> None:
    login_as("author")
    html = client.get("/katalog/statistik/statistik", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Question statistics" in html and "0.36" in html


def test_cli_table(course, runner) -> None:
    result = runner.invoke(args=["courses", "stats", "statistik"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("statistik")
    assert any(line.startswith("| q1 | 20 | 80 % | 0.36 |") and "distractor" in line for line in lines)
    assert runner.invoke(args=["courses", "stats", "gibt-es-nicht"]).exit_code == 1
    every = runner.invoke(args=["courses", "stats"])
    assert "statistik" in every.output and "anderer-kurs" in every.output


def test_course_query_counts_only_its_versions(course) -> None:
    other = db.session.scalar(select(Course).where(Course.slug == "anderer-kurs"))
    items = stats.course_items(other)
    assert [i.answers for i in items] == [5, 5, 5]
