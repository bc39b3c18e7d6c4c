"""Forms of the learner's journey. The quiz answers are read by ``services.parse_answers`` (the fields
depend on the drawn questions); these forms carry the CSRF token and the fixed fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class AcknowledgeForm(FlaskForm):
    confirm = BooleanField(
        _l("Ich habe diese Fassung gelesen und verstanden"),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass Sie diese Fassung gelesen haben."))],
    )
