"""``lms retention apply [--dry-run]``: apply the retention periods (``LMS_RETENTION_*``).

Run it daily from the same timer as the reminders (docs/operations.md). Prints counts per category,
never a name. All or nothing: one transaction. Messages are German; ``LANG=en`` gives English.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import db
from lms.org.importer import cli_language
from lms.retention import rules, services

#: the labels of the counts, by language of the command line
LABELS = {
    "de": {"attempts": "Quizversuche auf das Ergebnis reduziert", "answers": "gespeicherte Antworten gelöscht",
           "leavers": "Ausgeschiedene anonymisiert", "accounts": "Konten deaktiviert und anonymisiert",
           "invitations": "Einladungslinks gelöscht", "audit_events": "Protokolleinträge gelöscht",
           "security_events": "Anmeldeereignisse gelöscht",
           "dry_run": "Probelauf, nichts geändert. Würde:", "done": "Aufbewahrungsfristen angewendet:"},
    "en": {"attempts": "quiz attempts reduced to their result", "answers": "stored answers deleted",
           "leavers": "leavers anonymised", "accounts": "accounts deactivated and anonymised",
           "invitations": "invitation links deleted", "audit_events": "audit entries deleted",
           "security_events": "login events deleted",
           "dry_run": "dry run, nothing changed. Would be:", "done": "retention periods applied:"},
}


def report_lines(report: services.Report, *, dry_run: bool, language: str = "de") -> list[str]:
    labels = LABELS[language]
    return [labels["dry_run" if dry_run else "done"]] + [
        f"  {labels[key]}: {value}" for key, value in report.as_dict().items()]


@click.group("retention")
def retention_group() -> None:
    """Retention periods (LMS_RETENTION_*): what is deleted or anonymised when."""


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="count what would be done, change nothing")
@with_appcontext
def apply(dry_run: bool) -> None:
    """Remove old quiz answers, anonymise leavers, delete old audit entries (docs/retention.md)."""
    periods = rules.Periods.from_config(current_app.config)
    try:
        report = services.apply(periods, dry_run=dry_run)
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in report_lines(report, dry_run=dry_run, language=cli_language()):
        click.echo(line)


COMMANDS = (retention_group,)
