"""Counts the generated inputs and the XSS payloads tried in this folder, reported at the end of the run."""

from __future__ import annotations

from typing import Any

_COUNTS = {"inputs": 0, "payloads": 0}


def count_examples(n: int) -> None:
    _COUNTS["inputs"] += n


def count_payloads(n: int) -> None:
    """Payload × place combinations (a payload in course Markdown, in a staff name, in a field …)."""
    _COUNTS["payloads"] += n


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _COUNTS["inputs"] or _COUNTS["payloads"]:
        terminalreporter.write_line(
            f"hostile input: {_COUNTS['inputs']} generated inputs, {_COUNTS['payloads']} XSS payload placements "
            "(a server error, a partial write or a live payload fails its test)")
