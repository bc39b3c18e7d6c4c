"""docs/security.md names a test for each ASVS requirement it meets: every named test exists.

A reference is ``dir/test_file.py::test_name``; a following ``::test_name`` in the same cell refers to
the same file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`((?:[\w/]+\.py)?)::(\w+)`")


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def references() -> list[tuple[str, str]]:
    out = []
    for line in (ROOT / "docs/security.md").read_text(encoding="utf-8").splitlines():
        for cell in line.split("|"):
            current = None
            for file, name in REFERENCE.findall(cell):
                current = file or current
                assert current, f"'::{name}' without a file in: {cell.strip()}"
                out.append((current, name))
    return out


def test_every_test_named_in_the_security_document_exists():
    refs = references()
    assert len(refs) >= 100
    missing = [f"{file}::{name}" for file, name in refs
               if not (ROOT / "tests" / file).is_file() or name not in functions_in(ROOT / "tests" / file)]
    assert missing == []
