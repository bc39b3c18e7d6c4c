"""Login, logout, invitations and password change."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms import db, mail
from lms.audit import services as audit
from lms.auth import services, sessions, throttle
from lms.auth.access import login_required
from lms.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from lms.auth.passwords import hash_password, needs_rehash, verify_password
from lms.auth.urls import safe_next
from lms.extensions import limiter

bp = Blueprint("auth", __name__)


@bp.route("/anmelden", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if session.pop("expired", False):
        flash(_("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."), "info")
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        addr = request.remote_addr
        until = throttle.check(email, addr)
        if until is not None:
            audit.record("auth.login_locked", object_type="account", object_id=email, actor_label=email)
            db.session.commit()
            return _locked(form, until)
        user = services.find_by_email(email)
        # one Argon2 verification whatever the account's state (unknown, invited, inactive)
        ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is not None and ok and not user.is_active:
            # the right password of a switched-off account: say so and whom to ask (a wrong password
            # gets the generic answer below, so the account's state is no oracle)
            audit.record("auth.login_deactivated", object_type="user", object_id=user.id, actor_label=email)
            db.session.commit()
            flash(_("Ihr Konto ist deaktiviert. Bitte wenden Sie sich an %(contact)s.",
                    contact=current_app.config["LMS_SUPPORT_CONTACT"]), "error")
            return render_template("auth/login.html", form=form), 403
        if user is None or not ok or not user.is_active:
            throttle.register_failed_login(email, addr)
            audit.record("auth.login_failed", object_type="account", object_id=email, actor_label=email)
            db.session.commit()
            # from a locked address (or once this failure locked the account) say until when
            until = throttle.locked_until(throttle.account_key(email), throttle.address_key(addr))
            if until is not None:
                return _locked(form, until)
            form.password.errors = [_("E-Mail-Adresse oder Passwort ist falsch.")]
            return render_template("auth/login.html", form=form), 200
        if needs_rehash(user.password_hash or ""):
            user.password_hash = hash_password(form.password.data)
        throttle.clear(email, addr)
        user.last_login_at = datetime.now(UTC)
        chosen_lang = session.get("lang")
        session.clear()  # no fixation: a fresh session after login
        login_user(user)
        sessions.start(user)
        if chosen_lang:
            user.locale = chosen_lang  # a language picked before login is kept and remembered
        if user.locale:
            session["lang"] = user.locale
        audit.record("auth.login", object_type="user", object_id=user.id, actor=user)
        db.session.commit()
        return redirect(safe_next(form.next.data) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


def _locked(form: LoginForm, until: datetime):
    flash(_("Zu viele fehlgeschlagene Anmeldeversuche. Die Anmeldung ist bis %(time)s gesperrt.",
            time=format_datetime(until, "short")), "error")
    return render_template("auth/login.html", form=form), 429


@bp.route("/abmelden", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    services.end_sessions(user)
    audit.record("auth.logout", object_type="user", object_id=user.id)
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Sie sind abgemeldet."), "success")
    response = redirect(url_for("auth.login"))
    # the browser drops cached pages and any script storage of this site (the session ends server-side)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _reset_email_key() -> str:
    """Rate-limit key of a reset request: the typed address (limits the mails one address receives)."""
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=_reset_email_key)
def forgot_password():
    """"Passwort vergessen": the same answer, after the same work, whether or not the address has an
    account; the mail leaves in the background so that sending takes no time of the answer."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.change_password"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        message = services.request_password_reset(form.email.data)
        db.session.commit()
        if message is not None:
            mail.send_in_background([message])
        flash(_("Wenn es zu %(email)s ein aktives Konto gibt, haben wir einen Link an diese Adresse geschickt. "
                "Er ist eine Stunde gültig.", email=form.email.data.strip()), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/passwort-neu/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def reset_password(token: str):
    inv = services.find_invitation(token, purpose=services.RESET)
    if inv is None:
        return render_template("auth/invitation_invalid.html", reset=True), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(inv, form.password.data)
        except services.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Ihr neues Passwort ist gespeichert. Sie können sich jetzt anmelden."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=inv.user, reset=True)


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def accept_invitation(token: str):
    inv = services.find_invitation(token)
    if inv is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(inv, form.password.data)
        except services.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Ihr Passwort ist gespeichert. Sie können sich jetzt anmelden."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=inv.user)


@bp.route("/konto/passwort", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current.data):
            form.current.errors = [_("Das aktuelle Passwort ist falsch.")]
        else:
            try:
                services.set_password(user, form.password.data)
            except services.AccountError as exc:
                form.password.errors = [str(exc)]
            else:
                audit.record("auth.password_changed", object_type="user", object_id=user.id)
                db.session.commit()
                # this session continues with the new version; all others end
                login_user(user)
                sessions.start(user)
                flash(_("Ihr Passwort ist geändert. Andere Sitzungen wurden beendet."), "success")
                return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/sitzung/verlaengern", methods=["POST"])
@login_required
def extend_session():
    """Keep the session alive: the request itself resets the idle time (sessions.enforce_timeouts).
    Called by the timeout warning (static/js/app.js); answers how long the session now lasts."""
    return {"idle_seconds": sessions.idle_seconds(), "warn_seconds": sessions.WARN_SECONDS}


@bp.app_context_processor
def _inject() -> dict:
    return {"org_name": current_app.config["LMS_ORG_NAME"], "session_idle_seconds": sessions.idle_seconds(),
            "session_idle_minutes": current_app.config["LMS_SESSION_IDLE_MINUTES"],
            "session_warn_seconds": sessions.WARN_SECONDS}


