"""One learner with one of everything, every value distinctive, for tests that look for leaks.

:func:`seed_learner` builds, in unit "Amt für Markerprüfung" (below a parent unit), the employee Lena
Lernwerk with an account and:

- a mandatory course (a rule of her unit opened the obligation) taken on its version 1.0.0, whose options
  carry the marker :attr:`Seeded.answer_token` (version 1.1.0, current, has plain texts: the content pages
  never show the marker, only what she answered does), every module read and the confirmation given at
  :attr:`Seeded.read_clock`;
- three submitted attempts on it: 41 % and 58 % (failed), then 87 % (passed), started at
  :attr:`Seeded.started_clock` and submitted at :attr:`Seeded.clock` (26 minutes on task), each with her
  answers; the completion (at :attr:`Seeded.clock`) of the passed one fulfils the obligation;
- a voluntary course (no obligation) passed with 92 %, with its own completion and certificate;
- a reminder sent to her, a competence target for her unit, the derived competence contribution.

The clock times lie hours away from the time the test runs, so no page that shows "now" (the audit log,
the last login) can contain them by chance.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from lms import db
from lms.auth.models import User
from lms.auth.passwords import hash_password
from lms.catalog.models import CourseVersion
from lms.competence.models import CompetenceLevel, CompetenceTarget
from lms.db import utcnow
from lms.learning import summaries
from lms.learning.models import Acknowledgement, Attempt, AttemptItem, Completion, ModuleProgress
from lms.learning.services import new_certificate_code
from lms.org.models import Employee, OrgUnit
from lms.training import services as training
from lms.training.models import Assignment, Notification
from tests.conftest import PASSWORD
from tests.learning.factories import create_course

BERLIN = ZoneInfo("Europe/Berlin")
#: the failed attempts, the passed one (the agreed field), the voluntary course's
FAILED_SCORES = (41, 58)
PASSED_SCORE = 87
VOLUNTARY_SCORE = 92
MINUTES_ON_TASK = 26


@dataclass
class Seeded:
    user: User
    employee: Employee
    unit: OrgUnit
    parent: OrgUnit
    course: CourseVersion  # the version she answered (1.0.0); the course's current one is 1.1.0
    voluntary: CourseVersion
    attempts: list[Attempt]
    completion: Completion
    voluntary_completion: Completion
    rule_id: int
    #: Berlin wall-clock times "HH:MM" of the passed attempt's submission and completion, its start, the reads
    clock: str
    started_clock: str
    read_clock: str
    #: the same instants in UTC (what a careless ISO export would show)
    utc_clocks: list[str]
    answer_token: str
    day: date
    extra: dict = field(default_factory=dict)

    @property
    def clocks(self) -> list[str]:
        return [self.clock, self.started_clock, self.read_clock, *self.utc_clocks]

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def employee_id(self) -> int:
        return self.employee.id


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(ZoneInfo("UTC"))


def seed_learner(make_unit, make_employee) -> Seeded:
    token = "MRK" + secrets.token_hex(4).upper()
    parent = make_unit("MRK", "Dezernat Markerprüfung")
    unit = make_unit("MRK.1", "Amt für Markerprüfung", parent=parent)
    employee = make_employee(unit, first_name="Lena", last_name="Lernwerk", personnel_no="LW-4711",
                             email="lena.lernwerk@stadt.example", position="Sachbearbeitung Marker")
    user = User(email=employee.email, role="employee", employee_id=employee.id, display_name="Lena Lernwerk",
                last_login_at=utcnow() - timedelta(days=1), password_hash=hash_password(PASSWORD))
    db.session.add(user)
    db.session.flush()

    now_berlin = datetime.now(BERLIN)
    day = now_berlin.date() - timedelta(days=14)
    hour = (now_berlin.hour + 6) % 24  # hours away from anything the test itself records
    submitted = _at(day, hour, 47)
    started = submitted - timedelta(minutes=MINUTES_ON_TASK)
    read = _at(day, (hour - 2) % 24, 13)

    answered = create_course(f"pflicht-{token.lower()}", "1.0.0", title="Pflichtkurs Marker", acknowledge=(2,),
                             questions=4, per_attempt=4, attempts_per_day=5,
                             make_current=False)
    for question in answered.questions:
        for option in question.options:
            option.text_html = f"{token}-Antwort-{question.position}.{option.position}"
    course = answered.course
    create_course(course=course, version="1.1.0", title="Pflichtkurs Marker", acknowledge=(2,), questions=4,
                  per_attempt=4, attempts_per_day=5)
    voluntary = create_course(f"freiwillig-{token.lower()}", title="Freiwilliger Kurs Marker", questions=4,
                              per_attempt=4, attempts_per_day=5)

    rule, _opened = training.create_rule(course, org_unit_id=unit.id, position_pattern=None, due_days=60,
                                         due_on=None, note="", by=None, today=day - timedelta(days=10))
    for module in answered.modules:
        if module.acknowledge:
            db.session.add(Acknowledgement(user_id=user.id, module_id=module.id, course_version_id=answered.id,
                                           course_id=course.id, module_key=module.key,
                                           text_hash=module.text_hash, acknowledged_at=read))
        db.session.add(ModuleProgress(user_id=user.id, module_id=module.id, course_id=course.id,
                                      module_key=module.key, read_at=read))

    def attempt(version: CourseVersion, score: int, passed: bool, at: datetime) -> Attempt:
        row = Attempt(user_id=user.id, course_version_id=version.id, started_at=at - timedelta(minutes=26),
                      submitted_at=at, score=score, passed=passed)
        for position, question in enumerate(version.questions, start=1):
            options = [o.id for o in question.options]
            row.items.append(AttemptItem(position=position, question_id=question.id, option_order=options,
                                         response=[options[-1] if not passed else options[0]],
                                         is_correct=passed))
        db.session.add(row)
        db.session.flush()
        return row

    attempts = [attempt(answered, FAILED_SCORES[0], False, submitted - timedelta(days=2)),
                attempt(answered, FAILED_SCORES[1], False, submitted - timedelta(days=1)),
                attempt(answered, PASSED_SCORE, True, submitted)]
    completion = Completion(user_id=user.id, course_id=course.id, course_version_id=answered.id,
                            attempt_id=attempts[-1].id, completed_at=submitted,
                            valid_until=submitted + timedelta(days=730), awards={"grundlagen": 2},
                            certificate_code=new_certificate_code(), holder_name="Lena Lernwerk",
                            holder_short="L. Lernwerk")
    db.session.add(completion)
    db.session.flush()
    training.fulfil(completion)

    free = attempt(voluntary, VOLUNTARY_SCORE, True, submitted + timedelta(hours=1))
    voluntary_completion = Completion(
        user_id=user.id, course_id=voluntary.course_id, course_version_id=voluntary.id, attempt_id=free.id,
        completed_at=submitted + timedelta(hours=1), valid_until=submitted + timedelta(days=730),
        awards={"grundlagen": 2}, certificate_code=new_certificate_code(), holder_name="Lena Lernwerk",
        holder_short="L. Lernwerk")
    db.session.add(voluntary_completion)
    db.session.flush()
    attempts.append(free)

    assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.employee_id == employee.id))
    db.session.add(Notification(kind="reminder", dedupe_key=f"reminder:{assignment_id}:d7", user_id=user.id,
                                assignment_id=assignment_id, sent_at=read))
    for level, key in ((1, "kennen"), (2, "anwenden")):
        if db.session.get(CompetenceLevel, level) is None:
            db.session.add(CompetenceLevel(level=level, key=key, name_de=key.title(), name_en=key))
    db.session.flush()
    db.session.add(CompetenceTarget(area_key="grundlagen", level=2, org_unit_id=parent.id, note="Marker-Ziel"))
    summaries.sync([employee.id])
    db.session.commit()
    return Seeded(user=user, employee=employee, unit=unit, parent=parent, course=answered, voluntary=voluntary,
                  attempts=attempts, completion=completion, voluntary_completion=voluntary_completion,
                  rule_id=rule.id, clock=submitted.astimezone(BERLIN).strftime("%H:%M"),
                  started_clock=started.astimezone(BERLIN).strftime("%H:%M"),
                  read_clock=read.astimezone(BERLIN).strftime("%H:%M"),
                  utc_clocks=[t.strftime("%H:%M") for t in (submitted, started, read)],
                  answer_token=token, day=day)
