"""The ``lms`` console command: a FlaskGroup over create_app, with one sub-group per domain.

``lms --help`` and every ``--help`` below it work without any configuration: the commands are
registered on the group itself, and the app is only created when a command runs. The app the command
line creates needs neither ``SECRET_KEY`` nor ``LMS_BASE_URL`` (``lms courses lint`` touches no
database either); a command that needs a missing setting, or a database that is unreachable or has no
schema yet, ends with one line on standard error and exit status 1, not with a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from lms import db
from lms.config import ConfigError

#: domains that contribute command groups: module path -> attribute holding a click group or command
COMMAND_MODULES = (
    "lms.auth.cli",
    "lms.org.cli",
    "lms.catalog.cli",
    "lms.learning.cli",
    "lms.demo.cli",
    "lms.main.cli",
    "lms.retention.cli",
    "lms.training.cli",
    "lms.reports.aggregate.cli",
    "lms.dv.cli",
)


#: the app the running command created (for the database URL in an error message)
_command_app: Flask | None = None


def _create_app() -> Flask:
    global _command_app
    from lms import create_app

    _command_app = create_app(command_line=True)
    return _command_app


class LmsGroup(FlaskGroup):
    """Lists and finds its commands without creating the app; turns configuration and database
    errors of a command into one line and exit status 1."""

    _domain_commands_loaded = False

    def _load_domain_commands(self) -> None:
        if not self._domain_commands_loaded:
            for command in domain_commands():
                self.add_command(command)
            self._domain_commands_loaded = True

    def _load_plugin_commands(self) -> None:
        """No ``flask.commands`` plugins: Flask-Limiter's ``limiter`` group needs extras we do not
        install (its ``--help`` fails) and is of no use with per-process rate-limit storage."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_domain_commands()
        return sorted(self.commands)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._load_domain_commands()
        return self.commands.get(name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        except (sa_exc.OperationalError, sa_exc.ProgrammingError, sa_exc.ArgumentError,
                sa_exc.NoSuchModuleError) as exc:
            problem = database_problem(exc)
            if problem is None:
                raise  # a programming error, not the database's state: keep the traceback
            raise click.ClickException(problem) from None


@click.group(cls=LmsGroup, create_app=_create_app, add_default_commands=False, load_dotenv=False)
def main() -> None:
    """KI-Kompetenz: administration commands.

    Run them with the environment of your deployment (DATABASE_URL, LMS_BASE_URL, LMS_*; see README).
    """


def _configured_url() -> str:
    url = _command_app.config["DATABASE_URL"] if _command_app else os.environ.get("DATABASE_URL", "")
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url


#: PostgreSQL error codes of a missing table and column (psycopg's ``sqlstate``)
_UNDEFINED_TABLE, _UNDEFINED_COLUMN = "42P01", "42703"


def database_problem(exc: Exception) -> str | None:
    """One line for a database error of a command: no schema yet, an old schema, unreachable, or a
    malformed URL. None for any other error (a bug, which keeps its traceback)."""
    url = _configured_url()
    if isinstance(exc, (sa_exc.ArgumentError, sa_exc.NoSuchModuleError)):
        return f"DATABASE_URL is not a usable database URL ({url or 'unset'}): {exc}"
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    detail = lines[0] if lines else type(orig).__name__
    sqlstate = getattr(orig, "sqlstate", None)
    if "no such table" in detail or sqlstate == _UNDEFINED_TABLE:
        return f"the database {url} has no schema yet: run `lms db upgrade` first ({detail})"
    if "no such column" in detail or sqlstate == _UNDEFINED_COLUMN:
        return f"the database {url} has an older schema: run `lms db upgrade` first ({detail})"
    if isinstance(exc, sa_exc.OperationalError):
        return f"this command needs the database, which cannot be used: {url}: {detail}"
    return None


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
    if revision == "head":
        from lms.learning.cli import rebuild_if_empty

        rows = rebuild_if_empty()
        if rows is not None:
            click.echo(f"competence summaries built: {rows} unit rows")


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


def domain_commands() -> list[click.Command]:
    """``lms db`` and the command groups of the domains (``COMMANDS`` in each of COMMAND_MODULES)."""
    commands: list[click.Command] = [db_group]
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that domain has no commands yet
            raise
        commands.extend(getattr(module, "COMMANDS", ()))
    return commands


def register(app: Flask) -> None:
    """The same commands on ``app.cli`` (``app.test_cli_runner()`` in tests, ``flask --app wsgi``)."""
    for command in domain_commands():
        app.cli.add_command(command)


def fail(message: str) -> None:
    """Print an error and exit with status 1."""
    click.echo(message, err=True)
    sys.exit(1)


__all__ = ["main", "register", "fail", "db"]
