"""Forms of mandatory training: a rule (with its preview), ending a rule, one manual assignment."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

try:  # WTForms >= 3.3 deprecates tuple choices
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older WTForms
    def _Choice(value: str, label: object) -> tuple[str, object]:  # type: ignore[no-redef]  # noqa: N802
        return (value, label)

UNKNOWN_COURSE = _l("Diesen Kurs gibt es nicht (mehr). Bitte wählen Sie einen Kurs aus der Liste.")
UNKNOWN_UNIT = _l("Diese Organisationseinheit gibt es nicht oder sie liegt außerhalb Ihres Bereichs.")


class _Choices(SelectField):
    """A select whose unknown values get a clear German message instead of "Not a valid choice"."""

    def __init__(self, *args: Any, unknown: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unknown = unknown

    def pre_validate(self, form: Any) -> None:
        if self.data not in {str(c[0]) if isinstance(c, tuple) else str(c.value) for c in self.choices or []}:
            raise ValidationError(str(self.unknown))


class _Date(DateField):
    """A date as ``JJJJ-MM-TT`` (the browser's date field) or ``TT.MM.JJJJ``, with a German message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Das ist kein gültiges Datum. Bitte TT.MM.JJJJ oder JJJJ-MM-TT."))) from error


class RuleForm(FlaskForm):
    course = _Choices(_l("Kurs"), unknown=UNKNOWN_COURSE, validators=[DataRequired()])
    unit = _Choices(_l("Für wen: Organisationseinheit mit allen Untereinheiten"), unknown=UNKNOWN_UNIT)
    position = StringField(
        _l("Nur für die Stelle (Funktion)"), validators=[Optional(), Length(max=200)],
        description=_l("Genau wie im Personalsystem, oder mit * als Platzhalter, z. B. „Sachbearbeiter*“. "
                       "Groß- und Kleinschreibung zählt nicht. Leer: alle Stellen."))
    due_kind = RadioField(_l("Fälligkeit"), default="days", choices=[
        _Choice("days", _l("Eine Anzahl Tage, nachdem die Regel eine Person erreicht")),
        _Choice("date", _l("Ein fester Tag"))], validators=[DataRequired()])
    due_days = IntegerField(_l("Tage bis zur Fälligkeit"), default=90,
                            validators=[Optional(), NumberRange(1, 3650, _l("Bitte 1 bis 3650 Tage."))])
    #: the description names LMS_RENEWAL_DAYS; the view sets it
    due_on = _Date(_l("Fällig am"), validators=[Optional()])
    note = TextAreaField(_l("Anlass oder Hinweis"), validators=[Optional(), Length(max=500)])
    #: the preview's values; "Regel speichern" saves only what was previewed
    digest = HiddenField()

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate(self, extra_validators: Any = None) -> bool:
        # Optional() ends a field's validator chain when it is empty, so "which due date" is decided here
        ok = super().validate(extra_validators)
        if self.due_kind.data == "days" and self.due_days.data is None and not self.due_days.errors:
            self.due_days.errors = [*self.due_days.errors, _l("Bitte geben Sie die Anzahl Tage an.")]
            ok = False
        if self.due_kind.data == "date" and not self.due_on.errors:
            if self.due_on.data is None:
                self.due_on.errors = [*self.due_on.errors,
                                      _l("Bitte geben Sie den Tag an (TT.MM.JJJJ oder JJJJ-MM-TT).")]
                ok = False
            elif self.due_on.data < self.today:
                self.due_on.errors = [*self.due_on.errors,
                                      _l("Der Tag liegt in der Vergangenheit. Bitte wählen Sie heute oder später.")]
                ok = False
        return ok


class EndRuleForm(FlaskForm):
    pass


class AssignForm(FlaskForm):
    course = _Choices(_l("Kurs"), unknown=UNKNOWN_COURSE, validators=[DataRequired()])
    due_on = _Date(_l("Fällig am"),
                       validators=[DataRequired(_l("Bitte geben Sie den Tag an (TT.MM.JJJJ oder JJJJ-MM-TT)."))])
    note = TextAreaField(_l("Anlass"), validators=[DataRequired(_l("Bitte nennen Sie den Anlass.")),
                                                    Length(max=500)],
                         description=_l("Zum Beispiel „Neue Aufgabe mit KI-Anwendung im Bürgerbüro“."))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_due_on(self, field: DateField) -> None:
        if field.data is not None and field.data < self.today:
            raise ValidationError(_l("Der Tag liegt in der Vergangenheit. Bitte wählen Sie heute oder später."))
