"""``lms import units FILE [--dry-run]`` and
``lms import staff FILE [--dry-run] [--full] [--yes] [--allow-identity-change]``.

Any problem: every one is printed as ``FILE:LINE: column: reason`` on standard error, the exit status
is 1 and nothing is written. An identity change (personnel number kept, name and e-mail both new) is
such a problem unless ``--allow-identity-change`` is given; ``--full`` that would deactivate more than
``LMS_IMPORT_CONFIRM_DEACTIVATIONS`` people is refused unless ``--yes`` is given. The dry run lists
every change with old → new values; the real run lists the changes to existing people.
Messages are German; ``LANG=en`` (or ``LC_ALL``/``LC_MESSAGES``) gives English.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import db
from lms.org import services
from lms.org.importer import cli_language, field_label, message, shown_value

#: the summary's words, by language of the command line (LANG)
WORDS = {
    "de": {"created": "angelegt", "updated": "geändert", "unchanged": "unverändert",
           "deactivated": "deaktiviert", "accounts": "Konten deaktiviert",
           "logins": "Anmeldungen geändert", "detached": "Konten getrennt (Identitätswechsel)",
           "dry_run": "Probelauf, nichts geschrieben. Würde:", "problems": "Problem(e); nichts importiert."},
    "en": {"created": "created", "updated": "updated", "unchanged": "unchanged",
           "deactivated": "deactivated", "accounts": "accounts deactivated",
           "logins": "logins changed", "detached": "accounts detached (identity change)",
           "dry_run": "dry run, nothing written. Would be:", "problems": "problem(s); nothing imported."},
}


def summary_line(result: services.ImportResult, *, dry_run: bool, language: str = "de") -> str:
    """E.g. ``angelegt 3, geändert 1, unverändert 40, deaktiviert 0`` (the counts in a fixed order)."""
    words = WORDS[language]
    text = ", ".join(f"{words[k]} {v}" for k, v in result.counts.items())
    if result.accounts_deactivated:
        text += f"; {words['accounts']} {result.accounts_deactivated}"
    if result.logins_changed:
        text += f"; {words['logins']} {result.logins_changed}"
    if result.accounts_detached:
        text += f"; {words['detached']} {result.accounts_detached}"
    return f"{words['dry_run']} {text}" if dry_run else text


def change_lines(change: services.Change, language: str = "de") -> list[str]:
    """One change as HR reads it: a head line, then ``    Label: old → new`` and the consequences."""
    head = f"{WORDS[language][change.kind]}: {change.key} {change.label}"
    if change.kind == "deactivated" and change.unit:
        head += f" ({change.unit})"
    lines = [head]
    lines += [f"    {field_label(d.field)}: {shown_value(d.old)} → {shown_value(d.new)}"
              for d in change.diffs if change.kind != "deactivated"]
    if change.login:
        lines.append("    " + message("login_change", old=change.login[0], new=change.login[1]))
    if change.account_effect:
        lines.append("    " + message(f"account_{change.account_effect}", email=change.account))
    return lines


def run_import(kind: str, path: Path, *, dry_run: bool, full: bool, yes: bool = False,
               allow_identity_change: bool = False) -> None:
    language = cli_language()
    data = path.read_bytes()
    filename = path.name
    options: dict[str, object] = {"full": full, "filename": filename, "actor_label": "cli",
               "allow_identity_change": allow_identity_change}
    threshold = int(current_app.config["LMS_IMPORT_CONFIRM_DEACTIVATIONS"])
    if full and not yes:
        # a full list that switches off many people needs --yes: planned, then nothing written
        options["max_deactivations"] = threshold
    result = services.import_file(kind, data, dry_run=dry_run, **options)
    if result.deactivations_unconfirmed:
        db.session.rollback()
        click.echo(message("too_many_deactivations", count=len(result.deactivations()), threshold=threshold),
                   err=True)
        sys.exit(1)
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            click.echo(problem.format(str(path)), err=True)
        click.echo(f"{len(result.problems)} {WORDS[language]['problems']}", err=True)
        if any(p.code == "identity_change" for p in result.problems):
            click.echo(message("identity_hint"), err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        shown = result.visible_changes()
    else:
        db.session.commit()
        shown = [c for c in result.changes if c.kind in ("updated", "deactivated")]
    for change in shown:
        for line in change_lines(change, language):
            click.echo(line)
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
@click.option("--yes", is_flag=True,
              help="with --full: confirm deactivating more people than LMS_IMPORT_CONFIRM_DEACTIVATIONS")
@click.option("--allow-identity-change", is_flag=True,
              help="apply rows that keep the personnel number but change both name and e-mail")
@with_appcontext
def staff(file: Path, dry_run: bool, full: bool, yes: bool, allow_identity_change: bool) -> None:
    """Import employees (Personalnummer, Nachname, Vorname, E-Mail, Organisationseinheit, …)."""
    run_import("staff", file, dry_run=dry_run, full=full, yes=yes, allow_identity_change=allow_identity_change)


COMMANDS = (import_group,)
