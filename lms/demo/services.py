"""The demo city "Musterstadt": units, staff, one account per role and 18 months of learning history.
Add and flush; never commit.

Everything is fictitious and deterministic (a seeded random generator): the same database content on
every machine, so screenshots and manuals can refer to it (the history is relative to the day of
loading; only certificate codes are random). The data goes through the same import services as real HR
files, and the demo accounts through ``lms.auth.services``; every other employee gets an account that is
not invited yet, and the history (:mod:`lms.demo.history`) is written in bulk, then the committee's
summaries are rebuilt from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from lms import db
from lms.auth import services as auth_services
from lms.auth.models import User
from lms.auth.passwords import DEMO_PASSWORD, hash_password
from lms.catalog.models import Course
from lms.competence.models import CompetenceArea, CompetenceTarget
from lms.demo import history
from lms.learning import summaries
from lms.org import services as org_services
from lms.org.models import Employee, OrgUnit

DOMAIN = "musterstadt.example"
#: one password for every demo account, shown by ``lms demo load`` and in the README. Being published,
#: the password policy refuses it for any account; the loader sets it past the policy on purpose.
PASSWORD = DEMO_PASSWORD
SEED = 20261125
ACTOR = "demo"

#: (code, name, parent code): the administration's tree, four levels (offices with teams below them)
UNITS = (
    ("OB", "Stadtverwaltung Musterstadt – Oberbürgermeister", None),
    ("GB1", "Geschäftsbereich 1 – Allgemeine Verwaltung und Digitales", "OB"),
    ("GB2", "Geschäftsbereich 2 – Soziales, Jugend und Gesundheit", "OB"),
    ("GB3", "Geschäftsbereich 3 – Umwelt, Bauen und Verkehr", "OB"),
    ("11", "Personalamt", "GB1"),
    ("12", "Amt für Digitalisierung", "GB1"),
    ("33", "Bürgeramt", "GB1"),
    ("50", "Sozialamt", "GB2"),
    ("51", "Jugendamt", "GB2"),
    ("53", "Gesundheitsamt", "GB2"),
    ("36", "Umweltamt", "GB3"),
    ("61", "Stadtplanungsamt", "GB3"),
    ("66", "Straßen- und Tiefbauamt", "GB3"),
    ("14", "Rechnungsprüfungsamt", "GB1"),
    ("12.1", "KI-Labor", "12"),
    ("14.1", "Prüfgruppe IT und Digitales", "14"),
    ("33.1", "Bürgerbüro Mitte", "33"),
    ("33.2", "Bürgerbüro Nord", "33"),
    ("50.1", "Grundsicherung", "50"),
    ("51.1", "Allgemeiner Sozialer Dienst", "51"),
    ("51.2", "Kindertagesbetreuung", "51"),
    ("66.1", "Straßenbau", "66"),
)
#: members directly in each unit (not its subtree), the account holders included: 300 in all. Sizes
#: differ on purpose: the committee's figures suppress groups under 5 (the Rechnungsprüfungsamt has 12,
#: its IT group 3, the KI-Labor 4).
HEADCOUNT = {
    "OB": 4, "GB1": 3, "GB2": 3, "GB3": 3,
    "11": 22, "12": 14, "12.1": 4, "14": 9, "14.1": 3, "33": 20, "33.1": 14, "33.2": 11,
    "50": 24, "50.1": 16, "51": 16, "51.1": 20, "51.2": 12, "53": 22, "36": 20, "61": 24,
    "66": 21, "66.1": 15,
}
EMPLOYEES = sum(HEADCOUNT.values())
OFFICES = tuple(code for code, _name, parent in UNITS if parent not in (None, "OB"))
#: former employees: (index in the staff list, leaving day); they keep their history up to that day
LEAVERS = ((-1, date(2025, 6, 30)), (-2, date(2026, 3, 31)), (-3, date(2026, 8, 31)), (-4, date(2025, 12, 31)))

FIRST_NAMES = (
    "Anna", "Lena", "Sabine", "Katrin", "Julia", "Monika", "Petra", "Sandra", "Claudia", "Laura",
    "Birgit", "Nicole", "Sophie", "Ayşe", "Marta", "Elif", "Jana", "Ute", "Heike", "Franziska",
    "Thomas", "Michael", "Stefan", "Andreas", "Markus", "Jan", "Tobias", "Frank", "Jürgen", "Lukas",
    "Matthias", "Sebastian", "Uwe", "Mehmet", "Florian", "Daniel", "Bernd", "Felix", "Kai", "Dirk",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
    "Krause", "Meier", "Lehmann", "Köhler", "Herrmann", "König", "Walter", "Kaya", "Nowak", "Peters",
    "Groß", "Vogel", "Friedrich",
)
POSITIONS = (
    "Sachbearbeitung", "Sachbearbeitung", "Sachbearbeitung", "Verwaltungsfachangestellte/r",
    "Sachgebietsleitung", "Referent/in", "Teamassistenz", "Ingenieur/in", "Sozialarbeiter/in",
    "Fachinformatiker/in", "Projektleitung",
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    #: an employee of the demo staff (first name, last name, unit) or None for function accounts
    person: tuple[str, str, str] | None = None
    display_name: str = ""
    #: coordinators: the subtrees they look after
    units: tuple[str, ...] = ()
    password: str = PASSWORD


ACCOUNTS = (
    DemoAccount(f"admin@{DOMAIN}", "admin", display_name="Administration (Demo)"),
    DemoAccount(f"petra.hoffmann@{DOMAIN}", "hr", person=("Petra", "Hoffmann", "11")),
    DemoAccount(f"thomas.becker@{DOMAIN}", "coordinator", person=("Thomas", "Becker", "GB3"),
                units=("GB3",)),
    DemoAccount(f"ausschuss@{DOMAIN}", "committee", display_name="Ausschuss für Digitales (Demo)"),
    DemoAccount(f"redaktion@{DOMAIN}", "author", display_name="Redaktion KI-Kompetenz (Demo)"),
    DemoAccount(f"anna.schmidt@{DOMAIN}", "employee", person=("Anna", "Schmidt", "33")),
    DemoAccount(f"mehmet.kaya@{DOMAIN}", "employee", person=("Mehmet", "Kaya", "36")),
    DemoAccount(f"personalrat@{DOMAIN}", "personalrat", display_name="Personalrat (Demo)"),
)


@dataclass(frozen=True)
class DemoSummary:
    units: int
    employees: int
    accounts: tuple[DemoAccount, ...]
    #: mandatory-course assignments made (0 when the courses are not imported yet)
    assignments: int = 0
    #: completions in the history, and competence targets set (0 without courses)
    completions: int = 0
    targets: int = 0


def is_empty() -> bool:
    """True if the database holds no org units, employees or accounts."""
    return not any(db.session.scalar(select(func.count()).select_from(model)) for model in (OrgUnit, Employee, User))


def present_accounts() -> list[DemoAccount]:
    """The demo accounts that exist in this database."""
    emails = set(db.session.scalars(select(User.email).where(User.email.in_([a.email for a in ACCOUNTS]))))
    return [a for a in ACCOUNTS if a.email in emails]


def _ascii(name: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ş", "s"), ("ı", "i")):
        name = name.replace(umlaut, plain)
    return name.lower().replace(" ", "-")


def staff_rows(seed: int = SEED) -> list[tuple[str, ...]]:
    """300 fictitious employees: the account holders first, the rest drawn from the name lists, each unit
    filled to its :data:`HEADCOUNT`. The first person drawn for an office or team leads it.

    Columns: personnel_no, last_name, first_name, email, org_unit, position, hired_on, left_on.
    A few former employees (:data:`LEAVERS`, leaving dates in the past) show the inactive filter.
    """
    rng = random.Random(seed)
    people = [a.person for a in ACCOUNTS if a.person is not None]
    taken = {(first, last) for first, last, _unit in people}
    free = dict(HEADCOUNT)
    for _first, _last, unit in people:
        free[unit] -= 1
    slots = [code for code, _name, _parent in UNITS for _ in range(free[code])]
    rng.shuffle(slots)
    while slots:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in taken:
            continue
        taken.add((first, last))
        people.append((first, last, slots.pop()))
    leavers = {len(people) + index if index < 0 else index: day for index, day in LEAVERS}
    holders = sum(1 for a in ACCOUNTS if a.person is not None)
    led = {unit for _first, _last, unit in people[:1]}  # Petra Hoffmann leads the Personalamt
    rows = []
    for i, (first, last, unit) in enumerate(people):
        hired = date(1990, 1, 1) + timedelta(days=rng.randrange(0, 35 * 365))
        left = ""
        if i in leavers:
            left = leavers[i].isoformat()
            hired = min(hired, date(2024, 1, 1))
        if unit in OFFICES and unit not in led and i not in leavers and i >= holders:
            led.add(unit)
            position = "Amtsleitung" if "." not in unit else "Sachgebietsleitung"
        elif i == 0:
            position = "Amtsleitung"
        else:
            position = rng.choice(POSITIONS)
        rows.append((f"{100001 + i}", last, first, f"{_ascii(first)}.{_ascii(last)}@{DOMAIN}", unit,
                     position, hired.isoformat(), left))
    return rows


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]] | tuple[tuple[str | None, ...], ...]) -> bytes:
    lines = [";".join(header)] + [";".join(value or "" for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def load() -> DemoSummary:
    """Create the demo city in an empty database (the caller checks :func:`is_empty` and commits)."""
    units = org_services.import_units(_csv(("code", "name", "parent"), UNITS), filename="demo-units.csv",
                                      actor_label=ACTOR)
    rows = staff_rows()
    staff = org_services.import_staff(
        _csv(("personnel_no", "last_name", "first_name", "email", "org_unit", "position", "hired_on",
              "left_on"), rows), filename="demo-staff.csv", actor_label=ACTOR)
    for result in (units, staff):
        if not result.ok:  # the demo data is fixed: a problem here is a bug
            raise RuntimeError("; ".join(p.format(result.kind) for p in result.problems))
    hashes: dict[str, str] = {}  # one Argon2 hash per distinct password (they all share one)
    for account in ACCOUNTS:
        user = auth_services.create_user(account.email, account.role, unit_codes=list(account.units),
                                         display_name=account.display_name, actor_label=ACTOR)
        # Deliberately past the password policy, which refuses the published demo password: these
        # accounts are fictitious, and the loader refuses a database with real data (see is_empty).
        if account.password not in hashes:
            hashes[account.password] = hash_password(account.password)
        user.password_hash = hashes[account.password]
        user.password_changed_at = datetime.now(UTC)
    history.create_accounts()
    holders = [a.email for a in ACCOUNTS if a.person is not None]
    done = history.write(history.plan(history.people(holders), history.courses(), date.today(), SEED), SEED)  # noqa: DTZ011
    targets = set_targets()
    assignments = assign_mandatory(date.today())  # noqa: DTZ011 - due dates are local calendar days
    assignments += assign_by_hand(date.today())  # noqa: DTZ011
    summaries.rebuild()
    return DemoSummary(units=len(UNITS), employees=len(rows), accounts=ACCOUNTS, assignments=assignments,
                       completions=done, targets=targets)


#: the demo's competence targets: (area, level, org-unit code or None for everyone, note)
TARGETS = (
    ("grundlagen", 1, None, "Demo: Grundlagen für alle Beschäftigten"),
    ("recht", 2, "50", "Demo: Sozialamt entscheidet über Leistungen – Recht anwenden können"),
)


def set_targets() -> int:
    """The demo's targets, if the competence framework is imported (with the courses)."""
    areas = set(db.session.scalars(select(CompetenceArea.key)))
    made = 0
    for area, level, code, note in TARGETS:
        if area not in areas:
            continue
        unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) if code else None
        db.session.add(CompetenceTarget(area_key=area, level=level, org_unit_id=unit_id, note=note))
        made += 1
    db.session.flush()
    return made


