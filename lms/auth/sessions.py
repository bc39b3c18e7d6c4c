"""Login sessions: loading the user, session version, idle and absolute timeouts.

The session cookie holds ``user_id:session_version``. Logout, password change and role change
bump ``users.session_version``, which voids every session of that user in every app process.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import logout_user
from sqlalchemy import select

from lms import db
from lms.auth.models import User
from lms.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Bitte melden Sie sich an.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(to_login)
    app.before_request(enforce_timeouts)


def to_login():
    """Send an anonymous request to the login page with a ``next`` target to return to.

    A form sent after the session expired (a POST) returns to the page the form was on (its
    same-origin referrer), not to the POST URL, which would answer the GET after login with 405.
    """
    if request.method == "GET":
        target: str | None = request.full_path.rstrip("?")
    else:
        referrer = urlsplit(request.referrer or "")
        target = referrer.path + (f"?{referrer.query}" if referrer.query else "") \
            if referrer.netloc == request.host else None
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=target) if target else url_for(login_manager.login_view))


def load_user(user_id: str) -> User | None:
    try:
        uid, version = (int(part) for part in user_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.scalar(select(User).where(User.id == uid))
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


#: the timeout warning opens this long before an idle session ends (WCAG 2.2.1 asks for at least 20 s)
WARN_SECONDS = 120


def idle_seconds() -> int:
    """LMS_SESSION_IDLE_MINUTES in seconds."""
    return int(timedelta(minutes=current_app.config["LMS_SESSION_IDLE_MINUTES"]).total_seconds())


def _now() -> datetime:
    return datetime.now(UTC)


def start(user: User) -> None:
    """Stamp a fresh login session (called after ``login_user``)."""
    now = _now().timestamp()
    session["login_at"] = now
    session["seen_at"] = now
    session.permanent = False


def enforce_timeouts() -> None:
    """End a session idle for longer than LMS_SESSION_IDLE_MINUTES or older than LMS_SESSION_MAX_HOURS."""
    if "_user_id" not in session:
        return
    now = _now().timestamp()
    idle = timedelta(minutes=current_app.config["LMS_SESSION_IDLE_MINUTES"]).total_seconds()
    absolute = timedelta(hours=current_app.config["LMS_SESSION_MAX_HOURS"]).total_seconds()
    login_at = session.get("login_at", 0)
    seen_at = session.get("seen_at", 0)
    if now - seen_at > idle or now - login_at > absolute:
        logout_user()
        session.pop("login_at", None)
        session.pop("seen_at", None)
        session["expired"] = True
        return
    session["seen_at"] = now
