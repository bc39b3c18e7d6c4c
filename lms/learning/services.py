"""Writes of the learner's journey: progress, acknowledgements, attempts, completions.

Services add and flush, never commit; the view commits once. Decisions are made by the pure
functions in :mod:`lms.learning.grading` and :mod:`lms.learning.rules`; this module records them.
"""

from __future__ import annotations

import base64
import logging
import random
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lms import db
from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion, Module, Question
from lms.db import utcnow
from lms.learning import grading, progress, queries, rules, summaries
from lms.learning.models import Acknowledgement, Attempt, AttemptItem, Completion, ModuleProgress
from lms.learning.signals import completion_recorded

log = logging.getLogger(__name__)


class LimitReached(Exception):
    """The attempts allowed per 24 hours are used up; ``next_at`` says when the next one is possible."""

    def __init__(self, next_at: datetime, limit: int) -> None:
        super().__init__(f"attempt limit {limit} reached until {next_at.isoformat()}")
        self.next_at = next_at
        self.limit = limit


class EmptyPool(Exception):
    """The version has no questions (the linter prevents this; a guard, not a normal path)."""


class TamperedAnswers(ValueError):
    """The submitted form names a question or option that is not part of this attempt."""


def _insert_once(obj: object) -> bool:
    """Add a row guarded by a unique constraint; False if a concurrent request added it first."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
        return True
    except IntegrityError:
        return False


# -- reading and acknowledging -------------------------------------------------------------------

def mark_read(user_id: int, module: Module, now: datetime | None = None) -> bool:
    """Record that the user read ``module``. Idempotent: returns False when a module with the same key
    was read already (on this or any version of the course)."""
    course_id = module.course_version.course_id
    if db.session.scalar(queries.module_read(user_id, course_id, module.key)) is not None:
        return False
    return _insert_once(ModuleProgress(user_id=user_id, module_id=module.id, course_id=course_id,
                                       module_key=module.key, read_at=now or utcnow()))


def acknowledge(user_id: int, module: Module, now: datetime | None = None) -> bool:
    """Record the confirmation of the module's current text (and mark it read). Idempotent: returns
    False when this text was confirmed already. A confirmation of an earlier text stays untouched."""
    if not module.acknowledge:
        raise ValueError("module needs no acknowledgement")
    now = now or utcnow()
    mark_read(user_id, module, now)
    course_id = module.course_version.course_id
    if db.session.scalar(queries.module_acknowledged(user_id, course_id, module.key, module.text_hash)) is not None:
        return False
    created = _insert_once(Acknowledgement(user_id=user_id, module_id=module.id,
                                           course_version_id=module.course_version_id, course_id=course_id,
                                           module_key=module.key, text_hash=module.text_hash,
                                           acknowledged_at=now))
    if created:
        log.info("user %s acknowledged module %s (version %s)", user_id, module.id,
                 module.course_version_id)
    return created


# -- quiz attempts -------------------------------------------------------------------------------

def _lock_user(user_id: int) -> None:
    """Serialise attempt starts of one user (PostgreSQL row lock; SQLite writes are serial anyway),
    so two concurrent clicks cannot both pass the limit check."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def open_attempt(user_id: int, course_id: int, renewal_major: int) -> Attempt | None:
    """The newest unsubmitted attempt on any version of the course whose pass would still count."""
    return db.session.scalar(queries.course_attempts(user_id, course_id)
                             .where(Attempt.submitted_at.is_(None), CourseVersion.major >= renewal_major)
                             .limit(1))


def start_attempt(user_id: int, version: CourseVersion, *, now: datetime | None = None,
                  rng: random.Random | None = None) -> Attempt:
    """Start an attempt on ``version``: draw the questions and fix each option order.

    An unsubmitted attempt on the course is resumed instead, also one started on an earlier version (it is
    graded against its own draw), unless its major no longer counts; a double click on "start" does not
    use up an attempt. Raises :class:`LimitReached` when the attempts of the last 24 hours on any
    version of the course reach ``attempts_per_day``.
    """
    now = now or utcnow()
    rng = rng or random.Random(secrets.randbits(64))  # noqa: S311 (order of questions, not a secret)
    _lock_user(user_id)
    existing = open_attempt(user_id, version.course_id, version.renewal_major)
    if existing is not None:
        return existing
    started = db.session.scalars(
        queries.started_since(user_id, version.course_id, now - rules.ATTEMPT_WINDOW)).all()
    next_at = rules.next_attempt_at(started, version.attempts_per_day, now)
    if next_at is not None:
        raise LimitReached(next_at, version.attempts_per_day)
    pool = db.session.scalars(queries.pool(version.id)).all()
    if not pool:
        raise EmptyPool(version.id)
    attempt = Attempt(user_id=user_id, course_version_id=version.id, started_at=now)
    for position, question in enumerate(grading.draw(pool, version.questions_per_attempt, rng), 1):
        order = grading.shuffle_options(question.type, [o.id for o in question.options], rng)
        attempt.items.append(AttemptItem(position=position, question_id=question.id, option_order=order))
    db.session.add(attempt)
    db.session.flush()
    log.info("user %s started attempt %s on version %s", user_id, attempt.id, version.id)
    return attempt


