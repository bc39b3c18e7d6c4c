"""The demo city "Musterstadt": units, staff and one account per role. Add and flush; never commit.

Everything is fictitious and deterministic (a seeded random generator): the same database content on
every machine, so screenshots and manuals can refer to it. The data goes through the same import
services as real HR files, and the accounts through ``lms.auth.services``.
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
from lms.org import services as org_services
from lms.org.models import Employee, OrgUnit

DOMAIN = "musterstadt.example"
#: one password for every demo account, shown by ``lms demo load`` and in the README. Being published,
#: the password policy refuses it for any account; the loader sets it past the policy on purpose.
PASSWORD = DEMO_PASSWORD
SEED = 20261125
EMPLOYEES = 60
ACTOR = "demo"

#: (code, name, parent code): the administration's tree, three levels
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
)
OFFICES = tuple(code for code, _name, parent in UNITS if parent not in (None, "OB"))

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
    """60 fictitious employees: the account holders first, the rest drawn from the name lists.

    Columns: personnel_no, last_name, first_name, email, org_unit, position, hired_on, left_on.
    Two former employees (leaving date in the past) show the inactive filter.
    """
    rng = random.Random(seed)
    people = [a.person for a in ACCOUNTS if a.person is not None]
    taken = {(first, last) for first, last, _unit in people}
    while len(people) < EMPLOYEES:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in taken:
            continue
        taken.add((first, last))
        people.append((first, last, rng.choice(OFFICES)))
    rows = []
    for i, (first, last, unit) in enumerate(people):
        hired = date(1990, 1, 1) + timedelta(days=rng.randrange(0, 35 * 365))
        left = ""
        if i in (len(people) - 1, len(people) - 2):  # two who have left
            left = (date(2025, 6, 30) if i % 2 else date(2026, 3, 31)).isoformat()
            hired = min(hired, date(2024, 1, 1))
        position = "Amtsleitung" if i == 0 and unit == "11" else rng.choice(POSITIONS)
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
    assignments = assign_mandatory(date.today())  # noqa: DTZ011 - due dates are local calendar days
    assignments += assign_by_hand(date.today())  # noqa: DTZ011
    return DemoSummary(units=len(UNITS), employees=len(rows), accounts=ACCOUNTS, assignments=assignments)


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
