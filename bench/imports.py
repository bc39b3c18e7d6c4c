"""Time the command-line imports on a fresh database: courses, org units and a 10,000-row staff file.

    .venv/bin/python bench/imports.py [--rows 10000]

Uses its own SQLite file, bench/results/imports.sqlite3 (recreated on every run), or the empty
database in IMPORTS_DATABASE_URL. Every step is the real ``lms`` command as a subprocess, so each
figure includes the start of the Python process and the app (about a second; see ``lms --help``).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import city
from synth import ASCII, DIVISIONS, FIRST_NAMES, LAST_NAMES, POSITIONS

DB_FILE = city.RESULTS / "imports.sqlite3"


def units_csv() -> str:
    lines = ["Kennung;Bezeichnung;Übergeordnet", "OB;Stadtverwaltung Benchstadt;"]
    for gb_code, gb_name, offices in DIVISIONS:
        lines.append(f"{gb_code};{gb_name};OB")
        lines += [f"{code};{name};{gb_code}" for code, name in offices]
    return "\n".join(lines) + "\n"


def staff_csv(rows: int, seed: int, *, changed: float = 0.0) -> str:
    """``rows`` employees; with ``changed`` > 0 that share of them has a new position (an update)."""
    rng = random.Random(seed)
    codes = [code for _gb, _name, offices in DIVISIONS for code, _n in offices]
    change = random.Random(seed + 1)
    lines = ["Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Funktion;Eintritt;Austritt"]
    for n in range(1, rows + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{n}@{city.DOMAIN}".lower().translate(ASCII)
        position = rng.choice(POSITIONS)
        if change.random() < changed:
            position = "Projektleitung"
        hired = f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(1985, 2026)}"
        lines.append(f"{200000 + n};{last};{first};{email};{rng.choice(codes)};{position};{hired};")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    url = os.environ.get("IMPORTS_DATABASE_URL")
    if url is None:
        city.RESULTS.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{DB_FILE}"
    env = {**os.environ, "DATABASE_URL": url, "LMS_DEV": "1", "LMS_IMPORT_MAX_ROWS": str(max(20000, args.rows))}
    files = {
        "units": city.RESULTS / "units.csv",
        "staff": city.RESULTS / f"staff-{args.rows}.csv",
        "staff5": city.RESULTS / f"staff-{args.rows}-5pct-changed.csv",
    }
    files["units"].write_text(units_csv(), encoding="utf-8")
    files["staff"].write_text(staff_csv(args.rows, city.SEED), encoding="utf-8")
    files["staff5"].write_text(staff_csv(args.rows, city.SEED, changed=0.05), encoding="utf-8")

    steps = [
        ("start-up only", ["--help"]),
        ("migrate a new database", ["db", "upgrade"]),
        ("courses import (7 courses, first)", ["courses", "import"]),
        ("courses import (unchanged, no-op)", ["courses", "import"]),
        ("units import (40 units)", ["import", "units", str(files["units"])]),
        (f"staff import --dry-run ({args.rows:,} new)", ["import", "staff", "--dry-run",
                                                        str(files["staff"])]),
        (f"staff import ({args.rows:,} new)", ["import", "staff", str(files["staff"])]),
        (f"staff import ({args.rows:,} unchanged)", ["import", "staff", str(files["staff"])]),
        (f"staff import ({args.rows:,}, 5 % changed)", ["import", "staff", str(files["staff5"])]),
        (f"staff import --full ({args.rows:,}, unchanged)", ["import", "staff", "--full",
                                                            str(files["staff5"])]),
    ]
    print(f"database: {url}")
    print("| step | command | seconds | output |")
    print("|---|---|--:|---|")
    for name, cmd in steps:
        started = time.perf_counter()
        proc = subprocess.run([city.venv_bin("lms"), *cmd], env=env, cwd=city.ROOT, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            raise SystemExit(f"lms {' '.join(cmd)} failed")
        last = (proc.stdout.strip().splitlines() or [""])[-1] if cmd != ["--help"] else ""
        shown = " ".join(c if not c.startswith("/") else Path(c).name for c in cmd)
        print(f"| {name} | `lms {shown}` | {seconds:.1f} | {last[:90]} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
