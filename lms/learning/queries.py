"""Reads of the learner's journey. Each function returns a ``Select``; the caller executes it.

Every page of the journey stays within a fixed number of queries however many courses, modules or
attempts there are: lists are loaded in one query each and counts are grouped in SQL.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import aliased, contains_eager, joinedload, load_only, selectinload

from lms.audit.models import AuditEvent
from lms.auth.models import Invitation, User
from lms.catalog.models import Course, CourseVersion, Module, Question
from lms.competence.models import CompetenceTarget, PersonContribution
from lms.db import UTCDateTime
from lms.learning.models import Acknowledgement, Attempt, AttemptItem, Completion, ModuleProgress
from lms.org.models import OrgUnit


def active_courses() -> Select[tuple[Course]]:
    """Active courses with a current version, the version loaded in the same query, by title."""
    return (select(Course)
            .join(Course.current_version)
            .options(contains_eager(Course.current_version))
            .where(Course.is_active.is_(True))
            .order_by(CourseVersion.title, Course.id))


def course_by_slug(slug: str) -> Select[tuple[Course]]:
    return active_courses().where(Course.slug == slug)


def module_facts(version_ids: Collection[int]) -> Select[tuple[int, int, str, bool, str]]:
    """(version id, module id, key, acknowledge, text hash) of every module of these versions."""
    return (select(Module.course_version_id, Module.id, Module.key, Module.acknowledge, Module.text_hash)
            .where(Module.course_version_id.in_(version_ids))
            .order_by(Module.course_version_id, Module.position))


def read_keys(user_id: int, course_ids: Collection[int]) -> Select[tuple[int, str, int]]:
    """(course id, module key, module id read) of every module the user has read on any version of these
    courses."""
    return (select(ModuleProgress.course_id, ModuleProgress.module_key, ModuleProgress.module_id)
            .where(ModuleProgress.user_id == user_id, ModuleProgress.course_id.in_(course_ids)))


def acked_texts(user_id: int, course_ids: Collection[int]) -> Select[tuple[int, str, str, int]]:
    """(course id, module key, text hash, module id) of every confirmation the user gave in these courses."""
    return (select(Acknowledgement.course_id, Acknowledgement.module_key, Acknowledgement.text_hash,
                   Acknowledgement.module_id)
            .where(Acknowledgement.user_id == user_id, Acknowledgement.course_id.in_(course_ids)))


def attempt_summary(user_id: int, course_ids: Collection[int]) -> Select[tuple[int, int, int, datetime | None]]:
    """(course id, major, attempts, latest submission of a passed attempt) per course and major."""
    return (select(CourseVersion.course_id, CourseVersion.major, func.count(),
                   type_coerce(func.max(case((Attempt.passed.is_(True), Attempt.submitted_at), else_=None)),
                               UTCDateTime))
            .join(CourseVersion, CourseVersion.id == Attempt.course_version_id)
            .where(Attempt.user_id == user_id, CourseVersion.course_id.in_(course_ids))
            .group_by(CourseVersion.course_id, CourseVersion.major))


def user_completions(user_id: int) -> Select[tuple[Completion]]:
    """The user's completions, newest first, with course and version (one joined query)."""
    return (select(Completion)
            .options(joinedload(Completion.course_version), joinedload(Completion.course))
            .where(Completion.user_id == user_id)
            .order_by(Completion.completed_at.desc(), Completion.id.desc()))


def completion_facts(user_id: int) -> Select[tuple[str, str, dict, datetime, datetime, int, int | None]]:
    """Each completion of the user as the competence profile needs it, in one query: course slug, title
    (of the current version, else of the version completed), awards, completed at, valid until, the
    major completed and the current version's ``renewal_major`` (None without a current version)."""
    done = aliased(CourseVersion)
    current = aliased(CourseVersion)
    return (select(Course.slug, func.coalesce(current.title, done.title), Completion.awards,
                   Completion.completed_at, Completion.valid_until, done.major, current.renewal_major)
            .join(done, done.id == Completion.course_version_id)
            .join(Course, Course.id == Completion.course_id)
            .outerjoin(current, current.id == Course.current_version_id)
            .where(Completion.user_id == user_id)
            .order_by(Completion.completed_at, Completion.id))


def latest_completion(user_id: int, course_id: int) -> Select[tuple[Completion]]:
    return user_completions(user_id).where(Completion.course_id == course_id).limit(1)


def completion_of_attempt(attempt_id: int) -> Select[tuple[Completion]]:
    return select(Completion).where(Completion.attempt_id == attempt_id)


def module_outline(version_id: int) -> Select[tuple[Module]]:
    """Modules of a version without their HTML (an outline, not the content)."""
    return (select(Module)
            .options(load_only(Module.id, Module.position, Module.slug, Module.key, Module.title,
                               Module.minutes, Module.acknowledge, Module.text_hash, Module.course_version_id))
            .where(Module.course_version_id == version_id)
            .order_by(Module.position))


def module_at(version_id: int, position: int) -> Select[tuple[Module]]:
    return select(Module).where(Module.course_version_id == version_id, Module.position == position)


def module_read(user_id: int, course_id: int, key: str) -> Select[tuple[int]]:
    return select(ModuleProgress.id).where(ModuleProgress.user_id == user_id,
                                           ModuleProgress.course_id == course_id,
                                           ModuleProgress.module_key == key).limit(1)


def module_acknowledged(user_id: int, course_id: int, key: str, text_hash: str) -> Select[tuple[int]]:
    return select(Acknowledgement.id).where(Acknowledgement.user_id == user_id,
                                            Acknowledgement.course_id == course_id,
                                            Acknowledgement.module_key == key,
                                            Acknowledgement.text_hash == text_hash).limit(1)


