"""Factories for the learner's journey: course versions made directly, attempts answered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from lms.catalog.models import CourseVersion
from tests.learning.factories import create_course


@pytest.fixture
def make_course(app: Flask) -> Callable[..., CourseVersion]:
    """``make_course(slug=None, version="1.0.0", course=None, modules=3, acknowledge=(), questions=6,
    per_attempt=4, attempts_per_day=3, pass_mark=75, show_solutions="after_pass", ...)``."""
    return create_course
