"""After a retention run the learner's pages work for attempts without answers, and certificates of
anonymised leavers still verify with the name printed at issue time."""

from __future__ import annotations

import json

from sqlalchemy import select

from lms import db
from lms.learning.models import Completion
from lms.retention import rules, services
from tests.conftest import PASSWORD


def run(app) -> None:
    services.apply(rules.Periods.from_config(app.config))
    db.session.commit()


def plain(value):
    """Read a value and end the test's transaction (the SQLite write lock is the client's then)."""
    db.session.commit()
    return value


def test_result_page_and_my_data_without_answers(app, client, auth, world):
    email, old_id, recent_id = world.stayer.email, world.stayer_old.id, world.recent.id
    run(app)
    assert auth.login(plain(email)).status_code == 302
    page = client.get(f"/schulungen/versuch/{old_id}/ergebnis")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "nach Ablauf der Aufbewahrungsfrist gelöscht" in text and "100 % richtig" in text
    assert "Frage 1:" not in text
    recent = client.get(f"/schulungen/versuch/{recent_id}/ergebnis").get_data(as_text=True)
    assert "Frage 1:" in recent and "Aufbewahrungsfrist" not in recent
    assert client.get("/meine-daten").status_code == 200
    data = json.loads(client.get("/meine-daten.json").get_data(as_text=True))
    removed = [a for a in data["attempts"] if a["answers_deleted_at"]]
    assert len(removed) == 1 and removed[0]["score"] == 100


def test_anonymised_leaver_cannot_log_in_and_the_certificate_still_verifies(app, client, auth, world):
    email = world.leaver.email
    code = db.session.scalar(select(Completion.certificate_code).where(Completion.user_id == world.leaver.id))
    run(app)
    response = auth.login(plain(email), PASSWORD)
    assert response.status_code == 200  # the login form again: the address is no longer known
    page = client.get(f"/pruefen/{code}").get_data(as_text=True)
    assert "L. Weggang" in page
