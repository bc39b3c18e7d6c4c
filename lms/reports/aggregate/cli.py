"""``lms report committee --out FILE.pdf [--csv FILE.csv] [--as-of DATE]``: the committee's progress report."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import db
from lms.org.services import today as berlin_today
from lms.reports.aggregate import figures, report


@click.group("report")
def report_group() -> None:
    """Reports as files (aggregate figures only, suppressed as on the dashboard)."""


@report_group.command("committee")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="the PDF (tagged, PDF/UA-1)")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="the same tables as CSV (section; row; column; value)")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="the as-of day (default: today, Europe/Berlin)")
@with_appcontext
def committee(out: Path | None, csv_out: Path | None, as_of: str | None) -> None:
    """The committee's progress report: summary, a table per department, trend, targets, methods."""
    if out is None and csv_out is None:
        raise click.UsageError("give --out FILE.pdf and/or --csv FILE.csv")
    try:
        day: date = report.parse_as_of(as_of, berlin_today())
    except figures.FilterError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    started = time.perf_counter()
    built = report.build(day, current_app.config["LMS_MIN_GROUP_SIZE"], org_name=current_app.config["LMS_ORG_NAME"])
    db.session.rollback()  # read only
    if out is not None:
        out.write_bytes(report.render_pdf(built))
        click.echo(f"wrote {out}")
    if csv_out is not None:
        with csv_out.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(report.csv_lines(built))
        click.echo(f"wrote {csv_out}")
    if built.empty:
        click.echo(report.empty_text(built))
    click.echo(f"as of {day.isoformat()}, k = {built.k}, {len(built.departments)} department tables, "
               f"{time.perf_counter() - started:.1f} s")


COMMANDS = (report_group,)