def parse_answers(attempt: Attempt, form: Mapping[str, Sequence[str]]) -> dict[int, list[int]]:
    """Read ``item-<item id>`` fields into {item id: sorted option ids}.

    Raises :class:`TamperedAnswers` for an item not in this attempt, an option not shown in that
    item, a non-number, or several options on a single-choice question. Other fields are ignored.
    """
    items = {item.id: item for item in attempt.items}
    answers: dict[int, list[int]] = {}
    for key, values in form.items():
        if not key.startswith("item-"):
            continue
        try:
            item = items[int(key.removeprefix("item-"))]
        except (ValueError, KeyError):
            raise TamperedAnswers(f"question {key!r} is not part of attempt {attempt.id}") from None
        chosen: set[int] = set()
        for value in values:
            try:
                option_id = int(value)
            except ValueError:
                raise TamperedAnswers(f"option {value!r} is not a number") from None
            if option_id not in item.option_order:
                raise TamperedAnswers(f"option {option_id} is not part of item {item.id}")
            chosen.add(option_id)
        if item.question.type != "multiple" and len(chosen) > 1:
            raise TamperedAnswers(f"several options for single-choice item {item.id}")
        answers[item.id] = sorted(chosen)
    return answers


def save_answers(attempt: Attempt, answers: Mapping[int, list[int]]) -> bool:
    """Store the answers given so far (the form always carries the whole attempt).

    Returns False, storing nothing, when the attempt is submitted. That is read under a row lock
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's writers are serial): a submit that committed after
    this request loaded the attempt is seen, and one that starts later waits for this save, so a graded
    attempt's answers are never overwritten.
    """
    submitted_at = db.session.scalar(
        select(Attempt.submitted_at).where(Attempt.id == attempt.id).with_for_update())
    if attempt.submitted_at is not None or submitted_at is not None:
        return False
    for item in attempt.items:
        item.response = answers.get(item.id) or None
    db.session.flush()
    return True


def question_data(question: Question) -> grading.QuestionData:
    return grading.QuestionData(
        question.id, question.type,
        tuple(grading.OptionData(o.id, o.is_correct) for o in question.options))


def submit(attempt: Attempt, answers: Mapping[int, list[int]], *, now: datetime | None = None) -> bool:
    """Grade and close the attempt, exactly once.

    The ``UPDATE ... WHERE submitted_at IS NULL`` claims the attempt in this transaction: a second
    submission (double click, resent form, a concurrent request) updates no row and returns False,
    leaving the first result untouched. A pass completes the version when everything else is done.
    """
    now = now or utcnow()
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for item in attempt.items:
        item.response = answers.get(item.id) or None
    grades = [grading.grade(question_data(item.question), item.response) for item in attempt.items]
    for item, result in zip(attempt.items, grades, strict=True):
        item.is_correct = result.is_correct
    attempt.score = grading.score(grades)
    attempt.passed = grading.passed(attempt.score, attempt.course_version.pass_mark)
    db.session.flush()
    set_committed_value(attempt, "submitted_at", now)
    log.info("attempt %s submitted: %s%% passed=%s", attempt.id, attempt.score, attempt.passed)
    if attempt.passed:
        course = attempt.course_version.course
        if course.current_version is not None and course.is_active:
            complete_if_done(attempt.user_id, course, now=now)
    return True


# -- completion ----------------------------------------------------------------------------------

def new_certificate_code() -> str:
    """128 random bits as 26 characters of base32 (A–Z, 2–7): no 0/1/8, so nothing to confuse
    when typed from paper, and URL-safe. Uniqueness is enforced by the database."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def holder_names(user: User) -> tuple[str, str | None]:
    """The holder's full name and "E. Mustermann" as printed and verified, at issue time."""
    if user.employee is not None:
        return (f"{user.employee.first_name} {user.employee.last_name}",
                f"{user.employee.first_name[:1]}. {user.employee.last_name}")
    return user.display_name or user.email, None


def complete_if_done(user_id: int, course: Course, *, now: datetime | None = None) -> Completion | None:
    """Record a completion of the course's current version when every requirement is met (every module
    read, every confirmation of the current text given, a pass that counts) and no valid completion
    exists, in the caller's transaction. Returns None otherwise. Each passed attempt completes at most
    once (a unique constraint), so concurrent calls cannot complete twice."""
    now = now or utcnow()
    version = course.current_version
    assert version is not None
    history, state = progress.of_course(user_id, course, now)
    if state.completion_status == "valid" or not state.requirements_met:
        return None
    cycle_start = (history.latest.completed_at if history.latest is not None else None)
    attempt = db.session.scalar(
        queries.course_attempts(user_id, course.id)
        .where(Attempt.passed.is_(True), CourseVersion.major >= version.renewal_major,
               *([Attempt.submitted_at > cycle_start] if cycle_start is not None else []))
        .order_by(None).order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(1))
    if attempt is None:  # the rules saw a pass; the row must exist
        return None
    user = db.session.get(User, user_id)
    assert user is not None
    holder_name, holder_short = holder_names(user)
    completion = Completion(
        user_id=user_id, course_id=course.id, course_version_id=version.id,
        attempt_id=attempt.id, completed_at=now,
        valid_until=rules.add_months(now, version.validity_months), awards=dict(version.awards or {}),
        certificate_code=new_certificate_code(), holder_name=holder_name, holder_short=holder_short)
    if not _insert_once(completion):
        return None
    if user.employee_id is not None:
        summaries.sync([user.employee_id])
    completion_recorded.send(current_app._get_current_object(), completion=completion)
    log.info("user %s completed course %s version %s", user_id, course.id, version.version)
    return completion
