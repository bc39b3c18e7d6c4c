"""The English UI catalogue is complete: every string in the code has a translation with the same
placeholders (German is the source language)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")


def test_every_ui_string_is_translated_to_english(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.* __pycache__", "-o", str(pot), "."],
                   cwd=ROOT, check=True)
    with pot.open("rb") as fh:
        extracted = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "lms/translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    assert not catalog.fuzzy, "the catalogue header is fuzzy: pybabel compile would skip it"
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    missing = sorted(str(i) for i in extracted if i not in translated)
    assert missing == [], "untranslated (run `make translations`, then translate):\n" + "\n".join(missing)
    for msgid, msgstr in translated.items():
        if isinstance(msgid, tuple):
            continue  # plural forms: checked by pybabel compile
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_english_pages_are_english(client):
    client.post("/sprache", data={"lang": "en"})
    body = client.get("/anmelden").get_data(as_text=True)
    assert "Log in" in body or "Sign in" in body
    assert "Anmelden" not in body.replace('lang="de">Deutsch', "")
