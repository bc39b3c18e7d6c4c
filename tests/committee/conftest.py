"""A city for the committee's figures: three departments, one of 12 with a sub-unit of 3."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from lms import db
from lms.competence import services as competence_services
from lms.db import utcnow
from lms.learning import summaries
from lms.training import services as training
from tests.competence.factories import complete, framework
from tests.learning.factories import create_course

_names = itertools.count(1)

#: every name and personnel number the city has: none of them may appear on a committee page
FIRST = "Xaverius"
LAST = "Quendelbach"


@pytest.fixture
def committee_city(app, make_unit, make_employee):
    """D "Dezernat Bürgerdienste" (12: S1 "Standesamt" 3, S2 "Bürgerbüro" 9), E "Amt für Umwelt" (8),
    F "Feuerwehr" (20). Course "basis" (grundlagen 2) is the rule for everyone; "recht-kompakt" (recht 1).
    Completed basis 40 days ago: 2 in S1, 6 in S2, 5 in E, 15 in F; one in F expired 5 days ago.
    Target: grundlagen 2 for everyone."""
    framework()
    d = make_unit("D", "Dezernat Bürgerdienste")
    s1 = make_unit("S1", "Standesamt", parent=d)
    s2 = make_unit("S2", "Bürgerbüro", parent=d)
    e = make_unit("E", "Amt für Umwelt")
    f = make_unit("F", "Feuerwehr")
    people = {}
    for unit, n in ((s1, 3), (s2, 9), (e, 8), (f, 20)):
        people[unit.code] = []
        for _i in range(n):
            i = next(_names)
            people[unit.code].append(make_employee(unit, first_name=f"{FIRST}{i}", last_name=f"{LAST}{i}",
                                                   personnel_no=f"PNR-{i:05d}", position="Sachbearbeitung"))
    basis = create_course("basis", title="KI-Grundlagen", awards={"grundlagen": 2})
    create_course("recht-kompakt", title="Recht kompakt", awards={"recht": 1})
    training.create_rule(basis.course, org_unit_id=None, position_pattern=None, due_days=90, due_on=None,
                         note="", by=None)
    done = utcnow() - timedelta(days=40)
    for code, n in (("S1", 2), ("S2", 6), ("E", 5), ("F", 15)):
        for person in people[code][:n]:
            complete(person, basis, completed_at=done, days_valid=400)
    complete(people["F"][15], basis, completed_at=done, days_valid=35)  # expired 5 days ago
    competence_services.create_target("grundlagen", 2, org_unit_id=None, position_pattern=None, note="", by=None)
    summaries.rebuild()
    db.session.commit()
    return {"units": {"D": d, "S1": s1, "S2": s2, "E": e, "F": f}, "people": people, "first_day": done}


@pytest.fixture
def plain_city(app, make_unit, make_employee):
    """No small group: X "Ordnungsamt" (21: 15 hold "basis", one more expired 5 days ago), Y "Kämmerei" (10,
    none). Target grundlagen 2 for everyone."""
    framework()
    x = make_unit("X", "Ordnungsamt")
    y = make_unit("Y", "Kämmerei")
    staff = {"X": [make_employee(x, first_name=FIRST, last_name=LAST) for _i in range(21)],
             "Y": [make_employee(y, first_name=FIRST, last_name=LAST) for _i in range(10)]}
    basis = create_course("basis", title="KI-Grundlagen", awards={"grundlagen": 2})
    training.create_rule(basis.course, org_unit_id=None, position_pattern=None, due_days=90, due_on=None,
                         note="", by=None)
    done = utcnow() - timedelta(days=40)
    for person in staff["X"][:15]:
        complete(person, basis, completed_at=done, days_valid=400)
    complete(staff["X"][15], basis, completed_at=done, days_valid=35)
    competence_services.create_target("grundlagen", 2, org_unit_id=None, position_pattern=None, note="", by=None)
    summaries.rebuild()
    db.session.commit()
    return {"units": {"X": x, "Y": y}, "staff": staff}
