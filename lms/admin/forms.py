"""Admin forms: accounts and roles; competence targets."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from lms.main.navigation import ROLE_LABELS

try:  # WTForms >= 3.3 deprecates tuple choices
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older WTForms
    def _Choice(value: str, label: object) -> tuple[str, object]:  # type: ignore[no-redef]  # noqa: N802
        return (value, label)


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


# --- competence targets ------------------------------------------------------------------------------


class _Choices(SelectField):
    """A select whose unknown value gets a clear German message naming it (not "Not a valid choice")."""

    def __init__(self, *args: Any, unknown: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unknown = unknown

    def pre_validate(self, form: Any) -> None:
        if self.data not in {str(c[0]) if isinstance(c, tuple) else str(c.value) for c in self.choices or []}:
            raise ValidationError(str(self.unknown).format(value=self.data))


class TargetForm(FlaskForm):
    area = _Choices(_l("Kompetenzbereich"), validators=[DataRequired(_l("Bitte wählen Sie einen Bereich."))],
                    unknown=_l("Den Kompetenzbereich „{value}“ gibt es nicht. Bitte wählen Sie einen aus der Liste."))
    level = _Choices(_l("Zielstufe"), validators=[DataRequired(_l("Bitte wählen Sie eine Stufe."))],
                     unknown=_l("Die Stufe „{value}“ gibt es nicht. Bitte wählen Sie eine Stufe von 1 bis 4."))
    scope = RadioField(_l("Für wen"), default="all", choices=[
        _Choice("all", _l("Alle Beschäftigten")),
        _Choice("unit", _l("Eine Organisationseinheit mit allen Untereinheiten")),
        _Choice("position", _l("Eine Stelle (Funktion)"))], validators=[DataRequired()])
    unit = _Choices(_l("Organisationseinheit"), validators=[Optional()],
                    unknown=_l("Die Organisationseinheit „{value}“ gibt es nicht. Bitte wählen Sie eine aus der Liste."))
    position = StringField(
        _l("Stelle (Funktion)"), validators=[Optional(), Length(max=200)],
        description=_l("Genau wie im Personalsystem, oder mit * als Platzhalter, z. B. „Sachbearbeiter*“. "
                       "Groß- und Kleinschreibung zählt nicht. Bei einer Organisationseinheit grenzt sie weiter ein."))
    note = TextAreaField(_l("Anlass oder Hinweis"), validators=[Optional(), Length(max=500)])
    #: the preview's values; "Ziel speichern" saves only what was previewed
    digest = HiddenField()

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        pattern = (self.position.data or "").strip()
        if self.scope.data == "unit" and not self.unit.data and not self.unit.errors:
            self.unit.errors = [*self.unit.errors, _l("Bitte wählen Sie die Organisationseinheit.")]
            ok = False
        if self.scope.data == "position" and not pattern.replace("*", "").strip() and not self.position.errors:
            self.position.errors = [*self.position.errors,
                                    _l("Bitte geben Sie die Stelle an (nicht nur „*“), z. B. „Sachbearbeiter*“.")]
            ok = False
        return ok

    def unit_code(self) -> str | None:
        return self.unit.data if self.scope.data == "unit" else None

    def pattern(self) -> str | None:
        if self.scope.data == "all":
            return None
        return (self.position.data or "").strip() or None


class EndTargetForm(FlaskForm):
    pass
