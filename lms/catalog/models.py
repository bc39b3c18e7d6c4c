"""Courses and their immutable versions: modules, questions and options.

A course version is never changed after import; a changed course becomes a new version, and
attempts and completions stay tied to the version they were made on.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, UTCDateTime, utcnow


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the folder name in courses/; stable key
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    #: the version learners take now; older versions stay for their attempts and completions
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL")
    )
    #: False when the folder disappeared from courses/ (never deleted: completions refer to it)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class CourseVersion(Base):
    __tablename__ = "course_versions"
    __table_args__ = (
        UniqueConstraint("course_id", "version"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_percent"),
        CheckConstraint("questions_per_attempt > 0", name="draw_positive"),
        CheckConstraint("show_solutions IN ('after_pass','always','never')", name="show_solutions_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(30))
    #: the semantic major version: a completion of an older major must be renewed
    major: Mapped[int] = mapped_column()
    #: SHA-256 over all source files of the course; an unchanged course imports as a no-op
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column()
    audience: Mapped[str] = mapped_column(String(300), default="")
    #: competence area key -> level awarded on completion
    awards: Mapped[dict] = mapped_column(JSON, default=dict)
    validity_months: Mapped[int] = mapped_column()
    pass_mark: Mapped[int] = mapped_column()
    questions_per_attempt: Mapped[int] = mapped_column()
    attempts_per_day: Mapped[int] = mapped_column()
    show_solutions: Mapped[str] = mapped_column(String(20))
    facts_as_of: Mapped[date | None] = mapped_column(Date)
    #: what changed in this version, for learners (from ``changes:`` in course.yml; sanitised HTML)
    changes_html: Mapped[str] = mapped_column(Text, default="")
    #: course.yml ``requires_renewal: true``: this major version asks holders of completions of an earlier
    #: major to renew (only meaningful when the major rises)
    requires_renewal: Mapped[bool] = mapped_column(default=False)
    #: completions and passed attempts of a major below this one no longer count (see rules)
    renewal_major: Mapped[int] = mapped_column(default=1)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    modules: Mapped[list[Module]] = relationship(
        back_populates="course_version", order_by="Module.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="course_version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Module(Base):
    """A module of one version. Learners' progress follows it across versions by ``key``, never by
    position: a module keeps its key when it moves, and ``text_hash`` tells whether its text changed."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_version_id", "position"),
                      UniqueConstraint("course_version_id", "key", name="uq_modules_version_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    #: file name without extension, e.g. "01-was-ist-ki"
    slug: Mapped[str] = mapped_column(String(200))
    #: the stable key: ``key:`` in the front matter, else the file name without its number
    #: ("01-was-ist-ki.md" -> "was-ist-ki")
    key: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the module's visible text (title and body, markup ignored): an acknowledgement is for
    #: this text, and a changed text asks for a new one
    text_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column()
    #: the learner must confirm having read this version (e.g. the AI guideline)
    acknowledge: Mapped[bool] = mapped_column(default=False)
    #: sanitised HTML, rendered once at import
    html: Mapped[str] = mapped_column(Text)

    course_version: Mapped[CourseVersion] = relationship(back_populates="modules")


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("course_version_id", "key"),
        CheckConstraint("type IN ('single','multiple','true_false')", name="type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    #: the stable id from quiz.yml
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column()
    type: Mapped[str] = mapped_column(String(20))
    area_key: Mapped[str] = mapped_column(ForeignKey("competence_areas.key"))
    prompt_html: Mapped[str] = mapped_column(Text)
    explanation_html: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(500))

    course_version: Mapped[CourseVersion] = relationship(back_populates="questions")
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question", order_by="QuestionOption.position", cascade="all, delete-orphan"
    )


class QuestionOption(Base):
    __tablename__ = "question_options"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    text_html: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column()

    question: Mapped[Question] = relationship(back_populates="options")
