"""Forms of the catalogue pages."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ImportForm(FlaskForm):
    """The "Kurse importieren" button: no fields, only the CSRF token."""
