"""HR's views issue the same number of SQL queries however many employees there are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms import db
from lms.org.models import Employee
from lms.org.services import today as berlin_today
from lms.training import services as training
from tests.learning.factories import create_course

PAGES = {
    "units": lambda e: "/berichte/einheiten",
    "courses": lambda e: "/berichte/kurse",
    "list": lambda e: "/berichte/pflichtschulungen?status=offen&q=Muster",
    "employee": lambda e: f"/berichte/beschaeftigte/{e}",
    "csv": lambda e: "/berichte/pflichtschulungen.csv",
    "xlsx": lambda e: "/berichte/pflichtschulungen.xlsx?ueberfaellig=1",
}


def _organisation(make_unit, make_employee, people: int) -> int:
    root = make_unit()
    units = [make_unit(parent=root) for _ in range(3)]
    employees = [make_employee(units[n % 3], position="Sachbearbeitung") for n in range(people)]
    for n in range(2):
        course = create_course(title=f"Pflicht {n}").course
        training.open_obligations([e.id for e in employees], course,
                                  due_on=berlin_today() + timedelta(days=5 - 10 * n))
    db.session.commit()
    return employees[0].id


def _count(app, client, path: str) -> int:
    with db.count_queries(app) as statements:
        response = client.get(path)
        response.get_data()
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("name", PAGES)
def test_constant_queries(name, app, client, login_as, make_unit, make_employee):
    login_as("hr")
    first = _organisation(make_unit, make_employee, 3)
    small = _count(app, client, PAGES[name](first))
    _organisation(make_unit, make_employee, 40)
    assert db.session.query(Employee).count() >= 43
    db.session.rollback()
    large = _count(app, client, PAGES[name](first))
    assert small == large, (name, small, large)
    assert small <= 12
