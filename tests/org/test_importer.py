"""The pure CSV reader and validator: decoding, delimiters, headers, and every problem it reports."""

from __future__ import annotations

from datetime import date

import pytest

from lms.org.importer import (
    Problem,
    cli_language,
    decode,
    detect_delimiter,
    message,
    parse_staff,
    parse_units,
)

UNITS_HEADER = "Kennung;Bezeichnung;Übergeordnet\n"
STAFF_HEADER = "Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Funktion;Eintritt;Austritt\n"


def units(text: str, existing: dict[str, str | None] | None = None, max_rows: int = 100,
          encoding: str = "utf-8"):
    return parse_units(text.encode(encoding), existing_parents=existing or {}, max_rows=max_rows)


def staff(text: str, units_known=("10", "20"), owners: dict[str, str] | None = None, max_rows: int = 100,
          encoding: str = "utf-8"):
    return parse_staff(text.encode(encoding), unit_codes=set(units_known), email_owners=owners or {},
                       max_rows=max_rows)


def found(parsed) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.reason) for p in parsed.problems]


# --- reading ------------------------------------------------------------------------------------


def test_utf8_with_bom_and_semicolon():
    parsed = parse_units(b"\xef\xbb\xbf" + (UNITS_HEADER + "OB;Oberbürgermeister;\n").encode(),
                         existing_parents={}, max_rows=10)
    assert found(parsed) == []
    assert parsed.rows[0].code == "OB" and parsed.rows[0].name == "Oberbürgermeister"
    assert parsed.rows[0].parent is None


def test_windows_1252_with_umlauts():
    text = STAFF_HEADER + "1;Größe;Jürgen;j.groesse@stadt.example;10;Sachgebietsleiter Straßenbau;;\n"
    parsed = staff(text, encoding="cp1252")
    assert found(parsed) == []
    row = parsed.rows[0]
    assert (row.last_name, row.first_name, row.position) == ("Größe", "Jürgen", "Sachgebietsleiter Straßenbau")


def test_comma_delimiter_english_headers_any_order_and_case_values_trimmed():
    text = ("EMAIL , Org_Unit,last_name,First_Name,PERSONNEL_NO\n"
            "  Erika.Beispiel@Stadt.Example , 20 , Beispiel ,  Erika ,  007 \n")
    parsed = staff(text)
    assert found(parsed) == []
    row = parsed.rows[0]
    assert (row.personnel_no, row.last_name, row.first_name, row.email, row.org_unit) == (
        "007", "Beispiel", "Erika", "erika.beispiel@stadt.example", "20")
    assert parsed.columns == {"email", "org_unit", "last_name", "first_name", "personnel_no"}


def test_quoted_values_may_contain_the_delimiter():
    text = ('personnel_no,last_name,first_name,email,org_unit,position\n'
            '1,Muster,Max,max@stadt.example,10,"Leitung, Bürgerbüro"\n')
    assert staff(text).rows[0].position == "Leitung, Bürgerbüro"


def test_detect_delimiter():
    assert detect_delimiter("a;b;c") == ";"
    assert detect_delimiter("a,b,c") == ","
    assert detect_delimiter("Name, Vorname;Kennung;x") == ";"


def test_excel_sep_line_and_blank_rows_are_skipped_and_lines_counted_physically():
    text = "sep=,\r\ncode,name,parent\r\nOB,Stadt,\r\n,,\r\n\r\nA,Amt,OB\r\nB,Amt B,XX\r\n"
    parsed = units(text)
    assert found(parsed) == [(7, "parent", "Unbekannte übergeordnete Einheit XX.")]


def test_dates_in_both_formats():
    text = STAFF_HEADER + "1;Muster;Max;max@stadt.example;10;;01.04.2020;2030-12-31\n"
    row = staff(text).rows[0]
    assert (row.hired_on, row.left_on) == (date(2020, 4, 1), date(2030, 12, 31))


def test_extra_columns_are_ignored():
    text = "Kennung;Bezeichnung;Übergeordnet;Kostenstelle\nOB;Stadt;;4711\n"
    assert found(units(text)) == []


def test_decode_plain_utf8_and_refusals():
    assert decode("Ä;b".encode()) == ("Ä;b", None)
    assert decode(b"\xc4;b") == ("Ä;b", None)  # Windows-1252


# --- every problem: line, column, message ----------------------------------------------------


def test_binary_file_with_nul_bytes():
    parsed = parse_units(b"Kennung;Bez\x00eichnung\n", existing_parents={}, max_rows=10)
    assert found(parsed) == [(1, "", message("not_text"))]
    assert "Excel" in message("not_text")


def test_xlsx_file_is_refused_with_a_hint():
    parsed = parse_staff(b"PK\x03\x04\x14\x00\x06\x00rest-of-a-zip", unit_codes=set(), email_owners={},
                         max_rows=10)
    assert found(parsed) == [(1, "", "Die Datei ist keine CSV-Textdatei (Binärdaten, z. B. eine "
                              "Excel-Arbeitsmappe). Bitte in Excel als „CSV UTF-8“ oder „CSV "
                              "(Trennzeichen-getrennt)“ speichern.")]


