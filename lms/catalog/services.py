"""Importing ``courses/`` into the database. Adds and flushes; the caller commits once.

An import is all or nothing: any lint problem anywhere, or a course whose content changed without a
higher version, and nothing is written; the versions imported before stay live. Otherwise the
competence framework is synchronised, each changed course gets a new :class:`CourseVersion` (the
Markdown rendered to sanitised HTML here, once), unchanged courses are left alone and courses whose
folder disappeared are marked inactive (never deleted: attempts and completions refer to them).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms import db
from lms import markdown as md
from lms.audit.services import record
from lms.catalog.fingerprint import question_hash, text_hash
from lms.catalog.lint import lint
from lms.catalog.loader import (
    CatalogSource,
    CourseSource,
    ModuleSource,
    Problem,
    QuestionSource,
    parse_version,
)
from lms.catalog.models import Course, CourseVersion, Module, Question, QuestionOption
from lms.catalog.signals import framework_imported, version_imported

log = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
DEACTIVATED = "deactivated"
ACTIONS = (CREATED, UPDATED, UNCHANGED, DEACTIVATED)

#: the two options a true_false question is stored with: position 0 is the statement being true
TRUE_FALSE_OPTIONS = ("Wahr", "Falsch")


#: key under ``app.extensions`` of the function that tells what a new version does to learners
#: (registered by the app factory: the learning layer owns learners' records, the catalogue does not
#: import it)
IMPACT_EXTENSION = "lms.course_impact"

PATCH, MINOR, MAJOR = "patch", "minor", "major"


@dataclass(frozen=True)
class ModuleDiff:
    key: str
    title: str
    #: added | removed | changed (visible text) | moved (same text, other position)
    change: str
    acknowledge: bool = False
    #: the text fingerprint in the current version (changed, moved and removed modules)
    old_text_hash: str | None = None


@dataclass(frozen=True)
class VersionDiff:
    """What a new version changes in a course's content, compared with the current version."""

    step: str  # patch | minor | major
    requires_renewal: bool
    modules: tuple[ModuleDiff, ...] = ()
    questions_added: tuple[str, ...] = ()
    questions_changed: tuple[str, ...] = ()
    questions_removed: tuple[str, ...] = ()
    #: the ``changes:`` note of the new version
    note: str = ""

    def modules_by(self, change: str) -> list[ModuleDiff]:
        return [m for m in self.modules if m.change == change]

    @property
    def renewal(self) -> bool:
        """Holders of a completion must renew: a new major that declares it."""
        return self.step == MAJOR and self.requires_renewal


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
    #: content changes (updated courses only)
    diff: VersionDiff | None = None
    #: what happens to learners (updated courses only; see lms.learning.impact)
    impact: Any = None


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


def plan_digest(catalog: CatalogSource) -> str:
    """A fingerprint of what an import would start from: the files (content hash per course) and the
    database (current version and state per course). A confirmation carries the digest of the preview
    it confirms; when it no longer matches, the preview is out of date and nothing is imported."""
    digest = hashlib.sha256()
    for source in sorted(catalog.courses, key=lambda c: c.slug):
        digest.update(f"F {source.slug} {source.content_hash}\n".encode())
    if catalog.framework is not None:
        digest.update(f"C {catalog.framework.file}\n".encode())
    for slug, version_id, active in db.session.execute(
            select(Course.slug, Course.current_version_id, Course.is_active).order_by(Course.slug)):
        digest.update(f"D {slug} {version_id} {active}\n".encode())
    return digest.hexdigest()[:32]


def version_step(old: str | None, new: str | None) -> str:
    """patch, minor or major: the highest part of the version that rose."""
    a, b = parse_version(old) or (0, 0, 0), parse_version(new) or (0, 0, 0)
    if b[0] != a[0]:
        return MAJOR
    return MINOR if b[1] != a[1] else PATCH


def render_module(module: ModuleSource, base: str) -> str:
    return md.render(module.body, base=base)


def render_question(question: QuestionSource, base: str) -> tuple[str, str, list[tuple[str, bool]]]:
    """(prompt html, explanation html, [(option html, correct)]) as stored at import."""
    if question.type == "true_false":
        options = [(TRUE_FALSE_OPTIONS[0], question.correct is True),
                   (TRUE_FALSE_OPTIONS[1], question.correct is False)]
    else:
        options = [(md.render_inline(o.text or "", base=base), o.is_correct) for o in question.options or []]
    return (md.render_inline(question.prompt or "", base=base), md.render(question.explanation or "", base=base),
            options)


def diff_version(current: CourseVersion, source: CourseSource) -> VersionDiff:
    """Compare the files of a changed course with its current version: modules by key (text compared by
    its visible text), questions by id (prompt, options, correctness and explanation compared)."""
    base = md.asset_base(source.slug)
    old_modules = {m.key: m for m in current.modules}
    new_keys = {m.key for m in source.modules}
    modules: list[ModuleDiff] = []
    for module in source.modules:
        assert module.key is not None and module.title is not None
        old = old_modules.get(module.key)
        if old is None:
            modules.append(ModuleDiff(module.key, module.title, "added", module.acknowledge))
            continue
        new_hash = text_hash(module.title, render_module(module, base))
        if new_hash != old.text_hash or old.acknowledge != module.acknowledge:
            modules.append(ModuleDiff(module.key, module.title, "changed", module.acknowledge, old.text_hash))
        elif old.position != module.position:
            modules.append(ModuleDiff(module.key, module.title, "moved", module.acknowledge, old.text_hash))
    for key, old in old_modules.items():
        if key not in new_keys:
            modules.append(ModuleDiff(key, old.title, "removed", old.acknowledge, old.text_hash))
    old_questions = {q.key: q for q in current.questions}
    added, changed = [], []
    for question in source.questions:
        old_q = old_questions.get(question.key or "")
        if old_q is None:
            added.append(question.key or "")
            continue
        prompt, explanation, options = render_question(question, base)
        if question_hash(question.type or "", prompt, explanation, options) != question_hash(
                old_q.type, old_q.prompt_html, old_q.explanation_html,
                [(o.text_html, o.is_correct) for o in old_q.options]):
            changed.append(old_q.key)
    removed = sorted(set(old_questions) - {q.key for q in source.questions})
    return VersionDiff(version_step(current.version, source.version), source.requires_renewal,
                       tuple(modules), tuple(added), tuple(changed), tuple(removed), source.change_note)


