"""The annexes of the Dienstvereinbarung are generated from the code and cannot drift from it.

- every stored column has a description (annex 2), named exactly when one is missing;
- the version hash of annex 1 equals the agreed one in docs/dv/annex-hash.txt: a new report, export or
  permission changes the hash and fails here until the annex is regenerated (and agreed);
- the staff council and the administration read the annexes as pages and PDFs; ``lms dv annex`` writes
  them into a directory.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask_babel import force_locale

from lms.db import Base
from lms.dv import annexes, fields
from lms.main import permissions

ROOT = Path(__file__).resolve().parents[2]
AGREED = ROOT / "docs" / "dv" / "annex-hash.txt"


def test_every_column_is_described(app):
    assert len(annexes.schema_columns()) >= 25  # the app loaded every model
    missing = fields.missing(annexes.schema_columns())
    assert not missing, ("describe these columns in lms/dv/fields.py FIELDS (purpose; the table's audience "
                         "and legal basis): " + ", ".join(missing))


def test_no_description_names_a_column_the_schema_lacks(app):
    stale = fields.stale(annexes.schema_columns())
    assert not stale, "lms/dv/fields.py describes columns the schema does not have: " + ", ".join(stale)


def test_a_missing_column_is_named_in_the_failure(app):
    columns = annexes.schema_columns()
    columns["users"] = [*columns["users"], "shoe_size"]
    columns["new_table"] = ["id"]
    assert fields.missing(columns) == ["users.shoe_size", "new_table.id"]


def test_every_table_of_the_schema_is_in_the_annex(app):
    with force_locale("de"):
        notice = annexes.annex_fields(app.config)
    assert {s.id for s in notice.sections} == {f"tabelle-{t}" for t in Base.metadata.tables}
    text = repr(notice)
    assert "NICHT BESCHRIEBEN" not in text
    assert f"{app.config['LMS_RETENTION_SECURITY_DAYS']}" in text


def test_annex_hash_is_the_agreed_one():
    agreed = AGREED.read_text(encoding="utf-8").strip()
    assert annexes.catalogue_hash() == agreed, (
        "the permission catalogue or the logged actions changed (annex 1 of the Dienstvereinbarung): a new "
        "report or export needs the staff council's consent. Regenerate with `lms dv annex --out docs/dv "
        "--no-pdf`, commit docs/dv/annex-hash.txt (the annexes written beside it are not tracked) and "
        "present annex 1 to the council.")


def test_the_hash_follows_every_permission_but_not_the_order():
    base = annexes.catalogue_hash()
    assert len(base) == 64 and annexes.short_hash(base) == base[:12]
    reversed_order = tuple(reversed(permissions.CATALOGUE))
    assert annexes.catalogue_hash(reversed_order) == base
    new_report = (*permissions.CATALOGUE, permissions.Permission("reports.ranking", permissions.HR, "scores"))
    assert annexes.catalogue_hash(new_report) != base
    widened = tuple(dataclasses.replace(p, roles=(*p.roles, "committee")) if p.endpoint == "reports.export"
                    else p for p in permissions.CATALOGUE)
    assert annexes.catalogue_hash(widened) != base
    unaudited = tuple(dataclasses.replace(p, audited=False) if p.endpoint == "reports.employee" else p
                      for p in permissions.CATALOGUE)
    assert annexes.catalogue_hash(unaudited) != base
    assert annexes.catalogue_hash(actions={**permissions.AUDIT_ACTIONS, "report.ranking": "views"}) != base


def test_annex_1_lists_each_roles_reports_and_the_settings(app):
    with force_locale("de"):
        notice = annexes.annex_catalogue(app.config, annexes.url_rules(app.url_map))
    sections = {s.id: s for s in notice.sections}
    hr_rows = {row[0] for row in sections["rolle-hr"].table.rows}
    assert "/berichte/beschaeftigte/<int:employee_id>" in hr_rows
    assert sections["rolle-committee"].table is None or not any(
        "namentlich" in row[1] for row in sections["rolle-committee"].table.rows)
    council_rows = {row[0] for row in sections["rolle-personalrat"].table.rows}
    assert council_rows == {"/personalrat/protokoll"}
    assert any("LMS_MIN_GROUP_SIZE" in item and str(app.config["LMS_MIN_GROUP_SIZE"]) in item
               for item in sections["einstellungen"].items)
    assert annexes.short_hash() in notice.intro
    assert len(sections["katalog"].table.rows) == len(permissions.CATALOGUE)


def test_annex_3_is_filled_from_the_settings(app):
    app.config.update(LMS_MIN_GROUP_SIZE=7, LMS_RETENTION_SECURITY_DAYS=30, LMS_CONTROLLER_NAME="Stadt Beispiel")
    with force_locale("de"):
        text = repr(annexes.annex_processing(app.config, annexes.url_rules(app.url_map)))
    assert "Stadt Beispiel" in text and "keine Gruppe unter 7 Personen" in text
    assert "Anmeldeereignisse 30 Tage" in text and annexes.short_hash() in text


@pytest.mark.parametrize("role", ["personalrat", "admin"])
def test_council_and_admin_read_the_annexes(role, client, login_as):
    login_as(role)
    index = client.get("/dienstvereinbarung").get_data(as_text=True)
    assert annexes.catalogue_hash() in index and "/dienstvereinbarung/anlage-2.pdf" in index
    for number in annexes.ANNEXES:
        page = client.get(f"/dienstvereinbarung/anlage-{number}")
        assert page.status_code == 200 and f"Anlage {number}:" in page.get_data(as_text=True)
    assert client.get("/dienstvereinbarung/anlage-4").status_code == 404
    assert client.get("/dienstvereinbarung/anlage-4.pdf").status_code == 404


def test_the_annex_is_a_tagged_pdf(client, login_as, tmp_path):
    from tests.certificates.test_certificates import _pdfinfo

    login_as("personalrat")
    response = client.get("/dienstvereinbarung/anlage-3.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    info = _pdfinfo(response.data, tmp_path)
    assert info["Tagged"] == "yes" and info["Title"].startswith("Anlage 3:")
    assert annexes.short_hash() in response.headers["Content-Disposition"]


def test_the_command_writes_the_annexes_and_the_hash(app, runner, tmp_path):
    result = runner.invoke(args=["dv", "annex", "--out", str(tmp_path / "dv"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "dv").iterdir())
    assert written == sorted([f"{stem}.{ext}" for _label, stem in annexes.ANNEXES.values()
                              for ext in ("html", "md")] + ["annex-hash.txt"])
    assert (tmp_path / "dv" / "annex-hash.txt").read_text() == annexes.catalogue_hash() + "\n"
    html = (tmp_path / "dv" / "anlage-2-datenkatalog.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in html and "password_hash" in html and "<script" not in html
    markdown = (tmp_path / "dv" / "anlage-1-berechtigungen.md").read_text(encoding="utf-8")
    assert markdown.startswith("<!-- Generated by `lms dv annex`") and "# Anlage 1:" in markdown


def test_the_privacy_page_shows_the_settings_and_the_annex_version(app, client):
    app.config.update(LMS_MIN_GROUP_SIZE=8, LMS_RETENTION_SECURITY_DAYS=45, LMS_HR_SEES_SCORES=False)
    html = client.get("/datenschutz").get_data(as_text=True)
    assert annexes.short_hash() in html
    for shown in ("LMS_MIN_GROUP_SIZE</td>", ">8<", ">45<", "LMS_HR_SEES_SCORES", "LMS_RETENTION_AUDIT_DAYS"):
        assert shown in html, shown
    assert "sieht außerdem: Personalrat" in html
