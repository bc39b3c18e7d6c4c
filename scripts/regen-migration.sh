#!/usr/bin/env bash
# Until the first production release the schema has ONE initial migration, regenerated from the
# models whenever they change (no deployed database needs an upgrade path yet). After the release,
# use `lms db revision -m MSG` for incremental revisions instead and delete this script.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/*.py
DATABASE_URL="sqlite:///$tmp/empty.sqlite3" LMS_DEV=1 .venv/bin/lms db revision -m "initial schema" >/dev/null
f=$(ls migrations/versions/*.py)
rev=$(sed -n "s/^revision = '\(.*\)'/\1/p" "$f")
sed -i "s/$rev/0001/g" "$f"
mv "$f" migrations/versions/0001_initial_schema.py
.venv/bin/python scripts/fix_use_alter.py migrations/versions/0001_initial_schema.py
.venv/bin/ruff check --fix --quiet migrations/versions >/dev/null 2>&1 || true
echo "migrations/versions/0001_initial_schema.py regenerated"
