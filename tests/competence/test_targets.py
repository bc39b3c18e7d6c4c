"""Competence targets: what a target changes before it is saved, saving, ending, and the admin page."""

from __future__ import annotations

import re

import pytest

from lms import db
from lms.audit.models import AuditEvent
from lms.competence import services
from lms.competence.models import CompetenceTarget
from lms.competence.summaries import TARGET
from lms.learning import summaries
from tests.competence.factories import complete, framework
from tests.learning.factories import create_course


@pytest.fixture
def org(app, make_unit, make_employee):
    """R > A (3 clerks, 1 head), R > B (2 clerks); the basics course (grundlagen 2) done by 2 in A, 1 in B;
    a short course (grundlagen 1) by 1 in B."""
    framework()
    root = make_unit("R", "Rathaus")
    a = make_unit("A", "Amt A", parent=root)
    b = make_unit("B", "Amt B", parent=root)
    people = [make_employee(a, position="Sachbearbeiterin") for _ in range(3)]
    people.append(make_employee(a, position="Amtsleitung"))
    people += [make_employee(b, position="Sachbearbeiter Bürgerbüro") for _ in range(2)]
    basics = create_course("basis", awards={"grundlagen": 2})
    short = create_course("kurz", awards={"grundlagen": 1})
    complete(people[0], basics)
    complete(people[3], basics)
    complete(people[4], basics)
    complete(people[5], short)
    summaries.rebuild()
    db.session.commit()
    return {"root": root, "a": a, "b": b, "people": people}


def reach(area="grundlagen", level=2, unit=None, pattern=None):
    return services.target_reach(area, level, unit_path=unit.path if unit else None, position_pattern=pattern,
                                 today=summaries.today())


def test_reach_counts_covered_and_meeting(org):
    assert reach() == services.TargetReach(covered=6, meeting=3, unchanged=0)
    assert reach(level=1) == services.TargetReach(covered=6, meeting=4, unchanged=0)
    assert reach(unit=org["a"]) == services.TargetReach(covered=4, meeting=2, unchanged=0)
    # the pattern is case-insensitive with * as a wildcard
    assert reach(pattern="sachbearbeiter*") == services.TargetReach(covered=5, meeting=2, unchanged=0)
    assert reach(unit=org["b"], pattern="*bürgerbüro") == services.TargetReach(covered=2, meeting=1, unchanged=0)
    assert reach(area="recht") == services.TargetReach(covered=6, meeting=0, unchanged=0)


def test_reach_counts_who_already_has_a_target_as_high(org):
    services.create_target("grundlagen", 3, org_unit_id=org["a"].id, position_pattern=None, note="", by=None)
    assert reach(level=2) == services.TargetReach(covered=6, meeting=3, unchanged=4)
    assert reach(level=4).unchanged == 0
    assert reach(area="recht").unchanged == 0


def test_an_expired_completion_does_not_meet_a_target(app, make_unit, make_employee):
    framework()
    unit = make_unit()
    person = make_employee(unit)
    complete(person, create_course(awards={"grundlagen": 3}), days_valid=5)  # done 10 days ago, valid 5
    summaries.rebuild()
    assert reach(level=1) == services.TargetReach(covered=1, meeting=0, unchanged=0)


def test_create_and_end_target_are_audited_and_summaries_follow(org):
    target = services.create_target("grundlagen", 2, org_unit_id=org["a"].id, position_pattern="  ", note=" x ",
                                    by=None)
    summaries.sync_all()
    db.session.commit()
    assert (target.position_pattern, target.note) == (None, "x")
    assert _target_counts() == {0: 4, 1: 2}
    services.end_target(target, by=None)
    summaries.sync_all()
    db.session.commit()
    assert target.ended_at is not None and db.session.get(CompetenceTarget, target.id) is not None
    assert _target_counts() == {}
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == ["competence.target_created", "competence.target_ended"]
    with pytest.raises(services.TargetError):
        services.end_target(target, by=None)


