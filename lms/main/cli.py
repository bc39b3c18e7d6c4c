"""``lms backup FILE``: a consistent copy of the database while the app keeps running.
``lms docs privacy [--out FILE] [--lang de|en]``: the privacy notice as Markdown (docs/privacy.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

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


@click.group("docs")
def docs_group() -> None:
    """Documents generated from the code and the configuration."""


@docs_group.command("privacy")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="write to FILE (default: standard output)")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@with_appcontext
def privacy_doc(out: Path | None, lang: str) -> None:
    """The privacy notice (/datenschutz) as Markdown, from this configuration and the role matrix.

    docs/privacy.md is this command's output with the default settings; a test keeps it current.
    Run it with your deployment's environment for your own notice (e.g. the staff council's copy).
    """
    from lms.main import privacy

    with force_locale(lang):
        text = privacy.markdown(privacy.build(current_app.config, current_app.view_functions))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"written to {out}")


COMMANDS = (backup, docs_group)
