"""docs/dv.md: every clause names the test that enforces it, and every named test exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "dv.md"
#: tests named before they exist (none: every test docs/dv.md names must exist)
PLANNED: set[str] = set()


def references() -> list[tuple[str, str | None]]:
    text = DOC.read_text(encoding="utf-8")
    return [(path, name or None) for path, name in re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)]


def test_every_named_test_exists():
    refs = references()
    assert len(refs) >= 25
    missing = []
    for path, name in refs:
        file = ROOT / path
        if not file.exists():
            if path not in PLANNED:
                missing.append(path)
            continue
        if name and not re.search(rf"^def {name}\(", file.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert not missing, f"docs/dv.md names tests that do not exist: {missing}"


def test_every_clause_names_its_enforcement():
    sections = re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    assert len(sections) >= 9
    unenforced = [section.splitlines()[0] for section in sections if "*Durchsetzung:*" not in section]
    assert not unenforced, f"clauses that name no setting or test: {unenforced}"
    for setting in ("LMS_MIN_GROUP_SIZE", "LMS_HR_SEES_SCORES", "LMS_RETENTION_SECURITY_DAYS"):
        assert setting in DOC.read_text(encoding="utf-8"), setting
