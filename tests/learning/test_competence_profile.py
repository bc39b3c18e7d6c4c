""""Mein Kompetenzprofil": the chart and its table from the learner's valid completions only."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from lms import db
from lms.competence.models import CompetenceArea, CompetenceLevel
from lms.competence.profile import CompletionFacts
from lms.db import utcnow
from lms.learning import rules, services
from lms.learning.models import Completion

LEVELS = ((1, "kennen", "Kennen", "Know"), (2, "anwenden", "Anwenden", "Apply"),
          (3, "bewerten", "Bewerten", "Assess"), (4, "gestalten", "Gestalten", "Shape"))


def framework() -> None:
    for position, (key, de, en) in enumerate((("grundlagen", "Grundlagen", "Basics"),
                                              ("recht", "Recht und Regulierung", "Law"),
                                              ("ethik", "Ethik", "Ethics")), 1):
        area = db.session.get(CompetenceArea, key) or CompetenceArea(key=key)
        area.position, area.name_de, area.name_en = position, de, en
        db.session.add(area)
    for level, key, de, en in LEVELS:
        db.session.add(CompetenceLevel(level=level, key=key, name_de=de, name_en=en))
    db.session.commit()


def complete(user, cv, *, days_valid: int = 300, days_ago: int = 10) -> None:
    now = utcnow()
    db.session.add(Completion(user_id=user.id, course_id=cv.course_id, course_version_id=cv.id,
                              completed_at=now - timedelta(days=days_ago),
                              valid_until=now + timedelta(days=days_valid), awards=dict(cv.awards),
                              certificate_code=services.new_certificate_code(), holder_name="Test"))
    db.session.commit()


def rows(html: str) -> dict[str, list[str]]:
    """The table's rows by area: [level, courses, valid until]."""
    table = html[html.index("<table"):html.index("</table>")]
    out = {}
    for row in re.findall(r"<tr class=\"kern-table__row\">(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        out[cells[0]] = cells[1:]
    return out


def test_levels_from_valid_completions_only(app, client, login_as, make_course):
    user = login_as()
    framework()
    complete(user, make_course(title="Basis", awards={"grundlagen": 2, "recht": 1}))
    complete(user, make_course(title="Recht kompakt", awards={"recht": 3}), days_valid=-1)  # expired
    old = make_course(title="Ethik", awards={"ethik": 4})
    complete(user, old)
    make_course(course=old.course, version="2.0.0", title="Ethik neu", awards={"ethik": 4})  # renewal due

    response = client.get("/kompetenzprofil")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    table = rows(html)
    assert table["Grundlagen"][:2] == ["2 Anwenden", "Basis"]
    assert table["Recht und Regulierung"][:2] == ["1 Kennen", "Basis"]
    assert table["Ethik"] == ["nicht erreicht", "–", "–", "–"]
    assert "Sie haben in 1 von 3 Bereichen mindestens „Anwenden“ erreicht und in 2 Bereichen eine Stufe." in html
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="kompetenzprofil-title kompetenzprofil-desc"' in svg
    assert "2 Anwenden" in svg and "1 Kennen" in svg


def test_english_names_and_an_empty_profile(app, client, login_as):
    login_as()
    framework()
    html = client.get("/kompetenzprofil", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert rows(html)["Law"] == ["not reached", "–", "–", "–"]
    assert "You have not reached a level in any of the 3 areas yet" in html


def test_only_ones_own_completions_count(app, client, login_as, make_user, make_course):
    login_as()
    framework()
    complete(make_user("employee"), make_course(title="Basis", awards={"grundlagen": 3}))
    assert rows(client.get("/kompetenzprofil").get_data(as_text=True))["Grundlagen"][0] == "nicht erreicht"


def test_linked_from_my_courses_and_in_the_navigation(app, client, login_as):
    login_as("committee")
    html = client.get("/schulungen").get_data(as_text=True)
    assert html.count('href="/kompetenzprofil"') == 2
    page = client.get("/kompetenzprofil").get_data(as_text=True)
    assert '<a class="site-nav__link" href="/kompetenzprofil" aria-current="page">' in page
    assert page.count('aria-current="page"') == 1


def test_queries_do_not_grow_with_completions(app, client, login_as, make_course):
    user = login_as()
    framework()

    def queries() -> int:
        with db.count_queries(app) as statements:
            assert client.get("/kompetenzprofil").status_code == 200
        return len(statements)

    complete(user, make_course(awards={"recht": 1}))
    few = queries()
    for n in range(8):
        complete(user, make_course(awards={"ethik": n % 4 + 1, "grundlagen": 2}), days_ago=n)
    assert queries() == few <= 8


@given(valid_days=st.integers(-3, 3), major=st.integers(1, 4), renewal=st.one_of(st.none(), st.integers(1, 4)))
def test_the_profile_counts_exactly_what_completion_status_calls_valid(valid_days, major, renewal):
    """``competence`` restates the rule (it may not import ``learning``): both must agree."""
    now = utcnow()
    facts = CompletionFacts("k", "K", {}, now - timedelta(days=5), now + timedelta(days=valid_days), major, renewal)
    assert facts.is_valid(now) == (rules.completion_status(facts.valid_until, major, renewal, now) == "valid")


def test_targets_and_the_gap_per_area(app, client, login_as, make_course, make_unit):
    """The highest active target reaching the person (everyone, their unit subtree, their position)."""
    from lms.competence import services as competence_services
    from lms.org.models import Employee

    user = login_as()
    framework()
    employee = db.session.get(Employee, user.employee_id)
    parent = make_unit("P", "Dezernat")
    employee.org_unit.parent, employee.org_unit.path = parent, f"{parent.path}{employee.org_unit.id}/"
    employee.position = "Sachbearbeiterin Bürgerbüro"
    complete(user, make_course(title="Basis", awards={"grundlagen": 1, "recht": 3}))
    for area, level, unit, pattern in (("grundlagen", 2, None, None), ("grundlagen", 3, parent, None),
                                       ("recht", 2, None, "sachbearbeiter*"), ("ethik", 4, None, "Amtsleitung")):
        competence_services.create_target(area, level, org_unit_id=unit.id if unit else None,
                                          position_pattern=pattern, note="", by=None)
    ended = competence_services.create_target("ethik", 1, org_unit_id=None, position_pattern=None, note="", by=None)
    competence_services.end_target(ended, by=None)
    db.session.commit()
    html = client.get("/kompetenzprofil").get_data(as_text=True)
    table = rows(html)
    assert table["Grundlagen"][3] == "Bewerten (3) – noch 2 Stufen"
    assert table["Recht und Regulierung"][3] == "Anwenden (2) – erreicht"
    assert table["Ethik"][3] == "–"
    assert "Für Sie gelten in 2 Bereichen Ziele; in 1 Bereich fehlt noch mindestens eine Stufe" in html
