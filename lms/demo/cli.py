"""``lms demo load [--if-empty]``: the fictitious city "Musterstadt" with one account per role."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from lms import db
from lms.demo import services


def account_table(accounts: list[services.DemoAccount] | tuple[services.DemoAccount, ...]) -> str:
    rows = [("E-Mail", "Rolle / role", "Passwort / password")] + [(a.email, a.role, a.password) for a in accounts]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@click.group("demo")
def demo() -> None:
    """Demo data (fictitious; never on a production database)."""


@demo.command("load")
@click.option("--if-empty", is_flag=True,
              help="do nothing (exit 0) if the database already holds data; `make run` uses this")
@with_appcontext
def load(if_empty: bool) -> None:
    """Create the demo city Musterstadt: 22 units, 300 employees with 18 months of learning history, one
    account per role."""
    if not services.is_empty():
        present = services.present_accounts()
        db.session.rollback()
        if not if_empty:
            click.echo("The database already holds employees, org units or accounts: the demo is only "
                       "loaded into an empty database. Nothing was changed.", err=True)
            sys.exit(1)
        if present:
            click.echo("demo data already present")
            click.echo(account_table(present))
        else:
            click.echo("the database already holds data (no demo accounts): demo not loaded")
        return
    summary = services.load()
    db.session.commit()
    click.echo(f"Demo city Musterstadt loaded: {summary.units} org units, {summary.employees} employees, "
               f"{len(summary.accounts)} accounts, {summary.assignments} mandatory-course assignments, "
               f"{summary.completions} completions in the history, {summary.targets} competence targets.")
    click.echo(account_table(summary.accounts))


COMMANDS = (demo,)
