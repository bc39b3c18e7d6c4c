"""The competence framework (from courses/competences.yml)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, UTCDateTime, utcnow


class CompetenceArea(Base):
    __tablename__ = "competence_areas"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")


class CompetenceLevel(Base):
    __tablename__ = "competence_levels"

    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(50))
    name_de: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")


class CompetenceTarget(Base):
    """A target level in one area for everyone, a unit subtree and/or a position (set by an admin).

    A person's target in an area is the highest level among the active targets that reach them. Targets are
    ended, never deleted, so that what was asked when stays visible.
    """

    __tablename__ = "competence_targets"
    __table_args__ = (CheckConstraint("level >= 1", name="level_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_key: Mapped[str] = mapped_column(ForeignKey("competence_areas.key", ondelete="RESTRICT"), index=True)
    level: Mapped[int] = mapped_column(ForeignKey("competence_levels.level", ondelete="RESTRICT"))
    #: None = the whole organisation; else the unit and its subtree
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    #: None = every position; else exact (case-insensitive) or with ``*`` as wildcard
    position_pattern: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PersonContribution(Base):
    """What one employee adds to the per-unit summaries: the changes of their counts over time.

    Derived data, never shown: it lets a later event subtract exactly what the person added before (from
    the unit they were counted in) and add their new contribution, in the same transaction.
    ``changes`` is a list of ``[measure, key, level, day (ISO), delta]``.
    """

    __tablename__ = "competence_contributions"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    changes: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UnitChange(Base):
    """The change of one count of one unit (own members, not the subtree) on one day.

    measure: ``head`` (key "", level 0: members), ``area`` (key = area, level = the level held, 0 included),
    ``course`` (key = course slug, level 1: holds a valid completion), ``target`` (key = area; level 0: has
    a target there, level 1: meets it). The count on day D is the sum of the changes up to and including D.
    """

    __tablename__ = "competence_unit_changes"

    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    delta: Mapped[int] = mapped_column(Integer, default=0)


class UnitCheckpoint(Base):
    """The count of one unit at the start of a month (the sum of all changes before ``month``).

    Checkpoints make a figure on day D one checkpoint plus at most a month of changes, however long the
    history; ``lms competence rebuild`` and the daily run add the next month's checkpoint.
    """

    __tablename__ = "competence_unit_checkpoints"

    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)


class SummaryGeneration(Base):
    """One row (id 1) whose number is replaced by a new random one, in the same transaction, at every
    change of the unit summaries and of what the committee's figures read besides them (units, courses,
    assignment rules, the framework, targets). Caches of those figures are keyed on it
    (``lms.reports.aggregate.cache``): a cached figure is served only while nothing it was computed from
    has changed. Derived data: a missing row means "unknown", and nothing is served from a cache until
    the next change writes it."""

    __tablename__ = "competence_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