def test_undecodable_file():
    # 0x81 is undefined in Windows-1252, and the bytes are not UTF-8 either
    parsed = parse_units(b"Kennung;Bezeichnung;\x81bergeordnet\n", existing_parents={}, max_rows=10)
    assert found(parsed) == [(1, "", "Die Datei ist weder als UTF-8 noch als Windows-1252 lesbar.")]


def test_control_characters_mean_binary():
    parsed = parse_units(b"Kennung;Bezeichnung\x01;x\n", existing_parents={}, max_rows=10)
    assert [p.code for p in parsed.problems] == ["not_text"]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n \r\n", b";;\n"])
def test_empty_file(content):
    parsed = parse_units(content, existing_parents={}, max_rows=10)
    assert found(parsed) == [(1, "", "Die Datei ist leer.")]


def test_header_only():
    assert found(units("\n" + UNITS_HEADER)) == [
        (3, "", "Die Datei enthält nur die Kopfzeile und keine Datensätze.")]


def test_missing_required_column_german():
    text = "Personalnummer;Nachname;Vorname;Organisationseinheit\n1;Muster;Max;10\n"
    assert found(staff(text)) == [
        (1, "E-Mail", "Pflichtspalte fehlt (erwartet: „E-Mail“ oder „email“).")]


def test_missing_required_columns_named_in_the_files_language():
    text = "code,name\nOB,City\n"
    assert found(units(text)) == [
        (1, "parent", "Pflichtspalte fehlt (erwartet: „Übergeordnet“ oder „parent“).")]


def test_duplicate_column():
    text = "Kennung;Bezeichnung;Übergeordnet;code\nOB;Stadt;;OB\n"
    assert found(units(text)) == [(1, "code", "Die Spalte kommt mehrfach vor.")]


def test_too_many_rows():
    text = UNITS_HEADER + "".join(f"U{i};Einheit {i};\n" for i in range(4))
    assert found(units(text, max_rows=3)) == [(5, "", "Zu viele Datensätze: höchstens 3 je Datei.")]
    assert found(units(text, max_rows=4)) == []


def test_too_many_values_in_a_row():
    text = "code,name,parent\nOB,Stadt,\nA,Amt, Nord,OB\n"
    assert found(units(text)) == [
        (3, "", "Die Zeile hat 4 Werte, die Kopfzeile nur 3 Spalten "
                "(Trennzeichen im Wert ohne Anführungszeichen?).")]


def test_empty_required_value():
    text = STAFF_HEADER + "1;Muster;;max@stadt.example;10;;;\n"
    assert found(staff(text)) == [(2, "Vorname", "Pflichtangabe fehlt.")]


def test_value_too_long():
    text = UNITS_HEADER + f"{'X' * 51};Stadt;\n"
    assert found(units(text)) == [(2, "Kennung", "Der Wert ist zu lang (höchstens 50 Zeichen).")]


def test_duplicate_personnel_number():
    text = STAFF_HEADER + "7;Muster;Max;max@stadt.example;10;;;\n7;Muster;Moritz;moritz@stadt.example;10;;;\n"
    assert found(staff(text)) == [
        (3, "Personalnummer", "Die Personalnummer 7 kommt mehrfach vor (zuerst in Zeile 2).")]


def test_duplicate_email_case_insensitive():
    text = STAFF_HEADER + "1;Muster;Max;max@stadt.example;10;;;\n2;Muster;Moritz;MAX@Stadt.example;10;;;\n"
    assert found(staff(text)) == [
        (3, "E-Mail", "Die E-Mail-Adresse max@stadt.example kommt mehrfach vor (zuerst in Zeile 2).")]


@pytest.mark.parametrize("address", ["max.stadt.example", "max@", "max@@stadt.example", "max muster@stadt.example"])
def test_invalid_email(address):
    text = STAFF_HEADER + f"1;Muster;Max;{address};10;;;\n"
    assert found(staff(text)) == [(2, "E-Mail", f"Ungültige E-Mail-Adresse: {address}")]


def test_email_of_another_personnel_number_in_the_database():
    text = STAFF_HEADER + "2;Muster;Moritz;max@stadt.example;10;;;\n"
    assert found(staff(text, owners={"max@stadt.example": "1"})) == [
        (2, "E-Mail", "Die E-Mail-Adresse max@stadt.example gehört bereits zur Personalnummer 1.")]


def test_email_may_move_when_its_owner_gets_another_address_in_the_same_file():
    text = STAFF_HEADER + ("2;Muster;Moritz;max@stadt.example;10;;;\n"
                           "1;Muster;Max;max.muster@stadt.example;10;;;\n")
    assert found(staff(text, owners={"max@stadt.example": "1"})) == []


