"""Mandatory training: which employee must complete which course by when.

The rules that create assignments (by unit, position, hiring date) and the reminders come in a later
issue; for now the demo and the tests create rows directly.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Course
from lms.db import Base, UTCDateTime, utcnow


class Assignment(Base):
    """A mandatory course for one employee (Pflichtschulung), with its due date."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("employee_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: the (Berlin) calendar day by which the course must be completed
    due_on: Mapped[date] = mapped_column(Date)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: who assigned it; None for rules and imports
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")

    course: Mapped[Course] = relationship()
