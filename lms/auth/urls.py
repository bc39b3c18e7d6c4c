"""Redirect targets after login and after a language switch (used by auth's and main's views)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Accept only local paths ("/…", not "//host" or "http://…") as redirect targets; nothing with
    control characters (a CR/LF would break the ``Location`` header)."""
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target
