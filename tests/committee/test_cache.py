"""The committee's cached figures: a repeat is served without recomputing, and every change of what the
figures read is seen on the next request (the cache is keyed on the competence generation)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.catalog.models import Course, CourseVersion
from lms.competence import queries as competence_queries
from lms.competence import services as competence_services
from lms.competence.models import CompetenceArea
from lms.db import count_queries, utcnow
from lms.learning import summaries
from lms.training.models import AssignmentRule
from tests.committee.test_dashboard import _page, _table
from tests.competence.factories import complete
from tests.learning.factories import create_course


def _generation() -> int | None:
    return db.session.scalar(competence_queries.generation())


def test_a_repeat_is_served_from_the_cache(plain_city, app, client, login_as):
    login_as("committee")
    first = _page(client)
    with count_queries(app) as statements:
        again = _page(client)
    assert again == first
    # the session's account and the generation; no figure is read again
    assert len(statements) <= 3, statements


def test_a_completion_is_seen_on_the_next_request(plain_city, client, login_as):
    login_as("committee")
    assert _table(_page(client)[1], "abschluss")["Kämmerei (Y)"] == ["10", "0", "0 %"]
    basis = db.session.scalar(select(CourseVersion).join(Course, Course.current_version_id == CourseVersion.id)
                              .where(Course.slug == "basis"))
    for person in plain_city["staff"]["Y"]:
        complete(person, basis, completed_at=utcnow() - timedelta(hours=1))
    summaries.sync([p.id for p in plain_city["staff"]["Y"]])
    db.session.commit()
    assert _table(_page(client)[1], "abschluss")["Kämmerei (Y)"] == ["10", "10", "100 %"]


def _rename_unit(city):
    city["units"]["Y"].name = "Stadtkasse"
    return "Stadtkasse (Y)"


def _retitle_course(_city):
    version = db.session.scalar(select(CourseVersion).join(Course, Course.current_version_id == CourseVersion.id)
                                .where(Course.slug == "basis"))
    version.title = "KI-Grundwissen"
    return "KI-Grundwissen"


def _rename_area(_city):
    area = db.session.get(CompetenceArea, "grundlagen")
    area.name_de = "Grundwissen KI"
    return "Grundwissen KI"


def _raise_the_target(_city):
    target = db.session.scalar(competence_queries.active_targets())
    competence_services.end_target(target, by=None)
    competence_services.create_target("grundlagen", 3, org_unit_id=None, position_pattern=None, note="", by=None)
    summaries.sync_all()
    return None


@pytest.mark.parametrize("change", [_rename_unit, _retitle_course, _rename_area, _raise_the_target])
def test_every_change_the_figures_read_is_seen(plain_city, client, login_as, change):
    login_as("committee")
    before = _page(client)[1]
    generation = _generation()
    expected = change(plain_city)
    db.session.commit()
    assert _generation() != generation
    after = _page(client)[1]
    assert after != before
    if expected is not None:
        assert expected in after and expected not in before


def test_ending_the_basics_rule_changes_the_default_course(plain_city, client, login_as):
    create_course("datenschutz", title="Datenschutz kompakt", awards={"recht": 1})
    db.session.commit()
    login_as("committee")
    assert "Kurs „KI-Grundlagen“" in _page(client)[1]
    db.session.scalar(select(AssignmentRule)).ended_at = utcnow()
    db.session.commit()
    # without a rule for everyone the default course is the first by title
    assert "Kurs „Datenschutz kompakt“" in _page(client)[1]


def test_a_rolled_back_change_keeps_the_generation(plain_city):
    generation = _generation()
    plain_city["units"]["Y"].name = "Stadtkasse"
    db.session.flush()
    assert _generation() != generation  # in the same transaction as the change
    db.session.rollback()
    assert _generation() == generation


def test_the_pdf_is_served_again_until_something_changes(plain_city, app, client, login_as):
    login_as("committee")
    first = client.get("/ausschuss/bericht.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    with count_queries(app) as statements:
        again = client.get("/ausschuss/bericht.pdf")
    assert again.data == first.data and len(statements) <= 3, statements
    plain_city["units"]["Y"].name = "Stadtkasse"
    db.session.commit()
    assert client.get("/ausschuss/bericht.pdf").data != first.data
