"""Reads for the catalogue pages."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from lms.catalog.models import Course, CourseVersion, Module, Question


def course_overview() -> Select:
    """Every course with its current version (or None), module and question counts of that version,
    and the number of versions imported so far. Rows: (Course, CourseVersion | None, modules,
    questions, versions); ordered by slug."""
    modules = (select(func.count(Module.id)).where(Module.course_version_id == CourseVersion.id)
               .correlate(CourseVersion).scalar_subquery())
    questions = (select(func.count(Question.id)).where(Question.course_version_id == CourseVersion.id)
                 .correlate(CourseVersion).scalar_subquery())
    versions = (select(func.count(CourseVersion.id)).where(CourseVersion.course_id == Course.id)
                .correlate(Course).scalar_subquery())
    return (
        select(Course, CourseVersion, modules.label("modules"), questions.label("questions"),
               versions.label("versions"))
        .outerjoin(CourseVersion, Course.current_version_id == CourseVersion.id)
        .order_by(Course.slug)
    )


def course_by_slug(slug: str) -> Select:
    """The course with this slug (active or not), with its current version."""
    return select(Course).where(Course.slug == slug)
