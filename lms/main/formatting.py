"""Locale-aware formatting shared by views and templates (times shown in Europe/Berlin)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_time


def iso_when(value: str) -> str:
    """An ISO date ("2027-01-06") or datetime string, formatted like :func:`when` (dates without time)."""
    if len(value) == 10:
        return format_date(date.fromisoformat(value), "medium")
    return when(datetime.fromisoformat(value))


def when(value: datetime | None) -> str:
    """Date and time for a sentence: "25.11.2026, 14:30" in German, "Nov 25, 2026, 14:30" in English."""
    if value is None:
        return ""
    return f"{format_date(value, 'medium')}, {format_time(value, 'HH:mm')}"
