"""KI-Kompetenz: the application factory."""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask

from lms import config as config_module
from lms import logs


def create_app(config: dict[str, Any] | None = None, *, command_line: bool = False) -> Flask:
    """Create the app. ``config`` overrides everything (tests pass a dict).

    The factory only wires things up; it issues no database query. Outside development mode
    (``LMS_DEV``) and tests it refuses to start without ``SECRET_KEY`` and ``LMS_BASE_URL``
    (:class:`lms.config.ConfigError`). The ``lms`` command passes ``command_line=True``: most
    commands need neither, and those that do ask for them (:func:`lms.config.require`).
    """
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config, command_line=command_line)
    logs.configure(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_commands(app)
    register_error_handlers(app)
    register_request_hooks(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``LMS_TRUSTED_PROXIES`` reverse proxies, take the client address and scheme from the
    ``X-Forwarded-For``/``-Proto`` entries those proxies appended (werkzeug's ProxyFix). Entries a
    client wrote itself lie further left and are never used; with 0 the headers are ignored."""
    count = app.config["LMS_TRUSTED_PROXIES"]
    if count < 0:
        raise RuntimeError("LMS_TRUSTED_PROXIES must be 0 or more")
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def configure(app: Flask, config: dict[str, Any] | None, *, command_line: bool = False) -> None:
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
    development = app.config["LMS_DEV"] or app.testing
    if not app.config.get("SECRET_KEY"):
        if development:
            app.config["SECRET_KEY"] = _dev_secret(app)
        elif not command_line:
            raise config_module.ConfigError(config_module.missing("SECRET_KEY"))
    if not app.config.get("LMS_BASE_URL"):
        if development:
            app.config["LMS_BASE_URL"] = config_module.DEV_BASE_URL
        elif not command_line:
            raise config_module.ConfigError(config_module.missing("LMS_BASE_URL"))
    if app.config["LMS_DEV"]:
        app.config["SESSION_COOKIE_SECURE"] = False
    elif app.config["SESSION_COOKIE_NAME"] == "session":
        # https only, this host only, path /: the browser enforces all three for a __Host- cookie
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
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


def register_converters(app: Flask) -> None:
    """``<int:…>`` in routes matches only what fits the schema's integer columns (32 bits on
    PostgreSQL): a larger number is an unknown page (404), never an ``OverflowError`` or a
    database error."""
    from lms.pagination import BoundedIntegerConverter

    app.url_map.converters["int"] = BoundedIntegerConverter


def register_blueprints(app: Flask) -> None:
    from lms.admin.audit_log import bp as audit_bp
    from lms.admin.audit_log import council_bp
    from lms.admin.views import bp as admin_bp
    from lms.auth.views import bp as auth_bp
    from lms.catalog.views import bp as catalog_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.dv.views import bp as dv_bp
    from lms.learning.views import bp as learning_bp
    from lms.main.views import bp as main_bp
    from lms.org.views import bp as org_bp
    from lms.reports.aggregate.report import bp as committee_report_bp
    from lms.reports.aggregate.views import bp as committee_bp
    from lms.reports.individual.views import bp as reports_bp
    from lms.training.views import bp as training_bp

    for bp in (main_bp, auth_bp, admin_bp, audit_bp, org_bp, learning_bp, certificates_bp, catalog_bp,
               training_bp, reports_bp, committee_bp, committee_report_bp, council_bp, dv_bp):
        app.register_blueprint(bp)
    # the catalogue shows what a new course version does to learners; learning owns those records
    from lms.catalog.services import IMPACT_EXTENSION
    from lms.learning.impact import course_impact

    app.extensions[IMPACT_EXTENSION] = course_impact
    # the staff import plans with the accounts linked to employees; auth owns accounts
    from lms.auth.employees import linked_accounts
    from lms.org.services import ACCOUNTS_EXTENSION

    app.extensions[ACCOUNTS_EXTENSION] = linked_accounts
    # the learner's pages show due dates; training owns obligations
    from lms.learning.pages import OBLIGATIONS_EXTENSION
    from lms.training.queries import learner_obligations

    app.extensions[OBLIGATIONS_EXTENSION] = learner_obligations
    from lms.learning.pages import OWN_CYCLES_EXTENSION, OWN_NOTIFICATIONS_EXTENSION
    from lms.training.queries import own_cycles, own_notifications

    app.extensions[OWN_CYCLES_EXTENSION] = own_cycles
    app.extensions[OWN_NOTIFICATIONS_EXTENSION] = own_notifications
    # lower layers signal, the layers above react in the same transaction (docs/decisions.md, layers):
    # accounts follow staff imports (leavers, identity changes, new addresses); the competence framework
    # follows course imports; obligations follow imports, moves, leavers and completions
    from lms.auth import employees as auth_employees
    from lms.competence import services as competence_services
    from lms.learning import summaries as learning_summaries
    from lms.training import services as training_services

    auth_employees.connect_signals()
    competence_services.connect_signals()
    learning_summaries.connect_signals()  # the committee's summary rows follow moves, leavers, renewals
    training_services.connect_signals()


def register_commands(app: Flask) -> None:
    from lms.cli import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from lms.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from lms.main.security import register

    register(app)
