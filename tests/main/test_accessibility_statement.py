"""The accessibility statement contains every element the EU model requires.

The model of Implementing Decision (EU) 2018/1523 (Annex, part 1) and § 12b (2) BGG / BITV 2.0 § 7:
the body and the legislation, the scope (which website), the compliance status, the non-accessible
content with reasons and alternatives, the preparation (date, method, last review), feedback with a
directly usable electronic contact, and the conciliation / enforcement procedure with a link. Contact,
conciliation body, legal basis and dates come from configuration (LMS_A11Y_*).
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

SETTINGS = {
    "LMS_ORG_NAME": "Stadtverwaltung Beispielstadt",
    "LMS_BASE_URL": "https://lernen.beispielstadt.example",
    "LMS_A11Y_CONTACT": "Hauptamt – Team Barrierefreiheit",
    "LMS_A11Y_EMAIL": "barrierefrei@beispielstadt.example",
    "LMS_A11Y_PHONE": "+49 30 1234 567",
    "LMS_A11Y_CONCILIATION": "Ombudsstelle für barrierefreie IT des Landes",
    "LMS_A11Y_CONCILIATION_URL": "https://ombudsstelle.land.example/",
    "LMS_A11Y_LAW": "Landes-BITV",
    "LMS_A11Y_STATEMENT_DATE": "2026-11-20",
    "LMS_A11Y_REVIEWED_ON": "2026-12-01",
    "LMS_SESSION_MAX_HOURS": 10,
}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, **SETTINGS}


def _sections(html: str) -> dict[str, str]:
    """Text of the page per h2 id (and the part before the first h2 under "intro")."""
    main = html.split('<main', 1)[1].split("</main>", 1)[0]
    parts = re.split(r'<h2 class="kern-heading-medium" id="([a-z-]+)">', main)
    out = {"intro": parts[0]}
    for key, body in zip(parts[1::2], parts[2::2], strict=True):
        out[key] = body
    return out


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_every_element_of_the_eu_model_in_german(client) -> None:
    response = client.get("/barrierefreiheit")
    assert response.status_code == 200
    sections = _sections(response.get_data(as_text=True))
    # the order of the model
    assert list(sections) == ["intro", "compliance", "non-accessible", "preparation", "feedback", "conciliation"]
    intro = _text(sections["intro"])
    assert "Stadtverwaltung Beispielstadt" in intro and "Richtlinie (EU) 2016/2102" in intro
    assert "Landes-BITV" in intro
    assert "https://lernen.beispielstadt.example" in intro  # scope: which website
    assert "teilweise" in _text(sections["compliance"]) and "WCAG 2.1" in _text(sections["compliance"])

    items = re.findall(r"<li>(.*?)</li>", sections["non-accessible"], re.S)
    assert len(items) >= 2
    for item in map(_text, items):
        # every open point says what, why and what to do instead (or why no alternative is needed)
        assert "Grund:" in item or "Bewertung beruht" in item, item
    assert "10 Stunden" in _text(sections["non-accessible"])

    preparation = _text(sections["preparation"])
    assert "20. November 2026" in preparation and "1. Dezember 2026" in preparation  # prepared, reviewed
    assert "Selbstbewertung" in preparation  # the method

    feedback = sections["feedback"]
    assert "Hauptamt – Team Barrierefreiheit" in _text(feedback)
    assert 'href="mailto:barrierefrei@beispielstadt.example"' in feedback
    assert 'href="tel:+49301234567"' in feedback
    assert "innerhalb eines Monats" in _text(feedback)

    conciliation = sections["conciliation"]
    assert '<a class="kern-link" href="https://ombudsstelle.land.example/">' in conciliation
    assert "Ombudsstelle für barrierefreie IT des Landes" in _text(conciliation)
    assert "Schlichtungsverfahren" in _text(conciliation)


def test_statement_in_english(client) -> None:
    client.post("/sprache", data={"lang": "en"})
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    assert '<html lang="en">' in html
    text = _text(html)
    for phrase in ("Accessibility statement", "Compliance status", "Non-accessible content",
                   "Preparation of this statement", "Feedback and contact", "Conciliation procedure",
                   "November 20, 2026", "barrierefrei@beispielstadt.example"):
        assert phrase in text, phrase


def test_phone_is_left_out_when_not_configured(app, client) -> None:
    app.config["LMS_A11Y_PHONE"] = ""
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    assert "tel:" not in html and "Telefon" not in html
