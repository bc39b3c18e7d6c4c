"""The committee's dashboard: figures per department, drill-down, filters, suppression, CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest


def _page(client, query=""):
    response = client.get(f"/ausschuss{query}")
    return response.status_code, response.get_data(as_text=True)


def _table(html: str, section: str) -> dict[str, list[str]]:
    """The rows of a section's table by their first cell (tags stripped, footnote marks dropped)."""
    part = html[html.index(f'id="{section}"'):]
    part = part[part.index("<table"):part.index("</table>")]
    out = {}
    for row in re.findall(r"<tr class=\"kern-table__row\">(.*?)</tr>", part, re.S)[1:]:
        cells = [re.sub(r"<sup>.*?</sup>|<[^>]+>|\s+", " ", c).replace("&lt;", "<").strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        out[re.sub(r"\s+", " ", cells[0])] = cells[1:]
    return out


def test_units_with_headcount_completion_levels_targets(plain_city, client, login_as):
    login_as("committee")
    status, html = _page(client)
    assert status == 200
    done = _table(html, "abschluss")
    # the completion that expired 5 days ago no longer counts: 15 of 21
    assert done["Ordnungsamt (X)"] == ["21", "15", "71 %"]
    assert done["Kämmerei (Y)"] == ["10", "0", "0 %"]
    assert done["Insgesamt: Gesamte Verwaltung"] == ["31", "15", "48 %"]
    levels = _table(html, "stufen")
    assert levels["Ordnungsamt (X)"] == ["6", "0", "15", "0", "0", "21"]
    assert levels["Insgesamt: Gesamte Verwaltung"] == ["16", "0", "15", "0", "0", "31"]
    targets = _table(html, "ziele")
    assert targets["Ordnungsamt (X)"] == ["21", "15", "71 %"]
    assert targets["Kämmerei (Y)"] == ["10", "0", "0 %"]
    trend = _table(html, "verlauf")
    assert len(trend) >= 2 and list(trend.values())[-1] == ["31", "15", "48 %"]
    assert "KI-Grundlagen" in html  # the default course: the rule for everyone
    assert html.count("<svg") == 4 and 'id="hinweis-datenschutz"' not in html


def test_as_of_before_the_expiry_counts_the_completion(plain_city, client, login_as):
    from datetime import timedelta

    from lms.learning.summaries import today

    login_as("committee")
    day = (today() - timedelta(days=10)).isoformat()
    done = _table(_page(client, f"?stichtag={day}")[1], "abschluss")
    assert done["Ordnungsamt (X)"] == ["21", "16", "76 %"]


def test_the_area_and_course_filters(plain_city, client, login_as):
    login_as("committee")
    html = _page(client, "?bereich=recht")[1]
    assert _table(html, "stufen")["Ordnungsamt (X)"] == ["21", "0", "0", "0", "0", "21"]
    assert "Im Bereich „Recht und Regulierung“ ist kein Ziel gesetzt." in html


def test_drill_down_suppresses_the_small_sub_unit_and_a_complement(committee_city, client, login_as):
    login_as("committee")
    status, html = _page(client, "?einheit=D")
    assert status == 200
    done = _table(html, "abschluss")
    assert done["Insgesamt: Dezernat Bürgerdienste"][0] == "12"
    assert "direkt zugeordnet" in done
    assert done["Standesamt (S1)"][0] == "< 5"
    # 12 - 3 = 9: the Bürgerbüro's headcount (or the staff directly in D) must not give the 3 away
    parts = [done["Standesamt (S1)"][0], done["Bürgerbüro (S2)"][0], done["direkt zugeordnet"][0]]
    assert sum(1 for p in parts if not p.isdigit()) >= 2
    assert "Weniger als 5 Personen oder rückrechenbar – aus Datenschutzgründen nicht ausgewiesen" in html
    assert 'id="hinweis-datenschutz"' in html


def test_csv_has_the_same_suppressed_cells(committee_city, client, login_as):
    login_as("committee")
    response = client.get("/ausschuss/uebersicht.csv?einheit=D")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    by_label = {r[0]: r for r in rows if r}
    assert by_label["Standesamt (S1)"][1] == "< 5"
    assert sum(1 for label in ("Standesamt (S1)", "Bürgerbüro (S2)", "direkt zugeordnet")
               if not by_label[label][1].isdigit()) >= 2
    assert by_label["Insgesamt: Dezernat Bürgerdienste"][1] == "12"
    assert any("aus Datenschutzgründen nicht ausgewiesen" in r[0] for r in rows if r)


@pytest.mark.parametrize(("query", "message"), [
    ("?einheit=NIX", "Unbekannte Organisationseinheit „NIX“"),
    ("?bereich=zauberei", "Unbekannter Kompetenzbereich „zauberei“"),
    ("?kurs=gibtsnicht", "Unbekannter Kurs „gibtsnicht“"),
    ("?stichtag=31.02.2026", "Unbekanntes Datum „31.02.2026“"),
    ("?stichtag=2999-01-01", "Der Stichtag 2999-01-01 liegt in der Zukunft."),
])
def test_bad_filters_are_400_naming_the_value(committee_city, client, login_as, query, message):
    login_as("committee")
    for path in ("/ausschuss", "/ausschuss/uebersicht.csv"):
        response = client.get(path + query)
        assert response.status_code == 400, path
        assert message in response.get_data(as_text=True)


def test_an_as_of_date_before_the_first_data_is_an_explained_empty_page(committee_city, client, login_as):
    login_as("committee")
    status, html = _page(client, "?stichtag=2020-01-01")
    assert status == 200
    assert "Zum Stichtag 01.01.2020 gibt es noch keine Daten" in html and "<table" not in html
    response = client.get("/ausschuss/uebersicht.csv?stichtag=2020-01-01")
    assert response.status_code == 200 and "noch keine Daten" in response.get_data(as_text=True)


def test_the_committee_sees_the_dashboard_in_the_navigation(committee_city, client, login_as):
    login_as("committee")
    html = client.get("/ausschuss").get_data(as_text=True)
    assert 'href="/ausschuss" aria-current="page"' in html and "Ausschuss-Übersicht" in html


def test_in_english(plain_city, client, login_as):
    login_as("committee")
    html = client.get("/ausschuss?einheit=X", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Committee overview: AI literacy" in html
    assert "Valid completion of “KI-Grundlagen” per unit" in html
    # the CSV stays German whatever the page language (the city's files read it)
    text = client.get("/ausschuss/uebersicht.csv", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Beschäftigte" in text and "Employees" not in text


def test_the_before_setup_page(app, client, login_as):
    login_as("committee")
    response = client.get("/ausschuss")
    assert response.status_code == 200
    assert "Der Kompetenzrahmen und die Kurse sind noch nicht eingerichtet" in response.get_data(as_text=True)
    assert client.get("/ausschuss/uebersicht.csv").status_code == 404
