"""What a new course version does to learners, shown on the catalogue page before the import and
recorded with it. Counts only (no names), from aggregate queries, one set per changed course.

The catalogue (a lower layer) calls this through ``app.extensions`` (see :mod:`lms.catalog.services`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import func, select, union

from lms import db
from lms.catalog.models import Course, CourseVersion
from lms.db import utcnow
from lms.learning.models import Acknowledgement, Attempt, Completion, ModuleProgress


@dataclass(frozen=True)
class CourseImpact:
    #: people whose completion counts now
    completed: int
    #: of them, asked to renew by the new version (a major that requires renewal)
    renewing: int
    #: people who started (read, confirmed or attempted) without a completion that counts
    in_progress: int
    #: of them, with a passed quiz that stops counting (a major that requires renewal)
    passes_lost: int
    #: unsubmitted attempts on the course: they can be finished and are graded against their own draw
    open_attempts: int
    #: module key -> people whose confirmation is for the old text of a changed module
    reacknowledge: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def reacknowledge_total(self) -> int:
        return sum(self.reacknowledge.values())


def course_impact(course: Course, diff, now: datetime | None = None) -> CourseImpact:
    """``diff`` is a :class:`lms.catalog.services.VersionDiff` of the course's current version."""
    now = now or utcnow()
    current = course.current_version
    assert current is not None
    counting = (select(Completion.user_id)
                .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
                .where(Completion.course_id == course.id, Completion.valid_until > now,
                       CourseVersion.major >= current.renewal_major)
                .distinct())
    completed = db.session.scalar(select(func.count()).select_from(counting.subquery())) or 0
    started = union(
        select(ModuleProgress.user_id).where(ModuleProgress.course_id == course.id),
        select(Acknowledgement.user_id).where(Acknowledgement.course_id == course.id),
        select(Attempt.user_id).join(CourseVersion, CourseVersion.id == Attempt.course_version_id)
        .where(CourseVersion.course_id == course.id),
    ).subquery()
    in_progress = db.session.scalar(select(func.count()).select_from(started)
                                    .where(started.c.user_id.not_in(counting))) or 0
    passes_lost = 0
    if diff.renewal:
        passed_before = (select(Attempt.user_id)
                         .join(CourseVersion, CourseVersion.id == Attempt.course_version_id)
                         .where(CourseVersion.course_id == course.id, Attempt.passed.is_(True),
                                CourseVersion.major >= current.renewal_major)
                         .distinct().subquery())
        passes_lost = db.session.scalar(select(func.count()).select_from(passed_before)
                                        .where(passed_before.c.user_id.not_in(counting))) or 0
    open_attempts = db.session.scalar(
        select(func.count(Attempt.id)).join(CourseVersion, CourseVersion.id == Attempt.course_version_id)
        .where(CourseVersion.course_id == course.id, Attempt.submitted_at.is_(None))) or 0
    reacknowledge = {}
    for module in diff.modules_by("changed"):
        if module.acknowledge and module.old_text_hash is not None:
            reacknowledge[module.key] = db.session.scalar(
                select(func.count(func.distinct(Acknowledgement.user_id)))
                .where(Acknowledgement.course_id == course.id, Acknowledgement.module_key == module.key,
                       Acknowledgement.text_hash == module.old_text_hash)) or 0
    return CourseImpact(completed=completed, renewing=completed if diff.renewal else 0,
                        in_progress=in_progress, passes_lost=passes_lost, open_attempts=open_attempts,
                        reacknowledge=reacknowledge)
