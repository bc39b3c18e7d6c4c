"""The documented example files never touch the demo city: the README tour imports them into it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import db
from lms.auth.models import User
from lms.demo import services as demo
from lms.org import services
from lms.org.models import Employee, OrgUnit

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
ON = date(2026, 11, 25)


def rows(name: str) -> list[dict[str, str]]:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter=";" if ";" in text.splitlines()[0] else ","))


def snapshot() -> dict[str, tuple]:
    """Every demo person and account, all stored attributes."""
    people = {e.personnel_no: (e.first_name, e.last_name, e.email, e.org_unit_id, e.org_unit.path, e.position,
                               e.hired_on, e.left_on, e.is_active)
              for e in db.session.scalars(select(Employee))}
    accounts = {f"user:{u.id}": (u.email, u.employee_id, u.is_active, u.session_version)
                for u in db.session.scalars(select(User))}
    units = {f"unit:{u.code}": (u.name, u.parent_id, u.path) for u in db.session.scalars(select(OrgUnit))}
    return {**people, **accounts, **units}


@pytest.mark.parametrize("staff", ["staff.csv", "staff-en.csv"])
def test_example_staff_never_uses_a_demo_personnel_number_or_address(staff):
    demo_numbers = {row[0] for row in demo.staff_rows()}
    demo_addresses = {row[3] for row in demo.staff_rows()} | {a.email for a in demo.ACCOUNTS}
    example = rows(staff)
    assert example
    for row in example:
        number = row.get("Personalnummer") or row["personnel_no"]
        address = (row.get("E-Mail") or row["email"]).lower()
        assert number not in demo_numbers, number
        assert address not in demo_addresses and not address.endswith("@" + demo.DOMAIN), address


@pytest.mark.parametrize("units, staff", [("units.csv", "staff.csv"), ("units-en.csv", "staff-en.csv")])
def test_examples_only_add_to_the_demo(app, units, staff):
    demo.load()
    db.session.commit()
    before = snapshot()
    unit_result = services.import_units((EXAMPLES / units).read_bytes(), filename=units)
    assert unit_result.ok and {c.kind for c in unit_result.changes} == {"created"}
    db.session.commit()
    preview = services.import_staff((EXAMPLES / staff).read_bytes(), dry_run=True, on=ON)
    assert preview.ok, [p.reason for p in preview.problems]
    assert {c.kind for c in preview.changes} == {"created"}
    applied = services.import_staff((EXAMPLES / staff).read_bytes(), on=ON)
    assert applied.ok and applied.counts["created"] == len(rows(staff))
    db.session.commit()
    after = snapshot()
    assert {key: value for key, value in after.items() if key in before} == before
