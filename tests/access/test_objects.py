"""Object-level access: every object type that belongs to someone, for every role.

The route × role matrix (test_matrix.py) checks who may use a route at all. Here: given the route, may
this account see or change *that* object? An attempt, a certificate, the "Meine Daten" export, a
staged master-data import and the staff list (the employee pages) each belong to one person or one
scope; for every role, someone else's is a 404 (its existence is not disclosed) or absent from the
page, and the owner's own works (so the 404 is not a blanket refusal).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.db import utcnow
from lms.learning import services
from lms.learning.models import Attempt, AttemptItem, Completion
from lms.org import services as org_services
from lms.org.models import Employee
from tests.conftest import PASSWORD
from tests.learning.factories import answers, create_course, load_attempt
from tests.org.test_views import STAFF, UNITS, token_of, upload

ROLES = ("employee", "coordinator", "hr", "committee", "author", "admin", "personalrat")


def give(user, cv, *, submitted: bool = False, certificate: bool = False) -> dict:
    """An attempt of ``user`` (open or graded) and optionally a completion with a certificate."""
    attempt = services.start_attempt(user.id, cv)
    db.session.commit()
    out = {"attempt": attempt.id}
    if submitted:
        loaded = load_attempt(attempt.id)
        services.submit(loaded, {int(k[5:]): [int(v) for v in vs] for k, vs in answers(loaded).items()})
    if certificate:
        now = utcnow()
        completion = Completion(user_id=user.id, course_id=cv.course_id, course_version_id=cv.id,
                                completed_at=now, valid_until=now + timedelta(days=365), awards={},
                                certificate_code=services.new_certificate_code(),
                                **dict(zip(("holder_name", "holder_short"), services.holder_names(user),
                                           strict=True)))
        db.session.add(completion)
        out["code"] = completion.certificate_code
    db.session.commit()
    return out


def attempt_requests(attempt_id: int, form: dict) -> list[tuple[str, str, dict]]:
    base = f"/schulungen/versuch/{attempt_id}"
    return [("GET", base, {}), ("POST", f"{base}/speichern", form), ("POST", f"{base}/abgeben", form),
            ("GET", f"{base}/ergebnis", {})]


def state(attempt_id: int) -> tuple:
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    responses = db.session.scalars(select(AttemptItem.response).where(AttemptItem.attempt_id == attempt_id)
                                   .order_by(AttemptItem.position)).all()
    db.session.commit()
    return attempt.submitted_at, attempt.score, tuple(map(repr, responses))


@pytest.mark.parametrize("owner_role", ["employee", "same"])
@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_attempts_are_404_and_unchanged(role, owner_role, client, login_as, make_user):
    owner = make_user(role if owner_role == "same" else owner_role)
    cv = create_course(questions=4, per_attempt=4, attempts_per_day=5)
    open_attempt = give(owner, cv)["attempt"]
    graded = give(owner, create_course(questions=4, per_attempt=4), submitted=True)["attempt"]
    before = {a: state(a) for a in (open_attempt, graded)}
    form = answers(load_attempt(open_attempt), wrong=[1, 2])
    login_as(role)
    for attempt_id in (open_attempt, graded):
        for method, path, data in attempt_requests(attempt_id, form):
            response = client.open(path, method=method, data=data)
            assert response.status_code == 404, (role, method, path, response.status_code)
    assert {a: state(a) for a in (open_attempt, graded)} == before


@pytest.mark.parametrize("role", ROLES)
def test_own_attempts_work_for_every_role(role, client, login_as):
    user = login_as(role)
    cv = create_course(questions=4, per_attempt=4)
    attempt_id = give(user, cv)["attempt"]
    form = answers(load_attempt(attempt_id))
    assert client.get(f"/schulungen/versuch/{attempt_id}").status_code == 200
    assert client.post(f"/schulungen/versuch/{attempt_id}/speichern", data=form).status_code == 302
    assert client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data=form).status_code == 303
    assert client.get(f"/schulungen/versuch/{attempt_id}/ergebnis").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_certificate_is_404_own_is_the_pdf(role, client, login_as, make_user):
    owner = make_user("employee")
    others = give(owner, create_course(), certificate=True)["code"]
    viewer = login_as(role)
    own = give(viewer, create_course(), certificate=True)["code"]
    for code in (others, others.lower(), others + "A"):
        assert client.get(f"/zertifikate/{code}.pdf").status_code == 404, (role, code)
    if role in ("employee", "admin"):  # rendering a PDF takes a second; the others are alike
        response = client.get(f"/zertifikate/{own}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_the_public_verification_shows_no_more_than_initials(client, make_user):
    owner = make_user("employee")
    code = give(owner, create_course(), submitted=True, certificate=True)["code"]
    page = client.get(f"/pruefen/{code}").get_data(as_text=True)
    employee = owner.employee
    assert f"{employee.first_name[0]}. {employee.last_name}" in page
    for hidden in (owner.email, employee.first_name, employee.personnel_no, employee.org_unit.name):
        assert hidden not in page, hidden


@pytest.mark.parametrize("role", ROLES)
def test_the_data_export_holds_only_the_requesters_data(role, client, login_as, make_user):
    other = make_user("employee")
    other_cv = create_course(title="Kurs der anderen Person")
    other_objects = give(other, other_cv, submitted=True, certificate=True)
    viewer = login_as(role)
    own_objects = give(viewer, create_course(title="Eigener Kurs"), certificate=True)
    for path in ("/meine-daten.json", "/meine-daten"):
        body = client.get(path).get_data(as_text=True)
        assert viewer.email in body
        for foreign in (other.email, other.employee.last_name, other_objects["code"], "Kurs der anderen Person"):
            assert foreign not in body, (role, path, foreign)
    data = json.loads(client.get("/meine-daten.json").get_data(as_text=True))
    assert [c["certificate_code"] for c in data["completions"]] == [own_objects["code"]]
    assert len(data["attempts"]) == 1


@pytest.mark.parametrize("role", ROLES)
def test_the_staff_list_shows_only_the_roles_scope(role, client, login_as, make_unit, make_employee):
    inside_unit, outside_unit = make_unit(), make_unit()
    inside = make_employee(inside_unit, last_name="Innenbereich")
    outside = make_employee(outside_unit, last_name="Aussenbereich")
    login_as(role, **({"units": [inside_unit]} if role == "coordinator" else {}))
    expected = {"employee": 403, "committee": 403, "author": 403, "personalrat": 403}.get(role, 200)
    pages = [client.get(f"/organisation/beschaeftigte{query}")
             for query in ("", f"?q={outside.last_name}", f"?q={outside.personnel_no}",
                           f"?q={outside_unit.code}", "?inaktive=1")]
    assert {p.status_code for p in pages} == {expected}, role
    if expected == 403:
        return
    text = " ".join(p.get_data(as_text=True) for p in pages)  # rows read "Last, First"
    assert f"{inside.last_name}, {inside.first_name}" in text
    assert (f"{outside.last_name}, {outside.first_name}" in text) is (role in ("hr", "admin")), role


@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_staged_import_cannot_be_confirmed(role, client, auth, make_user, login_as):
    assert org_services.import_units(UNITS.encode()).ok
    db.session.commit()
    uploader = make_user("hr")
    assert auth.login(uploader.email, PASSWORD).status_code == 302
    token = token_of(upload(client, STAFF.encode()))
    auth.logout()
    login_as(role)
    response = client.post("/organisation/import/bestaetigen", data={"token": token})
    assert response.status_code == (404 if role in ("hr", "admin") else 403), role
    imported = select(Employee.id).where(Employee.email.in_(["max@stadt.example", "erika@stadt.example"]))
    assert db.session.scalars(imported).all() == []
