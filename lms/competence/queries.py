"""Read queries of the competence framework."""

from __future__ import annotations

from sqlalchemy import Select, select

from lms.competence.models import CompetenceArea, CompetenceLevel


def areas() -> Select[tuple[CompetenceArea]]:
    """The areas in the framework's order."""
    return select(CompetenceArea).order_by(CompetenceArea.position, CompetenceArea.key)


def levels() -> Select[tuple[CompetenceLevel]]:
    return select(CompetenceLevel).order_by(CompetenceLevel.level)
