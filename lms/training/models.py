"""Mandatory training: rules that make a course mandatory, and the obligations they create.

An obligation of one employee for one course runs in cycles. Each cycle is one ``Assignment`` row with
its own due date; a renewal (the completion's validity ended, or a new major version requires it) adds
a new cycle and leaves the earlier one, with the completion that fulfilled it, in the history.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Course
from lms.db import Base, UTCDateTime, utcnow
from lms.org.models import OrgUnit


def berlin_today() -> date:
    return datetime.now(ZoneInfo("Europe/Berlin")).date()


class AssignmentRule(Base):
    """Course X is mandatory for everyone, a unit subtree and/or a position (exact or ``*`` pattern)."""

    __tablename__ = "assignment_rules"
    __table_args__ = (
        CheckConstraint("(due_days IS NULL) <> (due_on IS NULL)", name="one_due"),
        CheckConstraint("due_days IS NULL OR (due_days >= 1 AND due_days <= 3650)", name="due_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    #: the subtree the rule covers; None for everyone
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    #: the position, exact or with ``*`` as wildcard (case-insensitive); None for every position
    position_pattern: Mapped[str | None] = mapped_column(String(200))
    #: due N days after the rule applies to a person ...
    due_days: Mapped[int | None] = mapped_column(Integer)
    #: ... or by a fixed (Berlin) calendar day
    due_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: a rule is ended, never deleted: the obligations it created keep pointing at it
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class Assignment(Base):
    """One cycle of a mandatory course for one employee (Pflichtschulung), with its due date."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("employee_id", "course_id", "cycle", name="uq_assignments_cycle"),
        Index("ix_assignments_current", "is_current", "course_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: 1 for the first obligation, +1 for each renewal
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    #: "initial" | "expired" (the completion's validity ended) | "renewal" (a major version requires it)
    reason: Mapped[str] = mapped_column(String(20), default="initial")
    #: the (Berlin) calendar day the cycle began; progress from this day on counts as "begonnen"
    opened_on: Mapped[date] = mapped_column(Date, default=berlin_today)
    #: the (Berlin) calendar day by which the course must be completed
    due_on: Mapped[date] = mapped_column(Date)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: who assigned it by hand; None for rules, renewals and imports
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the rule that created the obligation; None for a manual assignment
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_rules.id", ondelete="SET NULL"),
                                                index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    #: the completion that fulfilled this cycle
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id", ondelete="SET NULL"))
    #: the latest cycle of a running obligation; False for earlier cycles and ended obligations
    is_current: Mapped[bool] = mapped_column(default=True)
    #: the obligation ended (the person left, the rule ended): kept in the history, no new cycles
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(40))

    course: Mapped[Course] = relationship()
    rule: Mapped[AssignmentRule | None] = relationship()


class Notification(Base):
    """An e-mail that was sent (reminder stage, digest): recorded so that each is sent once.

    A failed send is not recorded, so the next run tries again.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "reminder" | "digest" | ...
    kind: Mapped[str] = mapped_column(String(30))
    #: e.g. "reminder:<assignment id>:d14"; unique, so a stage is recorded once
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"),
                                                      index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
