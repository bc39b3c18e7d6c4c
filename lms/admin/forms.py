"""Admin forms: accounts and roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from lms.main.navigation import ROLE_LABELS


def role_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in ROLE_LABELS.items()]


class RoleForm(FlaskForm):
    role = SelectField(_l("Rolle"), choices=role_choices, validators=[DataRequired()])
    units = SelectMultipleField(
        _l("Organisationseinheiten (nur Koordination)"), choices=[], validators=[Optional()],
        description=_l("Koordinatorinnen und Koordinatoren sehen die Beschäftigten dieser Einheiten und aller Untereinheiten."),
    )
    submit = SubmitField(_l("Rolle speichern"))


class CreateUserForm(RoleForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Anzeigename (für Konten ohne Personaldatensatz)"),
                               validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Konto anlegen und Einladung erzeugen"))
