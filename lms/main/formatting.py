"""Locale-aware formatting shared by views and templates (times shown in Europe/Berlin)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, format_time


def when(value: datetime | None) -> str:
    """Date and time for a sentence: "25.11.2026, 14:30" in German, "Nov 25, 2026, 14:30" in English."""
    if value is None:
        return ""
    return f"{format_date(value, 'medium')}, {format_time(value, 'HH:mm')}"
