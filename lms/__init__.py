"""KI-Kompetenz: the application factory."""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask

from lms import config as config_module
from lms import logs


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the app. ``config`` overrides everything (tests pass a dict).

    The factory only wires things up; it issues no database query.
    """
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config)
    logs.configure(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_error_handlers(app)
    register_request_hooks(app)
    return app


def configure(app: Flask, config: dict[str, Any] | None) -> None:
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment())
    if config:
        app.config.update(config)
    if not app.config.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["DATABASE_URL"] = config_module.default_sqlite_url(app.instance_path)
    if app.config["DATABASE_URL"].startswith("postgres://"):
        app.config["DATABASE_URL"] = "postgresql+psycopg://" + app.config["DATABASE_URL"][len("postgres://"):]
    if app.config["DATABASE_URL"].startswith("postgresql://"):
        app.config["DATABASE_URL"] = "postgresql+psycopg://" + app.config["DATABASE_URL"][len("postgresql://"):]
    if not app.config.get("SECRET_KEY"):
        if not (app.config["LMS_DEV"] or app.testing):
            raise RuntimeError("SECRET_KEY must be set (or LMS_DEV=1 for local development)")
        app.config["SECRET_KEY"] = _dev_secret(app)
    if app.config["LMS_DEV"]:
        app.config["SESSION_COOKIE_SECURE"] = False
    app.config["RATELIMIT_STORAGE_URI"] = app.config["LMS_RATELIMIT_STORAGE_URI"]
    if not app.config.get("LMS_COURSES_DIR"):
        app.config["LMS_COURSES_DIR"] = os.path.join(os.path.dirname(app.root_path), "courses")


def _dev_secret(app: Flask) -> str:
    """A random key kept in the instance folder, so development sessions survive restarts."""
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "dev-secret-key")
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path) as fh:
        return fh.read().strip()


def register_extensions(app: Flask) -> None:
    from lms import db
    from lms.auth import sessions
    from lms.extensions import babel, csrf, limiter, login_manager, select_locale

    db.import_models()
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)


def register_blueprints(app: Flask) -> None:
    from lms.admin.views import bp as admin_bp
    from lms.audit.views import bp as audit_bp
    from lms.auth.views import bp as auth_bp
    from lms.catalog.views import bp as catalog_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.learning.views import bp as learning_bp
    from lms.main.views import bp as main_bp
    from lms.org.views import bp as org_bp

    for bp in (main_bp, auth_bp, admin_bp, audit_bp, org_bp, learning_bp, certificates_bp, catalog_bp):
        app.register_blueprint(bp)


def register_commands(app: Flask) -> None:
    from lms.cli import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from lms.main.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from lms.main.security import register

    register(app)