def _impact(course: Course, diff: VersionDiff) -> Any:
    provider: Callable[[Course, VersionDiff], Any] | None = current_app.extensions.get(IMPACT_EXTENSION)
    return provider(course, diff) if provider is not None else None


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
        diff = impact = None
        if current is not None:
            diff = diff_version(current, source)
            impact = _impact(course, diff)
        outcomes.append(CourseOutcome(source.slug, UPDATED, source.version, previous,
                                      reactivated=not course.is_active, diff=diff, impact=impact))
    on_disk = {c.slug for c in catalog.courses}
    for slug, course in sorted(existing.items()):
        if slug not in on_disk and course.is_active:
            version = course.current_version.version if course.current_version else None
            outcomes.append(CourseOutcome(slug, DEACTIVATED, version, version))
    return outcomes, problems


class StalePreview(Exception):
    """The preview the user confirmed no longer describes what an import would do."""


def import_courses(root: Path | str, *, actor_label: str | None = None,
                   confirmed_digest: str | None = None) -> ImportResult:
    """Lint ``root`` and, when there is no problem, bring the database up to the files.

    ``confirmed_digest``: the :func:`plan_digest` of the preview the user confirmed; when the files or the
    database changed since, :class:`StalePreview` is raised before anything is written.
    """
    checked = lint(root)
    result = ImportResult(problems=list(checked.problems), counts=checked.counts)
    if checked.problems:
        return result
    if confirmed_digest is not None and confirmed_digest != plan_digest(checked.catalog):
        raise StalePreview()
    outcomes, problems = plan(checked.catalog)
    if problems:
        result.problems = problems
        return result
    result.outcomes = outcomes
    assert checked.catalog.framework is not None  # lint reports a missing framework
    # competence owns the framework's tables (and sits above the catalogue): it listens
    framework_imported.send(current_app._get_current_object(), framework=checked.catalog.framework)
    sources = {c.slug: c for c in checked.catalog.courses}
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    imported: list[tuple[Course, CourseVersion, CourseVersion | None]] = []
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
            previous = course.current_version
            course.current_version = _new_version(course, sources[outcome.slug], previous)
            imported.append((course, course.current_version, previous))
    db.session.flush()
    for course, version, previous in imported:
        version_imported.send(current_app._get_current_object(), course=course, version=version,
                              previous=previous)
    detail: dict[str, Any] = {
        action: [o.slug + (f" {o.version}" if o.version else "") for o in outcomes if o.action == action]
        for action in ACTIONS
    }
    detail["impact"] = {o.slug: o.impact.as_dict() for o in outcomes if o.impact is not None}
    record("catalog.import", object_type="catalog", actor_label=actor_label, detail=detail)
    log.info("courses imported: %s", result.summary())
    return result


def renewal_major(previous: CourseVersion | None, source: CourseSource) -> int:
    """The lowest major whose completions and passed attempts still count after importing ``source``:
    it rises to the new major when the major rises and the file declares ``requires_renewal``."""
    major = source.major or 1
    if previous is None:
        return major
    if major > previous.major and source.requires_renewal:
        return major
    return previous.renewal_major


def _new_version(course: Course, source: CourseSource, previous: CourseVersion | None = None) -> CourseVersion:
    """Build the version with its modules and questions; Markdown is rendered here, once."""
    base = md.asset_base(source.slug)
    version = CourseVersion(
        changes_html=md.render(source.change_note, base=base) if source.change_note else "",
        requires_renewal=source.requires_renewal, renewal_major=renewal_major(previous, source),
        course=course, version=source.version, major=source.major, content_hash=source.content_hash,
        title=source.title, summary=source.summary, minutes=source.minutes, audience=source.audience,
        awards=dict(source.awards), validity_months=source.validity_months, pass_mark=source.pass_mark,
        questions_per_attempt=source.questions_per_attempt, attempts_per_day=source.attempts_per_day,
        show_solutions=source.show_solutions, facts_as_of=source.facts_as_of,
    )
    for module in source.modules:
        html = render_module(module, base)
        version.modules.append(Module(
            position=module.position, slug=module.slug, key=module.key, title=module.title,
            minutes=module.minutes, acknowledge=module.acknowledge, html=html,
            text_hash=text_hash(module.title or "", html),
        ))
    for position, question in enumerate(source.questions, start=1):
        prompt, explanation, options = render_question(question, base)
        version.questions.append(Question(
            key=question.key, position=position, type=question.type, area_key=question.area,
            prompt_html=prompt, explanation_html=explanation, source=question.source or "",
            options=[QuestionOption(position=i, text_html=text, is_correct=correct)
                     for i, (text, correct) in enumerate(options)],
        ))
    db.session.add(version)
    return version