#: one obligation assigned by hand: (account e-mail, course slug, days until due, reason). Mehmet's falls
#: due in 7 days, so that `lms reminders send` on the day of loading sends a reminder that arrives
BY_HAND = ((f"mehmet.kaya@{DOMAIN}", "datenschutz-informationssicherheit", 7,
            "Demo: neue Aufgabe mit personenbezogenen Daten"),)


def assign_by_hand(today: date) -> int:
    from lms.training import services as training

    made = 0
    for email, slug, days, note in BY_HAND:
        course = db.session.scalar(select(Course).where(Course.slug == slug, Course.is_active.is_(True)))
        user = db.session.scalar(select(User).where(User.email == email))
        if course is None or user is None or user.employee is None:
            continue
        made += len(training.open_obligations([user.employee.id], course, due_on=today + timedelta(days=days),
                                              note=note, today=today))
    return made


#: demo mandatory training: (course slug, org-unit codes or None for everyone, days until due)
MANDATORY = (
    ("ki-grundlagen", None, 42),
    ("generative-ki-im-arbeitsalltag", ("12", "33"), 70),
    ("datenschutz-informationssicherheit", ("50",), -14),  # already overdue: shows the warning
)


def assign_mandatory(today: date) -> int:
    """Make the demo's mandatory courses mandatory by rules (everyone, or some units), if the courses
    are imported, and apply them. Returns the number of obligations opened."""
    from lms.training import services as training

    made = 0
    for slug, unit_codes, days in MANDATORY:
        course = db.session.scalar(select(Course).where(Course.slug == slug, Course.is_active.is_(True)))
        if course is None:
            continue
        units = ([None] if unit_codes is None else
                 db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(unit_codes))).all())
        for unit in units:
            if days > 0:
                _rule, opened = training.create_rule(
                    course, org_unit_id=unit.id if unit else None, position_pattern=None, due_days=days,
                    due_on=None, note="Demo", by=None, today=today)
            else:  # assigned by hand earlier, already overdue: shows the warning
                ids = db.session.scalars(select(Employee.id).where(
                    Employee.is_active.is_(True), *([Employee.org_unit_id == unit.id] if unit else []))).all()
                opened = len(training.open_obligations(ids, course, due_on=today + timedelta(days=days),
                                                       note="Demo", today=today))
            made += opened
    db.session.flush()
    return made
