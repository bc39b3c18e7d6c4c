"""Extensions, created unbound here and bound to the app in the factory."""

from __future__ import annotations

from flask import request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    """The language chosen in the header switch (kept in the session), else the browser's, else German.

    Outside a request (the ``lms`` command) the LANG environment variable decides.
    """
    import os

    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # command line: LANG=en_US.UTF-8 (or LC_ALL/LC_MESSAGES) selects English
        env = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
        lang = env.split("_")[0].split(".")[0].lower()
        return lang if lang in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
