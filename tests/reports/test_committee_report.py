"""The committee's progress report: PDF/UA-1 from the committee's figures, CSV, CLI, empty and bad dates."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from lms.learning.summaries import today
from lms.reports.aggregate import report

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _pdfinfo(body: bytes, tmp_path: Path) -> dict[str, str]:
    assert shutil.which("pdfinfo"), "pdfinfo missing: `make system-deps` installs poppler-utils"
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def _text(body: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _objects(body: bytes) -> bytes:
    import zlib

    out = body
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            out += zlib.decompress(match.group(1))
        except zlib.error:
            pass
    return out


def test_the_report_requests_the_tagged_variant():
    """Static: the only write_pdf call of the report asks for PDF/UA-1."""
    source = Path(report.__file__).read_text(encoding="utf-8")
    calls = re.findall(r"\.write_pdf\(([^)]*)\)", source, re.S)
    assert calls and all("pdf_variant=PDF_VARIANT" in c for c in calls)
    assert report.PDF_VARIANT == "pdf/ua-1"


@pytest.fixture
def city(runner):
    """The demo city with its history (courses, 300 people, targets, summaries rebuilt)."""
    assert runner.invoke(args=["courses", "import"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0


def test_pdf_is_tagged_german_titled_and_shows_the_figures(app, city, login_as, client, tmp_path):
    from lms.reports.aggregate import figures

    login_as("committee")
    day = today()
    response = client.get(f"/ausschuss/bericht.pdf?stichtag={day.isoformat()}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"ki-kompetenz-bericht-{day.isoformat()}.pdf" in response.headers["Content-Disposition"]
    body = response.data
    info = _pdfinfo(body, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == f"KI-Kompetenz: Fortschrittsbericht für den Ausschuss – Stichtag {day:%d.%m.%Y}"
    objects = _objects(body)
    assert b"/MarkInfo" in objects and b"/Lang (de)" in objects and b"/StructTreeRoot" in objects
    text = _text(body, tmp_path)
    for heading in ("Zusammenfassung", "Nach Organisationseinheiten", "Entwicklung", "Zielvorgaben", "Methoden"):
        assert heading in text
    assert "< 5" in text and "k = 5" in text
    # the headcount printed is the committee's figure
    filters = figures.parse_filters({}, day)
    total = figures.committee_figures(filters, 5, trend_months=1).total
    assert total is not None and total.head.value is not None
    assert re.search(rf"Beschäftigte am Stichtag\s+{total.head.value}\b", text)


def test_cli_writes_pdf_and_csv_with_the_same_figures(app, city, runner, tmp_path):
    pdf, csv = tmp_path / "r.pdf", tmp_path / "r.csv"
    result = runner.invoke(args=["report", "committee", "--out", str(pdf), "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Abschnitt;Zeile;Spalte;Wert"
    built = report.build(today(), 5)
    summary = dict(built.summary)
    assert f"Zusammenfassung;Beschäftigte am Stichtag;;{summary['Beschäftigte am Stichtag']}" in lines
    assert any(line.startswith("Entwicklung") for line in lines)
    text = _text(pdf.read_bytes(), tmp_path)
    assert summary["Beschäftigte am Stichtag"] in text


def test_bad_and_future_as_of_days_are_refused_clearly(app, runner, login_as, client, tmp_path):
    result = runner.invoke(args=["report", "committee", "--out", str(tmp_path / "r.pdf"), "--as-of", "31.12.2025"])
    assert result.exit_code == 2 and "JJJJ-MM-TT" in result.output
    future = (date.today() + timedelta(days=3)).isoformat()  # noqa: DTZ011
    result = runner.invoke(args=["report", "committee", "--out", str(tmp_path / "r.pdf"), "--as-of", future])
    assert result.exit_code == 2 and "Zukunft" in result.output
    login_as("committee")
    assert client.get("/ausschuss/bericht.pdf?stichtag=morgen").status_code == 400


def test_before_the_first_data_the_report_explains_itself(app, runner, tmp_path):
    assert runner.invoke(args=["courses", "import"]).exit_code == 0
    pdf, csv = tmp_path / "r.pdf", tmp_path / "r.csv"
    result = runner.invoke(args=["report", "committee", "--out", str(pdf), "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert "noch keine Daten" in result.output
    text = _text(pdf.read_bytes(), tmp_path)
    assert "Keine Daten zum Stichtag" in text and "Methoden" in text
    assert "noch keine Daten" in csv.read_text(encoding="utf-8-sig")
