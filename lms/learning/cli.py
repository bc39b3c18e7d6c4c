"""``lms competence``: the competence summaries behind the committee's figures."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from lms import db
from lms.competence import services as competence_services
from lms.learning import summaries


@click.group("competence")
def competence_group() -> None:
    """Competence profiles and the per-unit summaries."""


@competence_group.command("rebuild")
@with_appcontext
def rebuild() -> None:
    """Recompute every per-unit summary row from the records (safe at any time)."""
    started = time.perf_counter()
    rows = summaries.rebuild()
    db.session.commit()
    click.echo(f"competence summaries rebuilt: {rows} unit rows in {time.perf_counter() - started:.1f} s")


@competence_group.command("checkpoints")
@with_appcontext
def checkpoints() -> None:
    """Add this month's checkpoint of the summaries (the daily run does this too)."""
    added = competence_services.extend_checkpoints(summaries.today())
    db.session.commit()
    click.echo(f"checkpoints: {added} month(s) added")


def rebuild_if_empty() -> int | None:
    """Fill the summaries after an upgrade to the revision that adds them; None when not needed."""
    if not summaries.needs_rebuild():
        return None
    rows = summaries.rebuild()
    db.session.commit()
    return rows


COMMANDS = (competence_group,)
