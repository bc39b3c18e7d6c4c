"""``lms courses lint [PATH]`` and ``lms courses import [PATH]``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import db
from lms.catalog import services
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
@with_appcontext
def lint_command(path: Path | None) -> None:
    """Check the course files (default: LMS_COURSES_DIR); exit status 1 on any error."""
    root = _root(path)
    result = lint(root)
    if result.problems:
        _report(result.problems, root)
        sys.exit(1)
    courses_n, modules, questions = result.counts
    click.echo(f"{courses_n} courses, {modules} modules, {questions} questions: OK")


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
