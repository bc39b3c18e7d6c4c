"""``lms import units|staff``: exit codes, problem lines, summaries, --dry-run, --full, LANG=en."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms import db
from lms.org.models import Employee, OrgUnit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
UNITS = "Kennung;Bezeichnung;Übergeordnet\nOB;Stadt;\n10;Hauptamt;OB\n"
STAFF = ("Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit\n"
         "1;Muster;Max;max@stadt.example;10\n2;Beispiel;Erika;erika@stadt.example;10\n")


@pytest.fixture
def write(tmp_path: Path):
    def write(name: str, text: str, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return write


def employees() -> int:
    return db.session.scalar(select(func.count()).select_from(Employee))


def test_units_then_staff_succeed_with_summary(runner, write):
    result = runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "angelegt 2, geändert 0, unverändert 0, deaktiviert 0"
    result = runner.invoke(args=["import", "staff", write("staff.csv", STAFF)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "angelegt 2, geändert 0, unverändert 0, deaktiviert 0"
    again = runner.invoke(args=["import", "staff", write("staff.csv", STAFF)])
    assert again.stdout.strip() == "angelegt 0, geändert 0, unverändert 2, deaktiviert 0"


def test_problems_are_printed_as_file_line_column_reason_and_exit_1(runner, write):
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    path = write("staff.csv", STAFF + "3;Neu;Nina;kaputt;99\n1;Doppelt;Max;max2@stadt.example;10\n")
    result = runner.invoke(args=["import", "staff", path])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:4: E-Mail: Ungültige E-Mail-Adresse: kaputt",
        f"{path}:4: Organisationseinheit: Unbekannte Organisationseinheit 99 (zuerst die Einheiten importieren).",
        f"{path}:5: Personalnummer: Die Personalnummer 1 kommt mehrfach vor (zuerst in Zeile 2).",
        "3 Problem(e); nichts importiert.",
    ]
    assert result.stdout == ""
    assert employees() == 0


def test_english_with_lang_en(runner, write):
    path = write("units.csv", "code,name\nOB,City\n")
    result = runner.invoke(args=["import", "units", path], env={"LANG": "en_GB.UTF-8"})
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:1: parent: Required column missing (expected: “Übergeordnet” or “parent”).",
        "1 problem(s); nothing imported.",
    ]


def test_binary_file_exit_1(runner, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    result = runner.invoke(args=["import", "staff", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:1: Die Datei ist keine CSV-Textdatei")


def test_dry_run_lists_changes_and_writes_nothing(runner, write):
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    result = runner.invoke(args=["import", "staff", write("staff.csv", STAFF), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "angelegt: 1 Muster, Max",
        "angelegt: 2 Beispiel, Erika",
        "Probelauf, nichts geschrieben. Würde: angelegt 2, geändert 0, unverändert 0, deaktiviert 0",
    ]
    assert employees() == 0


def test_full_deactivates_missing(runner, write):
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    runner.invoke(args=["import", "staff", write("staff.csv", STAFF)])
    only_max = "\n".join(STAFF.splitlines()[:2]) + "\n"
    result = runner.invoke(args=["import", "staff", write("max.csv", only_max), "--full"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["deaktiviert: 2 Beispiel, Erika (10 Hauptamt)",
                                          "angelegt 0, geändert 0, unverändert 1, deaktiviert 1"]
    assert db.session.scalar(select(Employee.is_active).where(Employee.personnel_no == "2")) is False


def test_cp1252_file_from_excel(runner, write):
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    path = write("staff.csv", STAFF.replace("Muster", "Müßig"), encoding="cp1252")
    assert runner.invoke(args=["import", "staff", path]).exit_code == 0
    assert db.session.scalar(select(Employee.last_name).where(Employee.personnel_no == "1")) == "Müßig"


@pytest.mark.parametrize("units, staff", [("units.csv", "staff.csv"), ("units-en.csv", "staff-en.csv")])
def test_documented_examples_import_cleanly(runner, units, staff):
    assert runner.invoke(args=["import", "units", str(EXAMPLES / units)]).exit_code == 0
    result = runner.invoke(args=["import", "staff", str(EXAMPLES / staff)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) > 0
    assert employees() > 0


# --- identity changes, old → new, --full with --yes ----------------------------------------------

IDENTITY = STAFF.replace("1;Muster;Max;max@stadt.example", "1;Beispiel;Berta;berta@stadt.example")


def first_name(pn: str) -> str:
    return db.session.scalar(select(Employee.first_name).where(Employee.personnel_no == pn))


def test_identity_change_is_refused_without_allow_identity_change(runner, write):
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    runner.invoke(args=["import", "staff", write("staff.csv", STAFF)])
    path = write("other.csv", IDENTITY)
    for extra in ([], ["--dry-run"]):
        result = runner.invoke(args=["import", "staff", path, *extra])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{path}:2: Personalnummer: Identitätswechsel: Unter der Personalnummer 1 ändern sich Name und "
            "E-Mail-Adresse (bisher Max Muster <max@stadt.example>, neu Berta Beispiel <berta@stadt.example>). "
            "Das ist vermutlich eine andere Person; ohne ausdrückliche Bestätigung dieser Zeile wird nichts "
            "gespeichert.",
            "1 Problem(e); nichts importiert.",
            "Identitätswechsel werden nur mit --allow-identity-change übernommen.",
        ]
        assert first_name("1") == "Max"


def test_allow_identity_change_applies_and_lists_old_and_new(runner, write):
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    runner.invoke(args=["import", "staff", write("staff.csv", STAFF)])
    result = runner.invoke(args=["import", "staff", write("other.csv", IDENTITY), "--allow-identity-change"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "geändert: 1 Beispiel, Berta",
        "    Vorname: Max → Berta",
        "    Nachname: Muster → Beispiel",
        "    E-Mail: max@stadt.example → berta@stadt.example",
        "angelegt 0, geändert 1, unverändert 1, deaktiviert 0",
    ]
    assert first_name("1") == "Berta"


def test_dry_run_shows_old_and_new_values_and_the_login_change(runner, write, make_user):
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    runner.invoke(args=["import", "staff", write("staff.csv", STAFF)])
    make_user("employee", employee=db.session.scalar(select(Employee).where(Employee.personnel_no == "2")))
    married = STAFF.replace("2;Beispiel;Erika;erika@", "2;Weber;Erika;erika.weber@")
    result = runner.invoke(args=["import", "staff", write("married.csv", married), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "geändert: 2 Weber, Erika",
        "    Nachname: Beispiel → Weber",
        "    E-Mail: erika@stadt.example → erika.weber@stadt.example",
        "    Anmeldung ändert sich: erika@stadt.example → erika.weber@stadt.example (die Person meldet sich "
        "künftig mit der neuen Adresse an)",
        "Probelauf, nichts geschrieben. Würde: angelegt 0, geändert 1, unverändert 1, deaktiviert 0",
    ]
    english = runner.invoke(args=["import", "staff", write("married.csv", married), "--dry-run"],
                            env={"LANG": "en_GB.UTF-8"})
    assert "    Last name: Beispiel → Weber" in english.stdout.splitlines()
    assert "    Login changes: erika@stadt.example → erika.weber@stadt.example (the person will log in with " \
           "the new address)" in english.stdout.splitlines()
    applied = runner.invoke(args=["import", "staff", write("married.csv", married)])
    assert applied.stdout.splitlines()[-1] == \
        "angelegt 0, geändert 1, unverändert 1, deaktiviert 0; Anmeldungen geändert 1"


@pytest.fixture
def eleven(runner, write):
    """11 employees in the database; a full list with only the first one deactivates 10."""
    runner.invoke(args=["import", "units", write("units.csv", UNITS)])
    header = STAFF.splitlines()[0]
    rows = [f"{n};Person{n};Vorname{n};p{n}@stadt.example;10" for n in range(1, 12)]
    assert runner.invoke(args=["import", "staff", write("all.csv", "\n".join([header, *rows]) + "\n")]).exit_code == 0
    return write("one.csv", f"{header}\n{rows[0]}\n")


def active() -> int:
    return db.session.scalar(select(func.count()).select_from(Employee).where(Employee.is_active.is_(True)))


def test_full_at_the_threshold_needs_no_yes(runner, eleven, app):
    assert app.config["LMS_IMPORT_CONFIRM_DEACTIVATIONS"] == 10
    result = runner.invoke(args=["import", "staff", eleven, "--full"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "deaktiviert: 10 Person10, Vorname10 (10 Hauptamt)"
    assert active() == 1


def test_full_above_the_threshold_is_refused_without_yes(runner, eleven, app):
    app.config["LMS_IMPORT_CONFIRM_DEACTIVATIONS"] = 9
    result = runner.invoke(args=["import", "staff", eleven, "--full"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Der Import würde 10 Beschäftigte deaktivieren (mehr als 9); nichts geschrieben. Liste mit --dry-run "
        "prüfen, dann mit --yes bestätigen."]
    assert result.stdout == "" and active() == 11
    english = runner.invoke(args=["import", "staff", eleven, "--full"], env={"LANG": "en_US.UTF-8"})
    assert english.stderr.startswith("The import would deactivate 10 employees (more than 9); nothing written.")
    # the dry run shows whom it would be, and writes nothing
    dry = runner.invoke(args=["import", "staff", eleven, "--full", "--dry-run"])
    assert dry.exit_code == 0 and len([x for x in dry.stdout.splitlines() if x.startswith("deaktiviert:")]) == 10
    assert active() == 11
    confirmed = runner.invoke(args=["import", "staff", eleven, "--full", "--yes"])
    assert confirmed.exit_code == 0, confirmed.output
    assert active() == 1
