"""Forms of the organisation pages: the master-data upload and its confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.validators import DataRequired

try:  # WTForms >= 3.3 deprecates tuple choices
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older WTForms
    def _Choice(value: str, label: object) -> tuple[str, object]:  # type: ignore[no-redef]  # noqa: N802
        return (value, label)


class ImportForm(FlaskForm):
    kind = RadioField(_l("Art der Datei"), choices=[_Choice("units", _l("Organisationseinheiten")),
                                                    _Choice("staff", _l("Beschäftigte"))],
                      default="staff", validators=[DataRequired()])
    file = FileField(_l("CSV-Datei"), validators=[FileRequired(_l("Bitte wählen Sie eine Datei aus."))],
                     description=_l("UTF-8 oder Windows-1252, Trennzeichen Semikolon oder Komma, "
                                    "Kopfzeile auf Deutsch oder Englisch. Höchstens 5 MB."))
    full = BooleanField(_l("Vollständige Liste: aktive Beschäftigte, die in der Datei fehlen, deaktivieren "
                           "(nur Beschäftigte)"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    #: the preview's digest (file + current state of the affected rows): a stale preview is refused
    digest = HiddenField()
    #: the typed number of people to be deactivated (full lists above the threshold)
    deactivations = StringField(_l("Zur Bestätigung: Anzahl der Personen, die deaktiviert werden"))
