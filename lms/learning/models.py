"""What a learner did: modules read, acknowledgements, quiz attempts and completions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Course, CourseVersion, Module, Question
from lms.db import Base, UTCDateTime, utcnow


class ModuleProgress(Base):
    """A module the learner has read. ``module_id`` is the version's module that was read (history);
    the read counts for every version of the course that has a module with the same ``module_key``."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),
                      Index("ix_module_progress_user_course_key", "user_id", "course_id", "module_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_key: Mapped[str] = mapped_column(String(200))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Acknowledgement(Base):
    """The learner confirmed having read an ``acknowledge: true`` module. The confirmation is for the
    text it was given on (``text_hash``): it counts for later versions whose module with the same key has
    the same text; a changed text asks for a new confirmation, and this one stays in the history."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),
                      Index("ix_acknowledgements_user_course_key", "user_id", "course_id", "module_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_key: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship()


class Attempt(Base):
    """One quiz attempt on one course version. Its questions and option order are fixed at start."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_version_started", "user_id", "course_version_id", "started_at"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: percent correct (0..100), set on submission
    score: Mapped[int | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()
    #: set by the retention run when the answers (attempt items) were removed; the result stays
    details_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course_version: Mapped[CourseVersion] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )


class AttemptItem(Base):
    """A drawn question in an attempt: the shuffled option order and the learner's response."""

    __tablename__ = "attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    #: option ids in the order shown to this learner
    option_order: Mapped[list] = mapped_column(JSON)
    #: chosen option ids, saved while answering (None: not answered yet)
    response: Mapped[list | None] = mapped_column(JSON)
    is_correct: Mapped[bool | None] = mapped_column()

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class Completion(Base):
    """A course completed: all modules read, acknowledgements given, quiz passed.

    A completion is never changed or deleted. A renewal adds a new completion (on the version current
    then, possibly the same one), which needs a quiz passed after the previous completion: each passed
    attempt completes at most once.
    """

    __tablename__ = "completions"
    __table_args__ = (
        Index("ix_completions_user_course", "user_id", "course_id", "completed_at"),
        UniqueConstraint("attempt_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    #: competence area key -> level earned (copied from the version at completion time)
    awards: Mapped[dict] = mapped_column(JSON, default=dict)
    #: random, unguessable code (128 bits, base32) printed on the certificate and used by /pruefen/<code>
    certificate_code: Mapped[str] = mapped_column(String(32), unique=True)
    #: the holder's full name at issue time, as printed on the certificate (a later change of the
    #: master data does not change what a certificate says)
    holder_name: Mapped[str] = mapped_column(String(300), default="")
    #: initial and surname at issue time ("E. Mustermann") for the public verification page;
    #: None for accounts without an employee record
    holder_short: Mapped[str | None] = mapped_column(String(300))

    course: Mapped[Course] = relationship()
    course_version: Mapped[CourseVersion] = relationship()
