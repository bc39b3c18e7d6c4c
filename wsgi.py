"""WSGI entry point: ``gunicorn wsgi:app``.

Outside development mode (``LMS_DEV``) the app refuses to start without ``SECRET_KEY`` and
``LMS_BASE_URL`` (:class:`lms.config.ConfigError`; gunicorn logs the message and stops).
"""

from lms import create_app

app = create_app()
