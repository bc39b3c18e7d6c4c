"""``lms courses lint [PATH] [--stats]``, ``lms courses import [PATH]`` and ``lms courses stats [COURSE]``."""

from __future__ import annotations

import html as html_module
import re
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lms import db
from lms.catalog import queries, services, stats
from lms.catalog.cues import PoolFigures
from lms.catalog.lint import lint
from lms.catalog.models import Course

_PATH = click.Path(file_okay=False, path_type=Path)


@click.group("courses")
def courses() -> None:
    """Course content in courses/: check and import."""


def _root(path: Path | None) -> Path:
    return path if path is not None else Path(current_app.config["LMS_COURSES_DIR"])


def _report(problems: list, root: Path) -> None:
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{len(problems)} error(s) in {root}", err=True)


@courses.command("lint")
@click.argument("path", required=False, type=_PATH)
@click.option("--stats", is_flag=True, help="Also print the cue figures of every question pool.")
@with_appcontext
def lint_command(path: Path | None, stats: bool) -> None:
    """Check the course files (default: LMS_COURSES_DIR); exit status 1 on any error.

    Errors first (import errors and the pool errors of the test-wiseness cues), then warnings
    ("Warnung:"), which do not change the exit status."""
    root = _root(path)
    result = lint(root)
    errors = sorted(result.problems + result.cues.errors, key=lambda p: (p.file, p.line or 0, p.message))
    for problem in errors:
        click.echo(str(problem))
    for warning in result.cues.warnings:
        click.echo(_warning(warning))
    if stats:
        click.echo(cue_table(result.cues.figures))
    if errors:
        click.echo(f"{len(errors)} error(s), {len(result.cues.warnings)} warning(s) in {root}", err=True)
        sys.exit(1)
    courses_n, modules, questions = result.counts
    warned = f" ({len(result.cues.warnings)} warning(s))" if result.cues.warnings else ""
    click.echo(f"{courses_n} courses, {modules} modules, {questions} questions: OK{warned}")


@courses.command("cues")
@click.argument("path", required=False, type=_PATH)
@with_appcontext
def cues_command(path: Path | None) -> None:
    """Print only the test-wiseness cue figures of every pool (a Markdown table, thresholds in the
    header); `lms courses lint` reports what is past them."""
    result = lint(_root(path))
    click.echo(cue_table(result.cues.figures))


def _warning(problem) -> str:
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return f"{where}: Warnung: {problem.message}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def cue_table(figures: list[PoolFigures]) -> str:
    """The cue figures per course as a Markdown table (thresholds in the header)."""
    lines = [
        "| course | questions | draw | longest correct (≤ 30 %) | length ratio (0.80–1.25) "
        "| correct first (≤ 40 %) | absolute words: distractors / correct (gap ≤ 15 pp) "
        "| true/false true (40–60 %) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for f in figures:
        ratio = "–" if f.length_ratio is None else f"{f.length_ratio:.2f}"
        absolute = f"{_share(f.absolute_distractor_share)} / {_share(f.absolute_correct_share)}"
        true = f"{f.true_answers} of {f.true_false} ({_share(f.true_share)})" if f.true_false else "–"
        lines.append(
            f"| {f.slug} | {f.questions} | {f.draw if f.draw is not None else '–'} "
            f"| {_share(f.longest_share)} ({f.longest_correct} of {f.single}) | {ratio} "
            f"| {_share(f.first_share)} ({f.first_position} of {f.choice}) | {absolute} | {true} |")
    return "\n".join(lines)


@courses.command("import")
@click.argument("path", required=False, type=_PATH)
@with_appcontext
def import_command(path: Path | None) -> None:
    """Import all courses (default: LMS_COURSES_DIR). Any error: nothing is written, exit status 1."""
    root = _root(path)
    result = services.import_courses(root, actor_label="cli")
    if not result.ok:
        db.session.rollback()
        _report(result.problems, root)
        click.echo("import refused: nothing was written", err=True)
        sys.exit(1)
    db.session.commit()
    for outcome in result.outcomes:
        if outcome.action == services.UPDATED:
            click.echo(f"{outcome.slug}: updated {outcome.previous} -> {outcome.version}")
        elif outcome.action != services.UNCHANGED or outcome.reactivated:
            note = " (reactivated)" if outcome.reactivated else ""
            click.echo(f"{outcome.slug}: {outcome.action} {outcome.version or ''}{note}".rstrip())
    click.echo(f"imported: {result.summary()}")


@courses.command("stats")
@click.argument("course", required=False)
@with_appcontext
def stats_command(course: str | None) -> None:
    """Item statistics of the quiz of COURSE (a slug; default: every course): answers, share correct,
    discrimination, options chosen and flags, over all versions. Aggregates only; items with fewer
    than 20 answers show none."""
    if course is not None:
        found = db.session.scalar(queries.course_by_slug(course))
        if found is None:
            click.echo(f"no course {course!r}", err=True)
            sys.exit(1)
        chosen = [found]
    else:
        chosen = list(db.session.scalars(select(Course).order_by(Course.slug)))
    for n, one in enumerate(chosen):
        if n:
            click.echo("")
        click.echo(item_table(one, stats.course_items(one)))


_FLAG_NAMES = {stats.TOO_EASY: "almost all right", stats.TOO_HARD: "almost none right",
               stats.NOT_DISCRIMINATING: "low discrimination", stats.DEAD_DISTRACTORS: "dead distractor"}


def _plain(markup: str, width: int = 28) -> str:
    text = " ".join(html_module.unescape(re.sub(r"<[^>]*>", "", markup)).split()).replace("|", "/")
    return text if len(text) <= width else text[: width - 1] + "…"


def item_table(course: Course, items: list[stats.ItemFigure]) -> str:
    """One course's item statistics as a Markdown table (option shares; * marks correct options)."""
    title = course.current_version.title if course.current_version else ""
    lines = [f"{course.slug}" + (f" ({title})" if title else ""), "",
             "| question | answers | correct | discrimination | options chosen (* correct) | flags |",
             "|---|--:|--:|--:|---|---|"]
    for item in items:
        key = item.key if item.current else f"{item.key} (removed)"
        if not item.enough:
            lines.append(f"| {key} | too few answers (< {stats.MIN_ANSWERS}) | | | | |")
            continue
        r = item.discrimination
        options = "; ".join(
            f"{_plain(o.text_html)}{'*' if o.is_correct else ''} {_share(o.share)}" for o in item.options)
        flags = ", ".join(f"{_FLAG_NAMES[f]} ({f})" for f in item.flags) or "–"
        lines.append(f"| {key} | {item.answers} | {_share(item.difficulty)} | "
                     f"{'–' if r is None else f'{r:.2f}'} | {options} | {flags} |")
    return "\n".join(lines)


COMMANDS = (courses,)
