"""Import messages follow the command-line locale outside a request: pin it to German for the tests."""

import pytest


@pytest.fixture(autouse=True)
def _german_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
