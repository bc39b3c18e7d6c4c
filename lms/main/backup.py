"""Backups of the database: ``lms backup FILE``. Restoring is documented in docs/backup.md.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while the
app keeps running (WAL: readers and writers are not blocked); the copy is checked with
``PRAGMA integrity_check`` and is a single self-contained database file.

PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, compressed; restore with
``pg_restore``). It runs as the current user against ``DATABASE_URL``; the password goes through the
environment (``PGPASSWORD``), never on the command line.

Either way the file is written next to its final name and renamed when complete, readable by its
owner only (it holds the personal data of every employee).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump: a fixed program with an argument list, no shell
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def backup(database_url: str, target: Path) -> str:
    """Back up the database at ``database_url`` into ``target``; returns the kind ("sqlite"/"postgresql")."""
    url = make_url(database_url)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite(url.database or "", partial)
            kind = "sqlite"
        elif url.get_backend_name() == "postgresql":
            _postgresql(database_url, partial)
            kind = "postgresql"
        else:
            raise BackupError(f"no backup method for {url.get_backend_name()} databases")
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return kind


def _sqlite(path: str, partial: Path) -> None:
    if not path or path == ":memory:" or not Path(path).is_file():
        raise BackupError(f"no SQLite database file at {path!r}")
    # create the copy readable by its owner only from the start
    partial.touch(mode=0o600)
    source = sqlite3.connect(path, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        result = copy.execute("PRAGMA integrity_check").fetchone()
        if result is None or result[0] != "ok":
            raise BackupError(f"the copy fails the integrity check: {result}")
    finally:
        copy.close()
        source.close()


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (``pg_dump``, ``pg_restore``): on the PATH, else the
    newest in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not candidates:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return candidates[-1]


def libpq_url(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL for libpq programs (no SQLAlchemy driver, no password) and the environment with the
    password (``PGPASSWORD``)."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False), env


def _postgresql(database_url: str, partial: Path) -> None:
    conninfo, env = libpq_url(database_url)
    partial.touch(mode=0o600)
    result = subprocess.run(  # nosec B603 # fixed program, argument list, no shell
        [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={partial}", f"--dbname={conninfo}"],
        env=env, capture_output=True, text=True, check=False, timeout=6 * 3600)
    if result.returncode != 0:
        raise BackupError("pg_dump failed: " + (result.stderr.strip() or f"exit status {result.returncode}"))
