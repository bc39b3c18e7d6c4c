"""Importing ``courses/`` into the database. Adds and flushes; the caller commits once.

An import is all or nothing: any lint problem anywhere, or a course whose content changed without a
higher version, and nothing is written; the versions imported before stay live. Otherwise the
competence framework is synchronised, each changed course gets a new :class:`CourseVersion` (the
Markdown rendered to sanitised HTML here, once), unchanged courses are left alone and courses whose
folder disappeared are marked inactive (never deleted: attempts and completions refer to them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms import db
from lms import markdown as md
from lms.audit.services import record
from lms.catalog.lint import lint
from lms.catalog.loader import CatalogSource, CourseSource, Problem, parse_version
from lms.catalog.models import Course, CourseVersion, Module, Question, QuestionOption
from lms.competence.services import sync_framework

log = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
DEACTIVATED = "deactivated"
ACTIONS = (CREATED, UPDATED, UNCHANGED, DEACTIVATED)

#: the two options a true_false question is stored with: position 0 is the statement being true
TRUE_FALSE_OPTIONS = ("Wahr", "Falsch")


@dataclass(frozen=True)
class CourseOutcome:
    """What an import does (or did) to one course."""

    slug: str
    action: str
    version: str | None
    #: the version current before the import (None for a new course)
    previous: str | None = None
    #: the course folder reappeared after it had been removed
    reactivated: bool = False


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[CourseOutcome] = field(default_factory=list)
    #: (courses, modules, questions) in the files
    counts: tuple[int, int, int] = (0, 0, 0)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def summary(self) -> str:
        return ", ".join(f"{self.count(a)} {a}" for a in ACTIONS)


def plan(catalog: CatalogSource) -> tuple[list[CourseOutcome], list[Problem]]:
    """Compare the files with the database: what an import would do, and why it would refuse.

    Reads only. A course whose content hash differs from its current version needs a higher version
    than every version imported before.
    """
    existing = {c.slug: c for c in db.session.scalars(
        select(Course).options(selectinload(Course.current_version)))}
    versions: dict[int, list[str]] = {}
    for course_id, version in db.session.execute(select(CourseVersion.course_id, CourseVersion.version)):
        versions.setdefault(course_id, []).append(version)
    outcomes: list[CourseOutcome] = []
    problems: list[Problem] = []
    for source in catalog.courses:
        course = existing.get(source.slug)
        if course is None:
            outcomes.append(CourseOutcome(source.slug, CREATED, source.version))
            continue
        current = course.current_version
        previous = current.version if current else None
        if current is not None and current.content_hash == source.content_hash:
            outcomes.append(CourseOutcome(source.slug, UNCHANGED, previous, previous,
                                          reactivated=not course.is_active))
            continue
        highest = max(versions.get(course.id, []), key=lambda v: parse_version(v) or (0, 0, 0), default=None)
        new = parse_version(source.version)
        if highest is not None and new is not None and new <= (parse_version(highest) or (0, 0, 0)):
            problems.append(Problem(source.file, source.lines.get("version"), _(
                "Inhalt geändert, aber Version nicht erhöht: %(version)s ist nicht höher als die "
                "bereits importierte Version %(current)s", version=source.version, current=highest)))
            continue
        outcomes.append(CourseOutcome(source.slug, UPDATED, source.version, previous,
                                      reactivated=not course.is_active))
    on_disk = {c.slug for c in catalog.courses}
    for slug, course in sorted(existing.items()):
        if slug not in on_disk and course.is_active:
            version = course.current_version.version if course.current_version else None
            outcomes.append(CourseOutcome(slug, DEACTIVATED, version, version))
    return outcomes, problems


def import_courses(root: Path | str, *, actor_label: str | None = None) -> ImportResult:
    """Lint ``root`` and, when there is no problem, bring the database up to the files."""
    checked = lint(root)
    result = ImportResult(problems=list(checked.problems), counts=checked.counts)
    if checked.problems:
        return result
    outcomes, problems = plan(checked.catalog)
    if problems:
        result.problems = problems
        return result
    result.outcomes = outcomes
    assert checked.catalog.framework is not None  # lint reports a missing framework
    sync_framework(checked.catalog.framework)
    sources = {c.slug: c for c in checked.catalog.courses}
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    for outcome in outcomes:
        course = courses.get(outcome.slug)
        if outcome.action == DEACTIVATED:
            assert course is not None
            course.is_active = False
            continue
        if course is None:
            course = Course(slug=outcome.slug)
            db.session.add(course)
        course.is_active = True
        if outcome.action in (CREATED, UPDATED):
            course.current_version = _new_version(course, sources[outcome.slug])
    db.session.flush()
    record("catalog.import", object_type="catalog", actor_label=actor_label, detail={
        action: [o.slug + (f" {o.version}" if o.version else "") for o in outcomes if o.action == action]
        for action in ACTIONS
    })
    log.info("courses imported: %s", result.summary())
    return result


def _new_version(course: Course, source: CourseSource) -> CourseVersion:
    """Build the version with its modules and questions; Markdown is rendered here, once."""
    base = md.asset_base(source.slug)
    version = CourseVersion(
        course=course, version=source.version, major=source.major, content_hash=source.content_hash,
        title=source.title, summary=source.summary, minutes=source.minutes, audience=source.audience,
        awards=dict(source.awards), validity_months=source.validity_months, pass_mark=source.pass_mark,
        questions_per_attempt=source.questions_per_attempt, attempts_per_day=source.attempts_per_day,
        show_solutions=source.show_solutions, facts_as_of=source.facts_as_of,
    )
    for module in source.modules:
        version.modules.append(Module(
            position=module.position, slug=module.slug, title=module.title, minutes=module.minutes,
            acknowledge=module.acknowledge, html=md.render(module.body, base=base),
        ))
    for position, question in enumerate(source.questions, start=1):
        if question.type == "true_false":
            options = [(TRUE_FALSE_OPTIONS[0], question.correct is True),
                       (TRUE_FALSE_OPTIONS[1], question.correct is False)]
        else:
            options = [(md.render_inline(o.text or "", base=base), o.is_correct) for o in question.options]
        version.questions.append(Question(
            key=question.key, position=position, type=question.type, area_key=question.area,
            prompt_html=md.render_inline(question.prompt or "", base=base),
            explanation_html=md.render(question.explanation or "", base=base),
            source=question.source or "",
            options=[QuestionOption(position=i, text_html=text, is_correct=correct)
                     for i, (text, correct) in enumerate(options)],
        ))
    db.session.add(version)
    return version
