"""The privacy notice: generated from configuration, catalogue and schema; docs/privacy.md cannot drift."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lms import config as config_module
from lms.db import Base
from lms.main import permissions, privacy
from lms.reports.individual import scores

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
#: settings that are not the notice's business (and that tests set differently)
NOT_NOTICE = {"LMS_BASE_URL", "LMS_DEV", "LMS_COURSES_DIR", "LMS_RATELIMIT_STORAGE_URI"}


def defaults(app) -> None:
    for key in dir(config_module.Defaults):
        if key.startswith("LMS_") and key not in NOT_NOTICE:
            app.config[key] = getattr(config_module.Defaults, key)


def test_docs_privacy_md_is_what_the_command_generates(app, runner, tmp_path):
    defaults(app)
    out = tmp_path / "privacy.md"
    result = runner.invoke(args=["docs", "privacy", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8"), (
        "docs/privacy.md is out of date: run `lms docs privacy --out docs/privacy.md` and commit it")


def test_the_command_prints_english_on_request(app, runner):
    result = runner.invoke(args=["docs", "privacy", "--lang", "en"])
    assert result.exit_code == 0
    assert "# Privacy notice" in result.output and "Datenschutzhinweise" not in result.output


def test_every_table_is_described():
    assert set(Base.metadata.tables) == set(privacy.TABLES)


def test_page_shows_the_defaults_as_not_configured(client):
    text = client.get("/datenschutz").get_data(as_text=True)
    assert "nicht konfiguriert (LMS_CONTROLLER_NAME)" in text
    assert "nicht konfiguriert (LMS_DPO_CONTACT)" in text
    assert "365 Tage nach der Abgabe gelöscht" in text
    assert "Ihre Antworten, Punktzahlen, die Zahl Ihrer Versuche, Uhrzeiten und Bearbeitungsdauer sieht " \
           "niemand außer Ihnen" in text
    assert "Freiwillige Schulungen sieht niemand außer Ihnen" in text
    # exactly the views the catalogue marks as audited (and the tests prove) are said to be logged
    assert "Außerdem wird jeder Aufruf dieser Daten protokolliert" in text
    assert "Pflichtschulungen namentlich genannter Beschäftigter" in text
    assert "Jeder Zugriff" not in text
    # the committee's dashboard exists (catalogue kind "aggregate"), so the page states its rule
    assert "Zusammengefasste Zahlen zeigen keine Gruppe mit weniger als 5 Personen" in text
    assert "Zusammengefasste Auswertungen gibt es noch nicht." not in text


def test_page_follows_the_configuration(app, client):
    app.config.update(LMS_CONTROLLER_NAME="Stadt Beispielstadt, Der Oberbürgermeister",
                      LMS_CONTROLLER_ADDRESS="Rathausplatz 1, 12345 Beispielstadt",
                      LMS_DPO_CONTACT="datenschutz@beispielstadt.example",
                      LMS_RETENTION_ATTEMPT_DAYS=200, LMS_RETENTION_LEAVERS_DAYS=400,
                      LMS_RETENTION_AUDIT_DAYS=500, LMS_RETENTION_SECURITY_DAYS=30,
                      LMS_HR_SEES_SCORES=True, LMS_MIN_GROUP_SIZE=7,
                      LMS_PRIVACY_LEGAL_BASIS="§ 99 Landesdatenschutzgesetz Beispielland")
    text = client.get("/datenschutz").get_data(as_text=True)
    for expected in ("Stadt Beispielstadt, Der Oberbürgermeister", "Rathausplatz 1, 12345 Beispielstadt",
                     "datenschutz@beispielstadt.example", "200 Tage nach der Abgabe gelöscht",
                     "400 Tage nach dem Austrittsdatum", "Protokoll: 500 Tage",
                     "abgewiesene Anmeldeversuche: 30 Tage", "weniger als 7 Personen",
                     "§ 99 Landesdatenschutzgesetz Beispielland",
                     "von Ihren Quiz-Ergebnissen genau dies sehen"):
        assert expected in text, expected
    # the agreed fields, word for word from their one definition
    for field in scores.AGREED_FIELDS:
        assert str(field.description) in text
    assert "nicht konfiguriert (LMS_CONTROLLER" not in text and "nicht konfiguriert (LMS_DPO" not in text
    assert "Ihre Antworten, Punktzahlen" not in text


def test_page_in_english(client):
    client.post("/sprache", data={"lang": "en"})
    text = client.get("/datenschutz").get_data(as_text=True)
    assert "Privacy notice" in text and "not configured (LMS_CONTROLLER_NAME)" not in text
    assert "deleted 365 days after submission" in text


def test_who_sees_what_follows_the_catalogue(app):
    notice = privacy.build(app.config, app.view_functions)
    who = next(s for s in notice.sections if s.id == "wer-sieht-was")
    hr = next(item for item in who.items if item.startswith("Personalstelle"))
    assert "Personalnummern" in hr and "Protokoll" not in hr
    coordinator = next(item for item in who.items if item.startswith("Koordination"))
    assert "nur in den ihr zugeordneten Organisationseinheiten" in coordinator
    assert "Ausschuss: zusammengefasste Zahlen je Organisationseinheit ohne Namen." in who.items
    # without the staff list, no one is said to see it
    notice = privacy.build(app.config, set(app.view_functions) - {"org.staff"})
    who = next(s for s in notice.sections if s.id == "wer-sieht-was")
    assert not any(item.startswith("Koordination:") and "Personalnummern" in item for item in who.items)


def test_audited_views_and_aggregates_appear_when_the_code_has_them(app, monkeypatch):
    catalogue = [dataclasses.replace(p, audited=True) if p.endpoint == "org.staff" else p
                 for p in permissions.CATALOGUE]
    catalogue.append(permissions.Permission("main.healthz", ("committee", "admin"), "aggregate"))
    monkeypatch.setattr(permissions, "CATALOGUE", tuple(catalogue))
    notice = privacy.build(app.config, app.view_functions)
    logging = next(s for s in notice.sections if s.id == "protokoll")
    assert any("Außerdem wird jeder Aufruf dieser Daten protokolliert: Namen, Personalnummern" in p
               for p in logging.after)
    who = next(s for s in notice.sections if s.id == "wer-sieht-was")
    assert any("keine Gruppe mit weniger als 5 Personen, auch nicht durch Abziehen" in p for p in who.after)


def test_my_data_is_only_mentioned_when_it_exists(app):
    def rights(endpoints):
        notice = privacy.build(app.config, endpoints)
        return " ".join(next(s for s in notice.sections if s.id == "rechte").paragraphs)

    assert "Meine Daten" in rights(app.view_functions)
    assert "Meine Daten" not in rights(set(app.view_functions) - {"learning.my_data"})


@pytest.mark.parametrize("key", privacy.SETTINGS)
def test_settings_table_lists_the_value(app, key):
    notice = privacy.build(app.config, app.view_functions)
    table = next(s for s in notice.sections if s.id == "einstellungen").table
    assert any(row[1] == key for row in table.rows)


def test_reminder_copies_are_stated(app, client):
    text = client.get("/datenschutz").get_data(as_text=True)
    assert "Erinnerungen an Pflichtschulungen gehen nur an Sie." in text
    app.config["LMS_REMINDERS_COPY_COORDINATOR"] = True
    text = client.get("/datenschutz").get_data(as_text=True)
    assert "die Koordination Ihrer Organisationseinheit eine Kopie erhält" in text
    assert "Erinnerungen an Pflichtschulungen gehen nur an Sie." not in text
