"""Course rows made directly (not through the importer), and helpers to answer attempts."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from lms import db
from lms.catalog.fingerprint import text_hash
from lms.catalog.models import Course, CourseVersion, Module, Question, QuestionOption
from lms.competence.models import CompetenceArea
from lms.learning import queries
from lms.learning.models import Attempt

_seq = itertools.count(1)
TYPES = ("single", "multiple", "true_false")


def _area(key: str = "grundlagen") -> str:
    if db.session.get(CompetenceArea, key) is None:
        db.session.add(CompetenceArea(key=key, name_de="Grundlagen", name_en="Basics"))
        db.session.flush()
    return key


def create_course(
    slug: str | None = None,
    version: str = "1.0.0",
    *,
    course: Course | None = None,
    title: str | None = None,
    modules: int = 3,
    acknowledge: Iterable[int] = (),
    questions: int = 6,
    types: Iterable[str] = TYPES,
    per_attempt: int = 4,
    attempts_per_day: int = 3,
    pass_mark: int = 75,
    show_solutions: str = "after_pass",
    validity_months: int = 24,
    awards: dict[str, int] | None = None,
    make_current: bool = True,
    module_html: str = "<p>Inhalt</p>",
) -> CourseVersion:
    """A course version with ``modules`` modules (1-based positions in ``acknowledge`` need a
    confirmation) and ``questions`` questions cycling through ``types``. Options: single choice has
    four with the first correct, multiple choice four with the first two correct, true/false two
    ("Wahr" correct). Commits."""
    n = next(_seq)
    if course is None:
        course = Course(slug=slug or f"kurs-{n}")
        db.session.add(course)
        db.session.flush()
    ack = set(acknowledge)
    cv = CourseVersion(
        course=course, version=version, major=int(version.split(".")[0]), content_hash=f"{n:064d}",
        title=title or f"Kurs {course.slug}", summary="Worum es geht", minutes=10 * modules,
        audience="alle", awards=awards if awards is not None else {"grundlagen": 2},
        validity_months=validity_months, pass_mark=pass_mark, questions_per_attempt=per_attempt,
        attempts_per_day=attempts_per_day, show_solutions=show_solutions,
        renewal_major=int(version.split(".")[0]))
    for pos in range(1, modules + 1):
        cv.modules.append(Module(position=pos, slug=f"{pos:02d}-modul-{pos}", key=f"modul-{pos}",
                                 title=f"Modul {pos}", minutes=10, acknowledge=pos in ack, html=module_html,
                                 text_hash=text_hash(f"Modul {pos}", module_html)))
    area = _area()
    type_cycle = itertools.cycle(types)
    for pos in range(1, questions + 1):
        qtype = next(type_cycle)
        q = Question(key=f"q{pos}", position=pos, type=qtype, area_key=area,
                     prompt_html=f"<p>Frage {pos}?</p>", explanation_html=f"<p>Erklärung {pos}</p>",
                     source="Art. 4 KI-VO")
        if qtype == "true_false":
            q.options = [QuestionOption(position=1, text_html="Wahr", is_correct=True),
                         QuestionOption(position=2, text_html="Falsch", is_correct=False)]
        else:
            n_correct = 1 if qtype == "single" else 2
            q.options = [QuestionOption(position=i, text_html=f"Antwort {pos}.{i}", is_correct=i <= n_correct)
                         for i in range(1, 5)]
        cv.questions.append(q)
    db.session.add(cv)
    db.session.flush()
    if make_current:
        course.current_version = cv
    db.session.commit()
    return cv


def load_attempt(attempt_id: int) -> Attempt:
    """A fresh copy of the attempt with everything loaded; the test's transaction is ended so that
    the SQLite write lock is free for the next request of the test client."""
    query = queries.attempt_with_items(attempt_id).execution_options(populate_existing=True)
    attempt = db.session.scalars(query).unique().one()
    db.session.commit()
    return attempt


def answers(attempt: Attempt, *, wrong: Iterable[int] = ()) -> dict[str, list[str]]:
    """Form data answering every item correctly, except the item positions in ``wrong``
    (answered with the first incorrect option)."""
    wrong = set(wrong)
    data: dict[str, Any] = {}
    for item in attempt.items:
        options = {o.id: o for o in item.question.options}
        if item.position in wrong:
            chosen = [next(oid for oid in item.option_order if not options[oid].is_correct)]
        else:
            chosen = [oid for oid in item.option_order if options[oid].is_correct]
        data[f"item-{item.id}"] = [str(c) for c in chosen]
    return data


def read_all(user_id: int, cv: CourseVersion) -> None:
    """Mark every module read and every acknowledgement given (through the services). Commits."""
    from lms.learning import services

    for module in cv.modules:
        if module.acknowledge:
            services.acknowledge(user_id, module)
        else:
            services.mark_read(user_id, module)
    db.session.commit()
