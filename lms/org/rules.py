"""Pure decisions of the master-data import: identity changes, typed confirmations, shown values.

An import keys employees by personnel number. When a row keeps the number but *both* the name and
the e-mail address change, it most likely describes another person (a reused or mistyped personnel
number): applying it would hand the first person's account, progress and certificates to the second.
Such a row is an *identity change* and is only applied when HR confirms it row by row.

"The name changes" means: no part of the old name reappears in the new one. Names are split into
parts at spaces and hyphens and compared case-insensitively, with umlauts and their transcriptions
(ü/ue, ß/ss) and accents treated alike. So a marriage name (``Anna Schmidt`` → ``Anna Weber``), a
double name (``Müller`` → ``Müller-Lüdenscheidt``), a corrected spelling of one of the two names or
first and last name swapped are *not* identity changes, even with a new e-mail address; ``Petra
Hoffmann`` → ``Erika Beispiel`` with a new address is.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_TRANSCRIPTIONS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
_PART_SEPARATORS = re.compile(r"[\s\-‐‑–]+")


def normalise_name_part(part: str) -> str:
    """``Jürgen`` and ``JUERGEN`` → ``juergen``, ``José`` → ``jose``: case, umlauts and accents folded."""
    text = part.casefold()
    for umlaut, plain in _TRANSCRIPTIONS:
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isalnum())


def name_parts(first_name: str, last_name: str) -> set[str]:
    """The normalised parts of a full name (``Anna-Lena`` gives ``anna`` and ``lena``)."""
    parts = _PART_SEPARATORS.split(f"{first_name} {last_name}")
    return {p for p in (normalise_name_part(part) for part in parts) if p}


def name_changes(old_first: str, old_last: str, new_first: str, new_last: str) -> bool:
    """True when the new name shares no part with the old one (see the module docstring)."""
    return not (name_parts(old_first, old_last) & name_parts(new_first, new_last))


def is_identity_change(old: tuple[str, str, str], new: tuple[str, str, str]) -> bool:
    """``(first name, last name, e-mail)`` before and after: do both the name and the address change?"""
    old_first, old_last, old_email = old
    new_first, new_last, new_email = new
    email_changes = old_email.strip().lower() != new_email.strip().lower()
    return email_changes and name_changes(old_first, old_last, new_first, new_last)


def needs_typed_confirmation(deactivations: int, threshold: int) -> bool:
    """A full list that deactivates *more* than ``threshold`` people needs a typed confirmation."""
    return deactivations > max(threshold, 0)


def typed_confirmation_matches(typed: str | None, deactivations: int) -> bool:
    """The user typed the number of people to be deactivated (spaces and thousands dots ignored)."""
    digits = re.sub(r"[\s.,']", "", typed or "")
    return digits.isdigit() and int(digits) == deactivations


def format_value(value: object, language: str, *, yes: str = "aktiv", no: str = "inaktiv",
                 empty: str = "–") -> str:
    """A value as HR reads it: dates as ``31.12.2025`` (German) or ``2025-12-31``; status words."""
    if value is None or value == "":
        return empty
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y") if language == "de" else value.isoformat()
    return str(value)
