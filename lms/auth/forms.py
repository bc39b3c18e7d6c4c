"""Login and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=1000)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Anmelden"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Neues Passwort"), validators=[DataRequired(), Length(max=1000)],
        description=_l("Mindestens 12 Zeichen. Ein Satz aus mehreren Wörtern ist sicher und gut zu merken."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Passwort wiederholen"),
        validators=[DataRequired(), EqualTo("password", message=_l("Die Passwörter stimmen nicht überein."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Passwort speichern"))


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Aktuelles Passwort"), validators=[DataRequired(), Length(max=1000)],
                            render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    submit = SubmitField(_l("Link anfordern"))
