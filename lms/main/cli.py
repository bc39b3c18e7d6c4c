"""``lms backup FILE``: a consistent copy of the database while the app keeps running."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.main import backup as backups


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--force", is_flag=True, help="replace FILE if it exists")
@with_appcontext
def backup(file: Path, force: bool) -> None:
    """Back up the database into FILE (SQLite: a database file; PostgreSQL: a pg_dump archive).

    Restore as described in docs/backup.md. The file holds personal data: it is readable by its
    owner only; keep it like the database.
    """
    if file.exists() and not force:
        raise click.ClickException(f"{file} exists; use --force to replace it")
    try:
        kind = backups.backup(current_app.config["DATABASE_URL"], file)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{kind} backup written to {file} ({file.stat().st_size} bytes)")


COMMANDS = (backup,)
