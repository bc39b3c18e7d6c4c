"""A learner's progress, recomputed from the history in a fixed number of queries.

Reads only: the records (reads by module key, confirmations by text, attempts by major, completions)
are loaded for many courses at once and handed to the pure :func:`lms.learning.rules.progress`.
Pages and services both use this, so what a page shows is what completion is decided on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lms import db
from lms.catalog.models import Course, CourseVersion
from lms.learning import queries, rules
from lms.learning.models import Completion


@dataclass
class CourseHistory:
    modules: list[rules.ModuleFacts]
    read_keys: set[str]
    acked: set[tuple[str, str]]
    #: (major, latest passed submission) per major with a pass
    passes: list[tuple[int, datetime]]
    attempts: int
    latest: Completion | None
    #: a read or confirmation was given on a module row of an earlier version
    on_older_version: bool = False

    @property
    def is_started(self) -> bool:
        return bool(self.read_keys or self.acked or self.attempts)


def latest_facts(completion: Completion | None) -> rules.LatestCompletion | None:
    if completion is None:
        return None
    return rules.LatestCompletion(completion.completed_at, completion.valid_until,
                                  completion.course_version.major)


def histories(user_id: int, courses: Iterable[Course],
              latest: dict[int, Completion] | None = None) -> dict[int, CourseHistory]:
    """The history of ``user_id`` in each course (by course id), for its current version.

    Four queries (modules, reads, confirmations, attempts) plus one for completions unless ``latest``
    (course id -> latest completion) is given.
    """
    courses = [c for c in courses if c.current_version_id is not None]
    ids = [c.id for c in courses]
    by_version: dict[int, list[rules.ModuleFacts]] = defaultdict(list)
    current_ids: set[int] = set()
    for version_id, module_id, key, ack, text_hash in db.session.execute(
            queries.module_facts([c.current_version_id for c in courses])):  # type: ignore[misc]
        by_version[version_id].append(rules.ModuleFacts(key, bool(ack), text_hash))
        current_ids.add(module_id)
    older: set[int] = set()
    reads: dict[int, set[str]] = defaultdict(set)
    for course_id, key, module_id in db.session.execute(queries.read_keys(user_id, ids)):
        reads[course_id].add(key)
        if module_id not in current_ids:
            older.add(course_id)
    acks: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for course_id, key, text_hash, module_id in db.session.execute(queries.acked_texts(user_id, ids)):
        acks[course_id].add((key, text_hash))
        if module_id not in current_ids:
            older.add(course_id)
    passes: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    attempts: dict[int, int] = defaultdict(int)
    for course_id, major, count, passed_at in db.session.execute(queries.attempt_summary(user_id, ids)):
        attempts[course_id] += count
        if passed_at is not None:
            passes[course_id].append((major, passed_at))
    if latest is None:
        latest = {}
        for completion in db.session.scalars(queries.user_completions(user_id)).unique():
            latest.setdefault(completion.course_id, completion)
    return {c.id: CourseHistory(by_version[c.current_version_id], reads[c.id],  # type: ignore[index]
                                acks[c.id], passes[c.id], attempts[c.id], latest.get(c.id), c.id in older)
            for c in courses}


def compute(history: CourseHistory, version: CourseVersion, now: datetime) -> rules.Progress:
    return rules.progress(history.modules, history.read_keys, history.acked, history.passes,
                          latest_facts(history.latest), version.renewal_major, now)


def of_course(user_id: int, course: Course, now: datetime) -> tuple[CourseHistory, rules.Progress]:
    history = histories(user_id, [course])[course.id]
    assert course.current_version is not None
    return history, compute(history, course.current_version, now)
