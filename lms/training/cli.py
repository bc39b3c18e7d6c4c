"""``lms reminders …`` and ``lms training refresh``: the daily run of mandatory training."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import config, db
from lms.competence import services as competence_services
from lms.org.services import BERLIN
from lms.training import reminders as run
from lms.training import services
from lms.training.models import berlin_today


@click.group("reminders")
def reminders_group() -> None:
    """Reminders by e-mail and the coordinators' weekly digest."""


def _today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--today") from None


def _now(today: date | None) -> datetime | None:
    """With ``--today``: noon (Berlin) of that day, so that validity and status follow the same day."""
    if today is None:
        return None
    return datetime.combine(today, time(12), tzinfo=BERLIN).astimezone(UTC)


_today_option = click.option("--today", "today_text", metavar="YYYY-MM-DD",
                             help="run as if it were this (Berlin) day (for tests and catching up)")


def _report(kind: str, outcome: run.Outcome, dry_run: bool) -> None:
    if dry_run:
        click.echo(f"{kind}: {len(outcome.planned)} would be sent (dry run: nothing sent or recorded)")
        for item in outcome.planned:
            if isinstance(item, run.Reminder):
                click.echo(f"  {item.email}\t{item.slug}\t{item.stage}\tdue {item.due_on.isoformat()}\t{item.status}")
            else:
                totals = [sum(r[k] for r in item.rows) for k in ("open", "overdue", "completed")]
                click.echo(f"  {item.email}\t{len(item.rows)} course(s)\topen {totals[0]}, overdue {totals[1]}, "
                           f"completed {totals[2]}")
        for copy in outcome.copies:
            click.echo(f"  copy to {copy.email}\t{copy.reminder.slug}\toverdue (LMS_REMINDERS_COPY_COORDINATOR)")
        return
    click.echo(f"{kind}: {outcome.sent} sent, {len(outcome.failed)} failed")
    for recipient, reason in outcome.failed:
        click.echo(f"  not sent to {recipient}: {reason}", err=True)


def _finish(dry_run: bool, failed: int) -> None:
    if dry_run:
        db.session.rollback()
        return
    db.session.commit()
    if failed:
        raise click.ClickException(
            f"{failed} e-mail(s) could not be sent (see the log; check LMS_SMTP_HOST/LMS_SMTP_PORT = "
            f"{current_app.config['LMS_SMTP_HOST'] or 'unset'}:{current_app.config['LMS_SMTP_PORT']}); "
            "they were not recorded and the next run tries again")


@reminders_group.command("send")
@click.option("--dry-run", is_flag=True, help="show who would get which reminder; send and record nothing")
@_today_option
@with_appcontext
def send(dry_run: bool, today_text: str | None) -> None:
    """Open renewals, send due reminders (14, 7, 1 days before due and when overdue) and, on
    LMS_DIGEST_WEEKDAY, the coordinators' weekly digest. Exit status 1 if any e-mail failed."""
    config.require(current_app.config, "LMS_BASE_URL")  # for the links in the mails
    today = _today(today_text)
    outcome = run.send_reminders(today=today, now=_now(today), dry_run=dry_run)
    if outcome.renewals_opened:
        click.echo(f"renewals: {outcome.renewals_opened} cycle(s) opened")
    _report("reminders", outcome, dry_run)
    failed = len(outcome.failed)
    if run.digest_due(today or run.berlin_today()):
        digests = run.send_digests(today=today, now=_now(today), dry_run=dry_run)
        _report("digests", digests, dry_run)
        failed += len(digests.failed)
    _finish(dry_run, failed)


@reminders_group.command("digest")
@click.option("--dry-run", is_flag=True, help="show who would get a digest; send and record nothing")
@_today_option
@with_appcontext
def digest(dry_run: bool, today_text: str | None) -> None:
    """Send the coordinators' weekly digest now (once per ISO week each)."""
    config.require(current_app.config, "LMS_BASE_URL")
    today = _today(today_text)
    outcome = run.send_digests(today=today, now=_now(today), dry_run=dry_run)
    _report("digests", outcome, dry_run)
    _finish(dry_run, len(outcome.failed))


@click.group("training")
def training_group() -> None:
    """Mandatory training."""


@training_group.command("refresh")
@with_appcontext
def refresh() -> None:
    """Open renewal cycles of obligations whose completion ran out (`reminders send` does this too)."""
    opened = services.open_renewals()
    months = competence_services.extend_checkpoints(berlin_today())
    db.session.commit()
    click.echo(f"renewals: {opened} cycle(s) opened; summary checkpoints: {months} month(s) added")


COMMANDS = (reminders_group, training_group)