def test_unknown_unit_of_an_employee():
    text = STAFF_HEADER + "1;Muster;Max;max@stadt.example;99;;;\n"
    assert found(staff(text)) == [
        (2, "Organisationseinheit", "Unbekannte Organisationseinheit 99 (zuerst die Einheiten importieren).")]


def test_unknown_parent():
    text = UNITS_HEADER + "OB;Stadt;\n10;Hauptamt;GB9\n"
    assert found(units(text)) == [(3, "Übergeordnet", "Unbekannte übergeordnete Einheit GB9.")]


def test_parent_may_be_in_the_database_or_later_in_the_file():
    text = UNITS_HEADER + "10;Hauptamt;GB1\nGB1;Geschäftsbereich 1;OB\n"
    assert found(units(text, existing={"OB": None})) == []


def test_cycle_in_the_file():
    text = UNITS_HEADER + "OB;Stadt;\nA;Amt A;B\nB;Amt B;A\n"
    assert found(units(text)) == [
        (3, "Übergeordnet", "Zyklus in der Hierarchie: A → B → A."),
        (4, "Übergeordnet", "Zyklus in der Hierarchie: B → A → B."),
    ]


def test_cycle_through_the_database():
    # in the database B is below A; the file puts A below B
    text = UNITS_HEADER + "A;Amt A;B\n"
    assert found(units(text, existing={"OB": None, "A": "OB", "B": "A"})) == [
        (2, "Übergeordnet", "Zyklus in der Hierarchie: A → B → A.")]


def test_unit_that_is_its_own_parent():
    assert found(units(UNITS_HEADER + "A;Amt A;A\n")) == [
        (2, "Übergeordnet", "Zyklus in der Hierarchie: A → A.")]


def test_duplicate_unit_code():
    text = UNITS_HEADER + "OB;Stadt;\nOB;Stadt 2;\n"
    assert found(units(text)) == [(3, "Kennung", "Die Kennung OB kommt mehrfach vor (zuerst in Zeile 2).")]


@pytest.mark.parametrize("value", ["31.02.2020", "2020/01/01", "gestern", "1.1.20"])
def test_invalid_date(value):
    text = STAFF_HEADER + f"1;Muster;Max;max@stadt.example;10;;{value};\n"
    assert found(staff(text)) == [
        (2, "Eintritt", f"Ungültiges Datum {value} (erwartet TT.MM.JJJJ oder JJJJ-MM-TT).")]


def test_left_before_hired():
    text = STAFF_HEADER + "1;Muster;Max;max@stadt.example;10;;01.04.2020;31.03.2020\n"
    assert found(staff(text)) == [(2, "Austritt", "Der Austritt liegt vor dem Eintritt.")]


def test_every_problem_of_the_whole_file_is_reported_in_line_order():
    text = STAFF_HEADER + ("1;Muster;Max;kaputt;99;;;\n"
                           "2;;Erika;erika@stadt.example;10;;gestern;\n"
                           "1;Muster;Moritz;moritz@stadt.example;10;;;\n")
    parsed = staff(text)
    assert [(p.line, p.code) for p in parsed.problems] == [
        (2, "invalid_email"), (2, "unknown_unit"), (3, "required"), (3, "invalid_date"),
        (4, "duplicate_personnel_no")]
    assert parsed.rows == []


# --- messages and their language ----------------------------------------------------------------


def test_problem_format_for_the_command_line():
    assert Problem(4, "E-Mail", "required").format("staff.csv") == "staff.csv:4: E-Mail: Pflichtangabe fehlt."
    assert Problem(1, "", "empty_file").format("x.csv") == "x.csv:1: Die Datei ist leer."


def test_english_outside_a_request_with_lang_en(monkeypatch):
    monkeypatch.setenv("LANG", "en")
    assert Problem(4, "email", "required").format("staff.csv") == "staff.csv:4: email: Required value missing."
    assert message("duplicate_code", value="OB", first=2) == \
        "The code OB appears more than once (first in line 2)."


def test_cli_language():
    assert cli_language({"LANG": "en_GB.UTF-8"}) == "en"
    assert cli_language({"LANG": "de_DE.UTF-8"}) == "de"
    assert cli_language({"LANG": "C.UTF-8"}) == "de"
    assert cli_language({"LC_ALL": "en_US.UTF-8", "LANG": "de_DE"}) == "en"
    assert cli_language({}) == "de"


def test_every_message_is_documented():
    from pathlib import Path

    from lms.org.importer import MESSAGES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    for code, (german, english) in MESSAGES.items():
        assert f"`{code}`" in doc and german in doc and english in doc, code
    from lms.org.importer import TEXTS

    for code, (german, english) in TEXTS.items():
        if not code.startswith(("field_", "value_")):  # labels are listed in prose
            assert german in doc and english in doc, code
