"""``lms`` without configuration: help and lint need nothing; what a command lacks is one line, not a traceback.

And the web app's side of the same settings: outside development mode it refuses to start without
``SECRET_KEY`` or ``LMS_BASE_URL``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from lms import cli as lms_cli
from lms import create_app, db
from lms.auth.models import User
from lms.cli import database_problem, main
from lms.config import DEV_BASE_URL, ConfigError
from tests.catalog.tree import Tree
from tests.conftest import ROOT, base_config

LMS = Path(sys.executable).parent / "lms"
COMMANDS = {"courses", "db", "demo", "import", "users"}


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DATABASE_URL, SECRET_KEY or LMS_* in the environment (``make`` exports LMS_DEV=1)."""
    for key in list(os.environ):
        if key in ("DATABASE_URL", "SECRET_KEY", "MAX_CONTENT_LENGTH") or key.startswith("LMS_"):
            monkeypatch.delenv(key)
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)  # set by FlaskGroup; restored afterwards


def invoke(args: list[str], input: str | None = None, **env: str) -> click.testing.Result:
    try:
        return CliRunner().invoke(main, args, input=input, env=env)
    finally:
        if lms_cli._command_app is not None:  # close its connections (a process would simply exit)
            db.get_db(lms_cli._command_app).dispose()
            lms_cli._command_app = None


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path below ``group`` (groups included)."""
    ctx = click.Context(group)
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += walk(command, (*prefix, name))
    return paths


def test_help_lists_every_command_without_configuration(bare_env) -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert COMMANDS <= listed
    assert "Traceback" not in result.output


def test_every_subcommand_help_works_without_configuration(bare_env) -> None:
    paths = walk(main)
    assert ("users", "invite-employees") in paths and ("courses", "lint") in paths and ("db", "upgrade") in paths
    for path in paths:
        result = invoke([*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage: " in result.output and "Traceback" not in result.output


def test_lint_needs_no_secret_and_no_database(bare_env, tmp_path: Path) -> None:
    """The database URL points into a missing folder: any connection would fail. (A clean folder: the
    real courses are checked in tests/catalog/test_curriculum.py and test_quiz_cues.py.)"""
    tree = Tree(tmp_path / "src")
    tree.clean_quiz()
    result = invoke(["courses", "lint", str(tree.root)],
                    DATABASE_URL=f"sqlite:///{tmp_path}/fehlt/lms.sqlite3")
    assert result.exit_code == 0, result.output
    assert result.output.endswith(": OK\n")
    assert not (tmp_path / "fehlt").exists()


def test_command_without_database_schema_says_so_in_one_line(bare_env, tmp_path: Path) -> None:
    result = invoke(["users", "list"], DATABASE_URL=f"sqlite:///{tmp_path}/leer.sqlite3")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "has no schema yet: run `lms db upgrade`" in result.stderr


def test_unreachable_database_says_so_in_one_line_without_password(bare_env) -> None:
    result = invoke(["users", "list"], DATABASE_URL="postgresql://lms:geheim@127.0.0.1:1/lms")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "cannot be used: postgresql+psycopg://lms:***@127.0.0.1:1/lms" in result.stderr
    assert "geheim" not in result.stderr


def test_database_problems_and_bugs_are_told_apart(bare_env) -> None:
    from sqlalchemy import exc

    older = database_problem(exc.OperationalError("SELECT", {}, Exception("no such column: users.locale")))
    assert older is not None and "has an older schema: run `lms db upgrade`" in older
    locked = database_problem(exc.OperationalError("INSERT", {}, Exception("database is locked")))
    assert locked is not None and locked.endswith(": database is locked")
    assert database_problem(exc.ProgrammingError("SELEC", {}, Exception("syntax error at or near"))) is None


def test_malformed_setting_says_so_in_one_line(bare_env) -> None:
    result = invoke(["courses", "lint"], LMS_MIN_GROUP_SIZE="fünf")
    assert result.exit_code == 1
    assert result.stderr == "Error: LMS_MIN_GROUP_SIZE must be a whole number, not 'fünf'\n"


def test_invitation_link_needs_base_url(bare_env, database_url: str) -> None:
    """Without LMS_BASE_URL (and not in development mode) no account is created with a useless link."""
    result = invoke(["users", "create", "chefin@stadt.example", "--role", "admin"], DATABASE_URL=database_url)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: LMS_BASE_URL is not set: it is the public address")
    app = create_app(base_config(database_url, Path()))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    db.get_db(app).dispose()

    result = invoke(["users", "create", "chefin@stadt.example", "--role", "admin", "--password-stdin"],
                    DATABASE_URL=database_url, input="Lange-genug-und-geheim-42\n")
    assert result.exit_code == 0, result.output  # no link printed: the address is not needed
    result = invoke(["users", "invite", "chefin@stadt.example"], DATABASE_URL=database_url,
                    LMS_BASE_URL="https://lernen.example.org")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("https://lernen.example.org/einladung/")


def test_app_refuses_to_start_without_secret_or_base_url(bare_env, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/lms.sqlite3"
    with pytest.raises(ConfigError, match="^SECRET_KEY is not set: it signs sessions"):
        create_app({"DATABASE_URL": url, "LMS_BASE_URL": "https://lernen.example.org"})
    with pytest.raises(ConfigError, match="^LMS_BASE_URL is not set: .* certificates and invitation links"):
        create_app({"DATABASE_URL": url, "SECRET_KEY": "s"})
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "s", "LMS_BASE_URL": "https://lernen.example.org"})
    assert app.config["LMS_BASE_URL"] == "https://lernen.example.org"
    assert create_app({"DATABASE_URL": url, "SECRET_KEY": "s", "LMS_DEV": True}).config["LMS_BASE_URL"] \
        == DEV_BASE_URL
    commands = create_app({"DATABASE_URL": url}, command_line=True)
    assert not commands.config["SECRET_KEY"] and not commands.config["LMS_BASE_URL"]


def test_wsgi_refuses_to_start_without_base_url(bare_env, tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SECRET_KEY": "s",
           "DATABASE_URL": f"sqlite:///{tmp_path}/lms.sqlite3"}
    done = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "LMS_BASE_URL is not set" in done.stderr.splitlines()[-1]


class TestRealProcess:
    """``.venv/bin/lms`` as an operator runs it: an empty environment, a foreign working directory."""

    def run(self, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(LMS), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env})

    def test_help(self, tmp_path: Path) -> None:
        done = self.run(tmp_path, "--help")
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        for command in COMMANDS:
            assert f"\n  {command} " in done.stdout
        users = self.run(tmp_path, "users", "create", "--help")
        assert users.returncode == 0 and "--role" in users.stdout and users.stderr == ""

    def test_lint(self, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
        tree = Tree(tmp_path_factory.mktemp("src"))
        tree.clean_quiz()
        done = self.run(tmp_path, "courses", "lint", str(tree.root))
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.endswith(": OK\n")
        assert list(tmp_path.iterdir()) == []

    def test_database_command_fails_in_one_line(self, tmp_path: Path) -> None:
        done = self.run(tmp_path, "users", "list", DATABASE_URL=f"sqlite:///{tmp_path}/leer.sqlite3")
        assert done.returncode == 1
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1 and "run `lms db upgrade`" in done.stderr
