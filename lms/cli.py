"""The ``lms`` console command: a FlaskGroup over create_app, with one sub-group per domain."""

from __future__ import annotations

import importlib
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from lms import db

#: domains that contribute command groups: module path -> attribute holding a click group or command
COMMAND_MODULES = (
    "lms.auth.cli",
    "lms.org.cli",
    "lms.catalog.cli",
    "lms.demo.cli",
    "lms.main.cli",
)


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, load_dotenv=False)
def main() -> None:
    """KI-Kompetenz: administration commands."""


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


def alembic_config():
    from pathlib import Path

    from alembic.config import Config
    from flask import current_app

    root = Path(current_app.root_path).parent
    cfg = Config()
    cfg.set_main_option("script_location", str(root / "migrations"))
    cfg.attributes["database_url"] = current_app.config["DATABASE_URL"]
    return cfg


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Bring the schema up to REVISION (default: head)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"database at {revision}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the current revision."""
    from alembic import command

    command.current(alembic_config())


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a new revision from the models (for developers)."""
    from alembic import command

    command.revision(alembic_config(), message=message, autogenerate=True)


def register(app: Flask) -> None:
    app.cli.add_command(db_group)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that domain has no commands yet
            raise
        for command in getattr(module, "COMMANDS", ()):
            app.cli.add_command(command)


def fail(message: str) -> None:
    """Print an error and exit with status 1."""
    click.echo(message, err=True)
    sys.exit(1)


__all__ = ["main", "register", "fail", "db"]
