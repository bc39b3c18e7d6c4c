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
    assert result.stdout.strip() == "angelegt 0, geändert 0, unverändert 1, deaktiviert 1"
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
