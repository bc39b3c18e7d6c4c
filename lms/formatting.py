"""Locale-aware formatting shared by views and templates (times shown in Europe/Berlin)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_time, get_locale
from markupsafe import Markup, escape

#: the language course content is written in (courses/ are German); the UI may be English
CONTENT_LANGUAGE = "de"


def content_lang() -> Markup:
    """`` lang="de"`` for an element holding course content when the page is in another language
    (WCAG 3.1.2 language of parts); nothing on a German page."""
    if str(get_locale()) == CONTENT_LANGUAGE:
        return Markup("")
    return Markup(' lang="{}"').format(CONTENT_LANGUAGE)


def content(value: object) -> Markup:
    """Course text (a title, a summary) inside a page sentence: ``<span lang="de">`` on an English page."""
    text = escape(value)
    if str(get_locale()) == CONTENT_LANGUAGE or not str(value):
        return text
    return Markup('<span lang="{}">{}</span>').format(CONTENT_LANGUAGE, text)


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
