"""Start page per role, language switch, static information pages, health check."""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms import db
from lms.auth.urls import safe_next
from lms.extensions import csrf

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == "employee" and "learning.my_courses" in current_app.view_functions:
        return redirect(url_for("learning.my_courses"))
    return render_template("main/index.html")


@bp.route("/sprache", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.route("/barrierefreiheit")
def accessibility():
    config = current_app.config
    return render_template(
        "main/accessibility.html", contact=config["LMS_A11Y_CONTACT"], email=config["LMS_A11Y_EMAIL"],
        phone=config["LMS_A11Y_PHONE"], conciliation=config["LMS_A11Y_CONCILIATION"],
        conciliation_url=config["LMS_A11Y_CONCILIATION_URL"], law=config["LMS_A11Y_LAW"],
        base_url=config["LMS_BASE_URL"], idle_minutes=config["LMS_SESSION_IDLE_MINUTES"],
        max_hours=config["LMS_SESSION_MAX_HOURS"],
        prepared_on=date.fromisoformat(config["LMS_A11Y_STATEMENT_DATE"]),
        reviewed_on=date.fromisoformat(config["LMS_A11Y_REVIEWED_ON"]))


@bp.route("/datenschutz")
def privacy():
    """Generated from the configuration, the permission catalogue and the schema (lms/main/privacy.py)."""
    from lms.main import privacy as notice

    return render_template("main/privacy.html",
                           notice=notice.build(current_app.config, current_app.view_functions))


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """For load balancers and monitoring: 200 when this process can query the database, else 503
    (the balancer then takes the instance out of rotation). Reveals nothing but the status."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable: %s", exc.__class__.__name__)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
