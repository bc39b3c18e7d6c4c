"""``lms courses lint [PATH] [--stats]``, ``lms courses import [PATH]`` and ``lms courses stats [COURSE]``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import db
from lms.catalog import services
from lms.catalog.cues import PoolFigures
from lms.catalog.lint import lint

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


COMMANDS = (courses,)
