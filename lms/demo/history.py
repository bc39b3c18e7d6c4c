"""The demo city's learning history: 18 months of completions, so that the committee sees figures.

Musterstadt started its AI-literacy programme 18 months before the day the demo is loaded; a pilot group
(Personalamt and Amt für Digitalisierung) took the basics and the AI Act course about two years before
that, so some of those completions have expired (24 months) and were renewed or not. Offices differ in
how far they are (the Amt für Digitalisierung nearly done, the Straßen- und Tiefbauamt just starting),
and completions become more frequent over time.

:func:`plan` decides everything from one seeded generator (pure, no database); :func:`write` records the
plan as the learner's services would have: modules read, confirmations, quiz attempts with their items
(a failed one now and then), and completions with certificate codes, in bulk. The people who hold a demo
account (printed by ``lms demo load``) get no history, so that the README's tour starts from a clean
slate. Add and flush; never commit.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from lms import db
from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion, Module, Question, QuestionOption
from lms.learning import rules
from lms.learning.models import Acknowledgement, Attempt, AttemptItem, Completion, ModuleProgress
from lms.learning.services import new_certificate_code
from lms.org.models import Employee, OrgUnit

#: how long the programme has been running when the demo is loaded
PROGRAMME_DAYS = 548
#: the pilot group's completions: this many days before the demo is loaded (expired after 24 months)
PILOT_DAYS = (760, 900)
PILOT_UNITS = ("11", "12", "12.1")
PILOT_COURSES = ("ki-grundlagen", "rechtsrahmen-ki-verordnung")
#: share of the pilot group that renewed after expiry
PILOT_RENEWED = 0.55
BASICS = "ki-grundlagen"

#: per office (teams count with their office; staff of the Oberbürgermeister and the Geschäftsbereiche
#: with "OB"): the share that completed the basics since the programme began
BASICS_RATE = {
    "OB": 0.85, "11": 0.9, "12": 0.95, "14": 0.75, "33": 0.7, "50": 0.65, "51": 0.45, "53": 0.6,
    "36": 0.7, "61": 0.55, "66": 0.3,
}
#: further courses (after the basics): the share that took one, per office where it differs
FURTHER = {
    "generative-ki-im-arbeitsalltag": (0.35, {"12": 0.85, "33": 0.5, "11": 0.5}),
    "datenschutz-informationssicherheit": (0.25, {"50": 0.6, "51": 0.5, "53": 0.55, "11": 0.5}),
    "rechtsrahmen-ki-verordnung": (0.2, {"50": 0.75, "14": 0.6, "11": 0.45, "12": 0.5}),
    "ki-in-der-stadtverwaltung": (0.25, {"61": 0.5, "36": 0.5, "66": 0.4, "33": 0.35}),
    "ethik-fairness-nachhaltigkeit": (0.15, {"36": 0.4, "51": 0.3}),
    "ki-praxis-recht-und-faelle": (0.08, {"50": 0.3, "14": 0.3, "12": 0.25}),
    "ki-vorhaben-planen": (0.03, {"12": 0.5, "12.1": 0.9}),
}
#: share of completions with a failed attempt before the passing one
FAILED_FIRST = 0.2


@dataclass(frozen=True)
class Person:
    employee_id: int
    #: the office code (a team's office; "OB" for the Oberbürgermeister and the Geschäftsbereiche)
    office: str
    unit: str
    hired_on: date | None
    left_on: date | None


@dataclass(frozen=True)
class Planned:
    employee_id: int
    course: str
    #: when the passing attempt was submitted (UTC)
    completed_at: datetime
    #: a failed attempt this many days before the pass (None: passed at the first attempt)
    failed_days_before: int | None


def _moment(rng: random.Random, day: date) -> datetime:
    """A time during office hours (07:00–15:00 UTC) on ``day``."""
    return datetime.combine(day, time(7), tzinfo=UTC) + timedelta(minutes=rng.randrange(8 * 60))


def _day_between(rng: random.Random, first: date, last: date, *, later: bool = False) -> date | None:
    """A day in [first, last]; with ``later`` weighted towards the end (the programme gaining pace)."""
    span = (last - first).days
    if span < 0:
        return None
    u = rng.random()
    return first + timedelta(days=math.floor(span * (math.sqrt(u) if later else u)))


def plan(people: Sequence[Person], courses: Sequence[str], today: date, seed: int) -> list[Planned]:
    """Who completed which course when, decided by one generator seeded with ``seed`` (pure).

    Only the courses in ``courses`` are planned; nobody completes before being hired, after leaving, or
    today (the history ends yesterday).
    """
    rng = random.Random(seed)
    start, end = today - timedelta(days=PROGRAMME_DAYS), today - timedelta(days=1)
    offered = set(courses)
    planned: list[Planned] = []

    def add(person: Person, course: str, day: date) -> None:
        failed = rng.randrange(1, 4) if rng.random() < FAILED_FIRST else None
        planned.append(Planned(person.employee_id, course, _moment(rng, day), failed))

    for person in people:
        first = max(start, person.hired_on or start)
        last = min(end, person.left_on - timedelta(days=1)) if person.left_on else end
        pilot = person.unit in PILOT_UNITS and (person.hired_on or start) < today - timedelta(days=PILOT_DAYS[1])
        done_pilot = set()
        if pilot:
            for course in PILOT_COURSES:
                if course not in offered:
                    continue
                day = today - timedelta(days=rng.randrange(*PILOT_DAYS))
                if person.left_on is not None and day >= person.left_on:
                    continue
                add(person, course, day)
                done_pilot.add(course)
                expired = rules.add_months(_moment(rng, day), 24).date()
                if rng.random() < PILOT_RENEWED:
                    renewed = _day_between(rng, expired + timedelta(days=1), last)
                    if renewed is not None:
                        add(person, course, renewed)
        basics_day = None
        if BASICS in done_pilot:
            basics_day = today - timedelta(days=PILOT_DAYS[1])
        elif BASICS in offered and rng.random() < BASICS_RATE.get(person.office, 0.5):
            basics_day = _day_between(rng, first, last, later=True)
            if basics_day is not None:
                add(person, BASICS, basics_day)
        if basics_day is None:
            continue
        for course, (share, by_office) in FURTHER.items():
            if course not in offered or course in done_pilot:
                continue
            if rng.random() < by_office.get(person.unit, by_office.get(person.office, share)):
                day = _day_between(rng, max(first, basics_day + timedelta(days=1)), last, later=True)
                if day is not None:
                    add(person, course, day)
    return planned


def people(exclude_emails: Sequence[str] = ()) -> list[Person]:
    """The employees (all, leavers included) with their office, except the ones with these e-mails."""
    units = {u.id: u for u in db.session.scalars(select(OrgUnit))}

    def office(unit: OrgUnit) -> str:
        while unit.depth > 2 and unit.parent_id is not None:
            unit = units[unit.parent_id]
        return unit.code if unit.depth == 2 else "OB"

    return [Person(e.id, office(units[e.org_unit_id]), units[e.org_unit_id].code, e.hired_on, e.left_on)
            for e in db.session.scalars(select(Employee).order_by(Employee.id))
            if e.email not in exclude_emails]


def create_accounts() -> int:
    """An account for every employee without one: not invited yet (no password), closed for leavers.
    Completions belong to accounts (``completions.user_id``), so the history needs them."""
    rows = [{"email": e.email, "role": "employee", "employee_id": e.id, "display_name": "",
             "is_active": e.is_active, "session_version": 1}
            for e in db.session.scalars(
                select(Employee).where(~select(User.id).where(User.employee_id == Employee.id).exists())
                .order_by(Employee.id))]
    if rows:
        db.session.execute(insert(User), rows)
    return len(rows)


@dataclass
class _Version:
    version: CourseVersion
    course_id: int
    modules: list[Module]
    #: question id -> (option ids, correct option ids)
    questions: dict[int, tuple[list[int], list[int]]]


def _versions() -> dict[str, _Version]:
    out = {}
    for course in db.session.scalars(select(Course).where(Course.is_active.is_(True)).order_by(Course.slug)):
        version = course.current_version
        if version is None:
            continue
        questions: dict[int, tuple[list[int], list[int]]] = {}
        for qid, oid, correct in db.session.execute(
                select(Question.id, QuestionOption.id, QuestionOption.is_correct)
                .join(QuestionOption, QuestionOption.question_id == Question.id)
                .where(Question.course_version_id == version.id)
                .order_by(Question.id, QuestionOption.position)):
            options, right = questions.setdefault(qid, ([], []))
            options.append(oid)
            if correct:
                right.append(oid)
        out[course.slug] = _Version(version, course.id, list(version.modules), questions)
    return out


def courses() -> list[str]:
    """The slugs of the active courses with a current version (those the history can use)."""
    return list(_versions())


def write(planned: Sequence[Planned], seed: int) -> int:
    """Record the plan: reads, confirmations, attempts with items, completions. Returns the completions."""
    rng = random.Random(seed)
    versions = _versions()
    users = dict(db.session.execute(select(User.employee_id, User.id).where(User.employee_id.is_not(None)))
                 .tuples().all())
    names = {e.id: (e.first_name, e.last_name) for e in db.session.scalars(
        select(Employee).where(Employee.id.in_({p.employee_id for p in planned})))}
    attempts: list[dict] = []
    items: list[list[dict]] = []
    completes: list[dict | None] = []
    reads: list[dict] = []
    confirmations: list[dict] = []
    seen: set[tuple[int, int]] = set()

    def attempt(user_id: int, v: _Version, submitted: datetime, passed: bool) -> None:
        draw = min(v.version.questions_per_attempt, len(v.questions))
        needed = math.ceil(v.version.pass_mark * draw / 100)
        right = rng.randrange(needed, draw + 1) if passed else rng.randrange(max(0, needed - 4), needed)
        chosen = rng.sample(sorted(v.questions), draw)
        correct = set(rng.sample(range(draw), right))
        rows = []
        for position, qid in enumerate(chosen, 1):
            options, good = v.questions[qid]
            order = options[:]
            rng.shuffle(order)
            wrong = [o for o in options if o not in good][:1]
            rows.append({"position": position, "question_id": qid, "option_order": order,
                         "response": good if position - 1 in correct else wrong,
                         "is_correct": position - 1 in correct})
        attempts.append({"user_id": user_id, "course_version_id": v.version.id,
                         "started_at": submitted - timedelta(minutes=rng.randrange(6, 30)),
                         "submitted_at": submitted, "score": round(100 * right / draw), "passed": passed})
        items.append(rows)

    for p in sorted(planned, key=lambda p: p.completed_at):
        v, user_id = versions.get(p.course), users.get(p.employee_id)
        if v is None or user_id is None:
            continue
        first_try = p.completed_at - timedelta(days=p.failed_days_before or 0, hours=rng.randrange(0, 3))
        read_at = first_try - timedelta(days=rng.randrange(0, 10), minutes=rng.randrange(20, 120))
        for module in v.modules:
            if (user_id, module.id) in seen:  # a renewal: the modules were read the first time
                continue
            seen.add((user_id, module.id))
            reads.append({"user_id": user_id, "module_id": module.id, "course_id": v.course_id,
                          "module_key": module.key, "read_at": read_at})
            if module.acknowledge:
                confirmations.append({"user_id": user_id, "module_id": module.id,
                                      "course_version_id": v.version.id, "course_id": v.course_id,
                                      "module_key": module.key, "text_hash": module.text_hash,
                                      "acknowledged_at": read_at})
        if p.failed_days_before is not None:
            attempt(user_id, v, first_try, passed=False)
            completes.append(None)
        attempt(user_id, v, p.completed_at, passed=True)
        first, last = names[p.employee_id]
        completes.append({"user_id": user_id, "course_id": v.course_id, "course_version_id": v.version.id,
                          "completed_at": p.completed_at,
                          "valid_until": rules.add_months(p.completed_at, v.version.validity_months),
                          "awards": dict(v.version.awards or {}), "certificate_code": new_certificate_code(),
                          "holder_name": f"{first} {last}", "holder_short": f"{first[:1]}. {last}"})
    if reads:
        db.session.execute(insert(ModuleProgress), reads)
    if confirmations:
        db.session.execute(insert(Acknowledgement), confirmations)
    if not attempts:
        return 0
    ids = db.session.scalars(insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True), attempts).all()
    db.session.execute(insert(AttemptItem), [{**row, "attempt_id": attempt_id}
                                             for attempt_id, rows in zip(ids, items, strict=True) for row in rows])
    done = [{**row, "attempt_id": attempt_id} for attempt_id, row in zip(ids, completes, strict=True) if row]
    db.session.execute(insert(Completion), done)
    return len(done)

