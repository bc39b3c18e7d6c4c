"""``lms import units FILE`` and ``lms import staff FILE [--dry-run] [--full]``.

Any problem: every one is printed as ``FILE:LINE: column: reason`` on standard error, the exit status
is 1 and nothing is written. Messages are German; ``LANG=en`` (or ``LC_ALL``/``LC_MESSAGES``) gives English.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms import db
from lms.org import services
from lms.org.importer import cli_language

#: the summary's words, by language of the command line (LANG)
WORDS = {
    "de": {"created": "angelegt", "updated": "geändert", "unchanged": "unverändert",
           "deactivated": "deaktiviert", "accounts": "Konten deaktiviert",
           "dry_run": "Probelauf, nichts geschrieben. Würde:", "problems": "Problem(e); nichts importiert."},
    "en": {"created": "created", "updated": "updated", "unchanged": "unchanged",
           "deactivated": "deactivated", "accounts": "accounts deactivated",
           "dry_run": "dry run, nothing written. Would be:", "problems": "problem(s); nothing imported."},
}


def summary_line(result: services.ImportResult, *, dry_run: bool, language: str = "de") -> str:
    """E.g. ``angelegt 3, geändert 1, unverändert 40, deaktiviert 0`` (the counts in a fixed order)."""
    words = WORDS[language]
    text = ", ".join(f"{words[k]} {v}" for k, v in result.counts.items())
    if result.accounts_deactivated:
        text += f"; {words['accounts']} {result.accounts_deactivated}"
    return f"{words['dry_run']} {text}" if dry_run else text


def run_import(kind: str, path: Path, *, dry_run: bool, full: bool) -> None:
    language = cli_language()
    data = path.read_bytes()
    filename = path.name
    result = services.import_file(kind, data, dry_run=dry_run, full=full, filename=filename,
                                  actor_label="cli")
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            click.echo(problem.format(str(path)), err=True)
        click.echo(f"{len(result.problems)} {WORDS[language]['problems']}", err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        for change in result.visible_changes():
            fields = f" ({', '.join(change.fields)})" if change.fields else ""
            click.echo(f"{WORDS[language][change.kind]}: {change.key} {change.label}{fields}")
    else:
        db.session.commit()
    click.echo(summary_line(result, dry_run=dry_run, language=language))


@click.group("import")
def import_group() -> None:
    """Master data from the HR system (CSV; see docs/import.md)."""


@import_group.command("units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate and show what would change; write nothing")
@with_appcontext
def units(file: Path, dry_run: bool) -> None:
    """Import org units (Kennung/code, Bezeichnung/name, Übergeordnet/parent)."""
    run_import("units", file, dry_run=dry_run, full=False)


@import_group.command("staff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate and show what would change; write nothing")
@click.option("--full", is_flag=True, help="the file is complete: deactivate active employees missing from it")
@with_appcontext
def staff(file: Path, dry_run: bool, full: bool) -> None:
    """Import employees (Personalnummer, Nachname, Vorname, E-Mail, Organisationseinheit, …)."""
    run_import("staff", file, dry_run=dry_run, full=full)


COMMANDS = (import_group,)
