"""Fixtures for mandatory training: courses (tests/learning factories) and obligations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask

from lms import db
from lms.catalog.models import CourseVersion
from lms.org.models import Employee
from lms.training import services
from lms.training.models import Assignment
from tests.learning.conftest import make_course  # noqa: F401 - the course factory fixture


@pytest.fixture
def oblige(app: Flask) -> Callable[..., Assignment]:
    """``oblige(employee, course_version, due_on, today=...)``: a manual obligation (cycle 1), committed."""

    def make(employee: Employee, cv: CourseVersion, due_on: date, today: date | None = None) -> Assignment:
        made = services.open_obligations([employee.id], cv.course, due_on=due_on, today=today)
        db.session.commit()
        return made[0]

    return make
