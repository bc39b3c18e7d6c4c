"""Facts of the synthetic city shared by the benchmark scripts: database, accounts, volumes."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DEFAULT_DB = RESULTS / "city.sqlite3"

#: every synthetic account has this password (stored as one precomputed Argon2 hash)
PASSWORD = "Bench-Stadt-2026!"
DOMAIN = "bench.example"
HR_EMAIL = f"hr@{DOMAIN}"
COORDINATOR_EMAIL = f"koordination@{DOMAIN}"
ADMIN_EMAIL = f"admin@{DOMAIN}"
#: a member of the council committee (the aggregate dashboard and progress report)
COMMITTEE_EMAIL = f"ausschuss@{DOMAIN}"
#: employee no. 1, given many more attempts than anyone else (the worst case of the learner pages)
HEAVY_LEARNER_EMAIL = f"helga.haeufig@{DOMAIN}"
#: the Geschäftsbereich the coordinator looks after
COORDINATOR_UNIT = "GB2"
MANDATORY_COURSE = "ki-grundlagen"

#: default volumes (override on the command line of synth.py)
EMPLOYEES = 8000
ATTEMPTS = 300_000
HEAVY_ATTEMPTS = 250
SEED = 20261125


def database_url() -> str:
    """``DATABASE_URL`` from the environment, else the SQLite file in bench/results/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB}"


def venv_bin(name: str) -> str:
    path = ROOT / ".venv" / "bin" / name
    return str(path) if path.exists() else name
