"""``/healthz`` reports the database; ``LMS_LOG_FORMAT=json`` writes one JSON object per log line."""

from __future__ import annotations

import json
import logging

import pytest

from lms import create_app, db
from lms.logs import JsonFormatter


def test_healthz_is_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-dir-for-lms-test/lms.sqlite3",
    "postgresql+psycopg://nobody@127.0.0.1:1/lms?connect_timeout=2",  # nothing listens on port 1
])
def test_healthz_is_503_when_the_database_is_unreachable(app_config, url, caplog):
    app = create_app({**app_config, "DATABASE_URL": url})
    with caplog.at_level(logging.ERROR, logger="lms.main.views"):
        response = app.test_client().get("/healthz")
    db.get_db(app).dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "database unreachable" in caplog.text
    # nothing about the error reaches the client
    assert b"Error" not in response.data and b"sqlite" not in response.data.lower()


def test_json_log_lines_carry_the_request(app):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    formatter = JsonFormatter()
    with app.test_request_context("/schulungen?x=geheim", method="POST", environ_base={"REMOTE_ADDR": "10.0.0.7"},
                                  headers={"X-Request-ID": "abc-123"}):
        logger = logging.getLogger("lms.test")
        keep = Keep()
        logger.addHandler(keep)
        try:
            logger.warning("something %s", "happened")
            try:
                raise ValueError("boom")
            except ValueError:
                logger.exception("failed")
        finally:
            logger.removeHandler(keep)
        lines = [json.loads(formatter.format(r)) for r in records]
    assert lines[0]["message"] == "something happened"
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "lms.test"
    assert lines[0]["method"] == "POST" and lines[0]["path"] == "/schulungen"
    assert lines[0]["remote_addr"] == "10.0.0.7" and lines[0]["request_id"] == "abc-123"
    assert "geheim" not in json.dumps(lines)  # no query string
    assert lines[0]["time"].endswith("+00:00")
    assert lines[1]["exc_type"] == "ValueError" and "boom" in lines[1]["traceback"]


def test_json_format_installs_one_root_handler(app_config):
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        for _ in range(2):
            app = create_app({**app_config, "LMS_LOG_FORMAT": "json", "LMS_LOG_LEVEL": "warning"})
            db.get_db(app).dispose()
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and isinstance(added[0].formatter, JsonFormatter)
        assert root.level == logging.WARNING
    finally:
        root.handlers[:] = before
        root.setLevel(level)


def test_unknown_log_format_is_refused(app_config):
    with pytest.raises(RuntimeError, match="LMS_LOG_FORMAT"):
        create_app({**app_config, "LMS_LOG_FORMAT": "xml"})
