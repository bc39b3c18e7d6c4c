"""Forms of the catalogue pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ImportForm(FlaskForm):
    """The "Kurse importieren" button: the fingerprint of the preview it confirms (and the CSRF token)."""

    digest = HiddenField()
