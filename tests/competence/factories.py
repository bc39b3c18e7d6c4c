"""Competence data made directly: the framework, employees with accounts and completions."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms import db
from lms.auth.models import User
from lms.competence.models import CompetenceArea, CompetenceLevel
from lms.db import utcnow
from lms.learning import services
from lms.learning.models import Completion

AREAS = (("grundlagen", "Grundlagen", "Basics"), ("recht", "Recht und Regulierung", "Law"),
         ("ethik", "Ethik", "Ethics"))
LEVELS = ((1, "kennen", "Kennen", "Know"), (2, "anwenden", "Anwenden", "Apply"),
          (3, "bewerten", "Bewerten", "Assess"), (4, "gestalten", "Gestalten", "Shape"))


def framework() -> None:
    """Three areas and the four levels (commits)."""
    for position, (key, de, en) in enumerate(AREAS, 1):
        area = db.session.get(CompetenceArea, key) or CompetenceArea(key=key)
        area.position, area.name_de, area.name_en = position, de, en
        db.session.add(area)
    for level, key, de, en in LEVELS:
        if db.session.get(CompetenceLevel, level) is None:
            db.session.add(CompetenceLevel(level=level, key=key, name_de=de, name_en=en))
    db.session.commit()


def account_of(employee) -> User:
    user = db.session.query(User).filter_by(employee_id=employee.id).one_or_none()
    if user is None:
        user = User(email=employee.email, role="employee", employee_id=employee.id)
        db.session.add(user)
        db.session.flush()
    return user


def complete(employee, cv, *, completed_at: datetime | None = None, days_valid: int = 300) -> Completion:
    """A completion of ``cv`` by the employee (an account is made when missing); flushes."""
    completed_at = completed_at or utcnow() - timedelta(days=10)
    completion = Completion(user_id=account_of(employee).id, course_id=cv.course_id, course_version_id=cv.id,
                            completed_at=completed_at, valid_until=completed_at + timedelta(days=days_valid),
                            awards=dict(cv.awards), certificate_code=services.new_certificate_code(),
                            holder_name=f"{employee.first_name} {employee.last_name}")
    db.session.add(completion)
    db.session.flush()
    return completion