def test_create_target_refuses_unknown_area_level_unit(org):
    for args in (("nope", 2, None), ("grundlagen", 7, None), ("grundlagen", 2, 999999)):
        with pytest.raises(services.TargetError):
            services.create_target(args[0], args[1], org_unit_id=args[2], position_pattern=None, note="", by=None)


def _target_counts() -> dict[int, int]:
    """The organisation's target counts in 'grundlagen' today (level 0: with a target, 1: meeting it)."""
    from lms.competence import queries

    day = summaries.today()
    checkpoint = db.session.scalar(queries.last_checkpoint(day))
    totals: dict[int, int] = {}
    for _unit, _measure, key, level, count in db.session.execute(queries.unit_counts(day, checkpoint, [TARGET])):
        if key == "grundlagen":
            totals[level] = totals.get(level, 0) + count
    return totals


# --- the admin page ----------------------------------------------------------------------------------


def _form(**values):
    data = {"area": "grundlagen", "level": "2", "scope": "all", "unit": "", "position": "", "note": "",
            "action": "preview"}
    data.update(values)
    return data


def test_preview_then_save_only_what_was_previewed(org, client, login_as):
    login_as("admin")
    page = client.post("/admin/kompetenzziele/neu", data=_form(scope="unit", unit="A"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Das Ziel betrifft 4 Beschäftigte." in html and "2 Personen erreichen das Ziel schon." in html
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', html).group(1)
    # changed since the preview: nothing saved, a new preview
    changed = client.post("/admin/kompetenzziele/neu", data=_form(scope="unit", unit="B", digest=digest,
                                                                  action="save"))
    assert changed.status_code == 200 and "seit der Vorschau geändert" in changed.get_data(as_text=True)
    assert db.session.query(CompetenceTarget).count() == 0
    db.session.commit()  # ends the test's read transaction: the SQLite write lock is free for the request
    saved = client.post("/admin/kompetenzziele/neu", data=_form(scope="unit", unit="A", digest=digest,
                                                                action="save"))
    assert saved.status_code == 302
    target = db.session.query(CompetenceTarget).one()
    assert (target.area_key, target.level, target.org_unit_id) == ("grundlagen", 2, org["a"].id)
    assert _target_counts() == {0: 4, 1: 2}
    db.session.commit()
    listing = client.get("/admin/kompetenzziele").get_data(as_text=True)
    assert "Amt A" in listing and "Ziel beenden" in listing
    ended = client.post(f"/admin/kompetenzziele/{target.id}/beenden")
    assert ended.status_code == 302
    db.session.expire_all()
    assert db.session.get(CompetenceTarget, target.id).ended_at is not None
    assert _target_counts() == {}
    db.session.commit()
    assert client.get(f"/admin/kompetenzziele/{target.id}/beenden").status_code == 404


@pytest.mark.parametrize(("values", "message"), [
    ({"area": "nirgends"}, "Den Kompetenzbereich „nirgends“ gibt es nicht"),
    ({"level": "9"}, "Die Stufe „9“ gibt es nicht"),
    ({"level": "0"}, "Die Stufe „0“ gibt es nicht"),
    ({"scope": "unit", "unit": "XYZ"}, "Die Organisationseinheit „XYZ“ gibt es nicht"),
    ({"scope": "unit", "unit": ""}, "Bitte wählen Sie die Organisationseinheit."),
    ({"scope": "position", "position": "  "}, "Bitte geben Sie die Stelle an"),
    ({"scope": "position", "position": "**"}, "Bitte geben Sie die Stelle an"),
])
def test_bad_input_is_a_form_error(org, client, login_as, values, message):
    login_as("admin")
    response = client.post("/admin/kompetenzziele/neu", data=_form(**values, action="save"))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(CompetenceTarget).count() == 0


def test_position_scope_ignores_the_unit(org, client, login_as):
    login_as("admin")
    html = client.post("/admin/kompetenzziele/neu",
                       data=_form(scope="position", unit="A", position="Amtsleitung")).get_data(as_text=True)
    assert "Das Ziel betrifft 1 Beschäftigte/n." in html