def course_attempts(user_id: int, course_id: int) -> Select[tuple[Attempt]]:
    """The user's attempts on every version of a course, newest first, with their version."""
    return (select(Attempt)
            .join(CourseVersion, CourseVersion.id == Attempt.course_version_id)
            .options(contains_eager(Attempt.course_version))
            .where(Attempt.user_id == user_id, CourseVersion.course_id == course_id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc()))


def started_since(user_id: int, course_id: int, since: datetime) -> Select[tuple[datetime]]:
    """Start times of the user's attempts on any version of the course since ``since`` (the limit
    counts started attempts, submitted or not)."""
    return (select(Attempt.started_at)
            .join(CourseVersion, CourseVersion.id == Attempt.course_version_id)
            .where(Attempt.user_id == user_id, CourseVersion.course_id == course_id,
                   Attempt.started_at > since)
            .order_by(Attempt.started_at))


def attempt_with_items(attempt_id: int) -> Select[tuple[Attempt]]:
    """An attempt with its version and course, its items, their questions and options: three
    queries in all (the attempt row joined, then items+questions, then options), however many
    questions it has."""
    return (select(Attempt)
            .options(joinedload(Attempt.course_version).joinedload(CourseVersion.course),
                     selectinload(Attempt.items).joinedload(AttemptItem.question)
                     .selectinload(Question.options))
            .where(Attempt.id == attempt_id))


def pool(version_id: int) -> Select[tuple[Question]]:
    """The question pool of a version in authored order, options loaded (one extra query)."""
    return (select(Question).options(selectinload(Question.options))
            .where(Question.course_version_id == version_id)
            .order_by(Question.position, Question.id))


def user_attempts(user_id: int) -> Select[tuple[Attempt]]:
    """All attempts of a user with version and course, newest first (for "Meine Daten")."""
    return (select(Attempt)
            .options(joinedload(Attempt.course_version).joinedload(CourseVersion.course))
            .where(Attempt.user_id == user_id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc()))


def user_acknowledgements(user_id: int) -> Select[tuple[Acknowledgement, Module, CourseVersion]]:
    return (select(Acknowledgement, Module, CourseVersion)
            .join(Module, Module.id == Acknowledgement.module_id)
            .join(CourseVersion, CourseVersion.id == Acknowledgement.course_version_id)
            .options(load_only(Module.id, Module.title, Module.position),
                     load_only(CourseVersion.id, CourseVersion.title, CourseVersion.version))
            .where(Acknowledgement.user_id == user_id)
            .order_by(Acknowledgement.acknowledged_at))


def user_progress_by_version(user_id: int) -> Select[tuple[str, str, int]]:
    """(course title, version, modules read) per version the user has read in."""
    return (select(CourseVersion.title, CourseVersion.version, func.count())
            .select_from(ModuleProgress)
            .join(Module, Module.id == ModuleProgress.module_id)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .where(ModuleProgress.user_id == user_id)
            .group_by(CourseVersion.id, CourseVersion.title, CourseVersion.version)
            .order_by(CourseVersion.title, CourseVersion.version))


# --- "Meine Daten": everything stored about one person -----------------------------------------------


def user_reads(user_id: int) -> Select[tuple[ModuleProgress, Module, CourseVersion]]:
    """Every module the user read, with when (for "Meine Daten")."""
    return (select(ModuleProgress, Module, CourseVersion)
            .join(Module, Module.id == ModuleProgress.module_id)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .options(load_only(Module.id, Module.title, Module.position),
                     load_only(CourseVersion.id, CourseVersion.title, CourseVersion.version))
            .where(ModuleProgress.user_id == user_id)
            .order_by(ModuleProgress.read_at, ModuleProgress.id))


def answers_of(attempt_ids: Select | Collection[int]) -> Select[tuple[AttemptItem]]:
    """The items (question, options, the response) of these attempts, in one query."""
    return (select(AttemptItem)
            .options(joinedload(AttemptItem.question).joinedload(Question.options))
            .where(AttemptItem.attempt_id.in_(attempt_ids))
            .order_by(AttemptItem.attempt_id, AttemptItem.position))


def user_attempt_ids(user_id: int) -> Select[tuple[int]]:
    return select(Attempt.id).where(Attempt.user_id == user_id)


def targets_with_units() -> Select[tuple[CompetenceTarget, str | None, str | None]]:
    """Active competence targets with their unit's code and path (None: everyone)."""
    return (select(CompetenceTarget, OrgUnit.code, OrgUnit.path)
            .outerjoin(OrgUnit, OrgUnit.id == CompetenceTarget.org_unit_id)
            .where(CompetenceTarget.ended_at.is_(None))
            .order_by(CompetenceTarget.area_key, CompetenceTarget.id))


def contribution_of(employee_id: int) -> Select[tuple[PersonContribution]]:
    return select(PersonContribution).where(PersonContribution.employee_id == employee_id)


def invitations_of(user_id: int) -> Select[tuple[Invitation]]:
    return select(Invitation).where(Invitation.user_id == user_id).order_by(Invitation.created_at)


def audit_of(user: User) -> Select[tuple[AuditEvent]]:
    """Audit events about the person (the object is their account or employee record) and by them."""
    about = or_(and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)),
                and_(AuditEvent.object_type == "account", AuditEvent.object_id == user.email))
    if user.employee_id is not None:
        about = or_(about, and_(AuditEvent.object_type == "employee",
                                AuditEvent.object_id == str(user.employee_id)))
    return (select(AuditEvent).where(or_(about, AuditEvent.actor_id == user.id))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
