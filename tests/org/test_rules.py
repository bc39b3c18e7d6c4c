"""Pure decisions of the import: what an identity change is, when a typed confirmation is needed."""

from __future__ import annotations

from datetime import date

import pytest

from lms.org import rules


@pytest.mark.parametrize("old, new, expected", [
    # another person under the same personnel number: both name and e-mail new
    (("Petra", "Hoffmann", "petra.hoffmann@x.example"), ("Erika", "Beispiel", "erika.beispiel@y.example"), True),
    (("Max", "Muster", "max@x.example"), ("Moritz", "Schulz", "moritz@x.example"), True),
    # marriage name: only the last name changes, with or without a new address
    (("Anna", "Schmidt", "anna.schmidt@x.example"), ("Anna", "Weber", "anna.schmidt@x.example"), False),
    (("Anna", "Schmidt", "anna.schmidt@x.example"), ("Anna", "Weber", "anna.weber@x.example"), False),
    # a double name keeps the old part
    (("Max", "Müller", "max@x.example"), ("Moritz", "Müller-Lüdenscheidt", "m.ml@x.example"), False),
    # a corrected first name with a new address
    (("Jurgen", "Schäfer", "j@x.example"), ("Jürgen", "Schäfer", "juergen@x.example"), False),
    # first and last name swapped by mistake
    (("Schmidt", "Anna", "a@x.example"), ("Anna", "Schmidt", "anna@x.example"), False),
    # umlaut transcription, accents and case are the same name
    (("Jürgen", "Groß", "jg@x.example"), ("JUERGEN", "Gross", "jgross@x.example"), False),
    (("José", "García", "jg@x.example"), ("Jose", "Garcia", "jose@x.example"), False),
    # both names new but the same address (case ignored): a name correction, not another person
    (("Petra", "Hoffmann", "p.h@x.example"), ("Erika", "Beispiel", "P.H@x.example"), False),
    # nothing changes
    (("Petra", "Hoffmann", "p.h@x.example"), ("Petra", "Hoffmann", "p.h@x.example"), False),
])
def test_identity_change(old, new, expected):
    assert rules.is_identity_change(old, new) is expected


def test_name_parts_fold_case_umlauts_accents_and_split_double_names():
    assert rules.name_parts("Anna-Lena", "Groß") == {"anna", "lena", "gross"}
    assert rules.name_parts("  Zoë ", "Çelik") == {"zoe", "celik"}
    assert rules.name_changes("Anna", "Schmidt", "Lena", "Weber") is True
    assert rules.name_changes("Anna-Lena", "Schmidt", "Lena", "Weber") is False


@pytest.mark.parametrize("count, threshold, expected", [
    (0, 10, False), (10, 10, False), (11, 10, True), (54, 10, True), (1, 0, True), (0, 0, False),
])
def test_typed_confirmation_above_the_threshold(count, threshold, expected):
    assert rules.needs_typed_confirmation(count, threshold) is expected


@pytest.mark.parametrize("typed, count, expected", [
    ("54", 54, True), (" 54 ", 54, True), ("1.054", 1054, True), ("53", 54, False), ("", 54, False),
    (None, 54, False), ("vierundfünfzig", 54, False), ("54 Personen", 54, False), ("-54", 54, False),
])
def test_typed_confirmation_matches_the_number(typed, count, expected):
    assert rules.typed_confirmation_matches(typed, count) is expected


def test_values_are_shown_as_hr_reads_them():
    assert rules.format_value(date(2025, 12, 31), "de") == "31.12.2025"
    assert rules.format_value(date(2025, 12, 31), "en") == "2025-12-31"
    assert rules.format_value(True, "de") == "aktiv"
    assert rules.format_value(False, "en", yes="active", no="inactive") == "inactive"
    assert rules.format_value(None, "de", empty="(leer)") == "(leer)"
    assert rules.format_value("", "de") == "–"
    assert rules.format_value("11 Personalamt", "de") == "11 Personalamt"
