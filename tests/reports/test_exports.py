"""Exports: formula escaping, German CSV (BOM, ``;``), umlauts through openpyxl, streaming memory, scope."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms import db
from lms.audit.models import AuditEvent
from lms.spreadsheet import csv_rows, escape_cell, xlsx_chunks

HOSTILE = ["=SUM(A1)", "+49 30 1234", "-2+3", "@cmd", "|calc", "\tTab", "\rCR"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_characters_are_escaped(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "1001", "a=b", " =x", "", "Müller-Lüdenscheidt"])
def test_harmless_text_is_unchanged(value):
    assert escape_cell(value) == value


def test_non_text_is_unchanged():
    assert escape_cell(None) == "" and escape_cell(5) == 5 and escape_cell(date(2026, 1, 2)) == date(2026, 1, 2)


def test_csv_is_german_excel_csv():
    text = "".join(csv_rows(["Name", "Einheit"], [["Schäfer; Jörg", "=1+1"], ["Weiß", date(2026, 3, 4)]]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["Name", "Einheit"], ["Schäfer; Jörg", "'=1+1"], ["Weiß", "04.03.2026"]]


def test_xlsx_round_trip_keeps_umlauts_and_escapes():
    names = ["Jörg Schäfer", "Eva Schröder", "Straße", "ÄÖÜäöüß", "=HYPERLINK(\"x\")", "@SUM(1)"]
    data = b"".join(xlsx_chunks(["Name", "Fällig am"], [[n, date(2026, 5, 1)] for n in names]))
    sheet = load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Name", "Fällig am"]
    assert [v[0] for v in values[1:]] == [escape_cell(n) for n in names]
    assert values[1][1].date() == date(2026, 5, 1)


def _rows(n: int):
    for i in range(n):
        yield [f"P{i:05d}", f"Müller{i}, Jörg", f"50.{i % 100} Bürgerbüro", "KI-Grundlagen", "überfällig",
               date(2026, 1, 1), None, date(2027, 1, 1)]


def _peak(writer, n: int) -> int:
    tracemalloc.start()
    try:
        for _chunk in writer(["h"] * 8, _rows(n)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("writer", [csv_rows, xlsx_chunks])
def test_10000_rows_need_no_more_memory_than_100(writer):
    _peak(writer, 10)  # imports and caches outside the measurement
    small, large = _peak(writer, 100), _peak(writer, 10_000)
    # a list of 10,000 such rows alone takes several MB; streamed, the peak stays where it was
    assert large <= small * 1.25 + 64 * 1024, (small, large)


def test_export_endpoints(client, login_as, city):
    login_as("hr")
    response = client.get("/berichte/pflichtschulungen.csv?kurs=basis")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffPersonalnummer;Name;Organisationseinheit;Kurs;Status;Fällig am;")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["Außen, Zoe", "Schäfer, Jörg", "Schmidt, Anna", "Schröder, Eva",
                                        "Schubert, Ole"]
    assert rows[-1][0] == "'=1+1"  # the hostile personnel number is text
    assert rows[2][4] == "überfällig" and rows[4][4] == "abgeschlossen" and rows[4][6]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert event.detail == {"format": "csv", "filters": {"kurs": "basis"}, "rows": 5, "scores": False}
    db.session.rollback()  # the test's session would hold SQLite's write lock

    response = client.get("/berichte/pflichtschulungen.xlsx?ueberfaellig=1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Personalnummer" and [v[1] for v in values[1:]] == ["Schäfer, Jörg"] * 2
