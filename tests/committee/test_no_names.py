"""The committee sees aggregates only: no route with a person's data, and no name on any of its pages."""

from __future__ import annotations

import re

from lms.main.permissions import CATALOGUE, data_seen_by
from tests.committee.conftest import FIRST, LAST


def test_the_committee_reaches_no_route_with_personal_data_of_others():
    # beyond what everyone may see (the public certificate check) and its own data: counts per unit only
    assert data_seen_by("committee", CATALOGUE) == ["aggregate"]
    assert {p.endpoint for p in CATALOGUE if p.data == "aggregate"} >= {"committee.dashboard", "committee.export"}


def _committee_urls(app, units) -> list[str]:
    """Every GET page of the committee's blueprint, at every level of the tree, with every filter."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("committee.") and "GET" in rule.methods and not rule.arguments:
            base = rule.rule
            urls += [base, f"{base}?stichtag=2020-01-01", f"{base}?bereich=recht", f"{base}?kurs=recht-kompakt"]
            urls += [f"{base}?einheit={code}" for code in units]
    return urls


def test_no_name_or_personnel_number_on_any_committee_page(committee_city, client, login_as):
    login_as("committee")
    people = [p for group in committee_city["people"].values() for p in group]
    forbidden = {p.first_name for p in people} | {p.last_name for p in people} | {p.personnel_no for p in people}
    forbidden |= {p.email for p in people}
    urls = _committee_urls(client.application, committee_city["units"])
    assert len(urls) >= 2 * 9
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert FIRST not in text and LAST not in text, url
        found = [word for word in forbidden if re.search(rf"\b{re.escape(word)}\b", text)]
        assert not found, (url, found[:3])
