"""Hostile input, generated: every route × its method with hostile path values, query parameters, form
fields and uploaded files; every master-data import with hostile files. Never a 5xx, and a refused
request or import writes nothing (the row count of every table is unchanged).

The routes come from the app's URL map, the fields from its forms and from the ``request.form`` /
``request.args`` names in its source (tests/fuzz/strategies.py), the role each route is fuzzed as from
the access matrix (tests/access/): a new route is fuzzed without a change here. Deterministic
(``derandomize``); ``LMS_FUZZ_EXAMPLES`` changes the examples per route (default 150; 50 in the
PostgreSQL pass), ``LMS_FUZZ_IMPORT_EXAMPLES`` those per import kind (default 1,000; 300).
"""

from __future__ import annotations

import io
import os
import re
import urllib.parse
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, literal, select, union_all
from werkzeug.datastructures import MultiDict

from lms import create_app, db
from lms.db import Base, utcnow
from lms.learning import services as learning_services
from lms.learning.models import Completion
from lms.org import services as org_services
from tests.access.test_matrix import ROUTES as ACCESS_ROUTES
from tests.conftest import PG_URL, base_config
from tests.fuzz import strategies as hs
from tests.fuzz.conftest import count_examples
from tests.learning.factories import create_course

#: the SQLite pass carries the volume; the PostgreSQL pass (``TEST_DATABASE_URL``) repeats a third of it to
#: catch what only PostgreSQL refuses (NUL bytes, 32-bit ids, string lengths)
EXAMPLES = int(os.environ.get("LMS_FUZZ_EXAMPLES", "50" if PG_URL else "150"))
IMPORT_EXAMPLES = int(os.environ.get("LMS_FUZZ_IMPORT_EXAMPLES", "300" if PG_URL else "1000"))
#: tables a refused request may still write: the record of the refusal itself
REFUSAL_RECORDS = {"audit_events", "login_throttles", "staged_imports"}
#: routes whose work is heavy (they read and lint every course folder) and that read no input but the
#: CSRF token: a few examples suffice
FEW = {"catalog.run_import": 3, "catalog.status": 3}
PREFERENCE = ("admin", "hr", "coordinator", "author", "committee", "employee")

_app = create_app(base_config("sqlite://", Path("/nonexistent")))
RULES = sorted(((rule.rule, rule.endpoint, method, dict(rule._converters))  # noqa: SLF001
                for rule in _app.url_map.iter_rules() for method in sorted(rule.methods - {"HEAD", "OPTIONS"})),
               key=lambda r: (r[1], r[2], r[0]))
db.get_db(_app).dispose()
FIELDS = hs.form_fields()
PARAMS = hs.request_params()
ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def role_for(endpoint: str, method: str) -> str:
    """The role to fuzz a route as: anonymous for public routes, else the most privileged allowed."""
    rows = [r for r in ACCESS_ROUTES if r.endpoint == endpoint and r.method == method]
    if not rows:
        pytest.fail(f"{method} {endpoint} has no row in the access matrix (tests/access/)")
    if any(r.public for r in rows):
        return "anonymous"
    allowed = set().union(*(r.allowed for r in rows))
    return next(role for role in PREFERENCE if role in allowed)


def row_counts() -> dict[str, int]:
    """Rows per table (refusal records excepted), in one query, outside any write transaction."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in REFUSAL_RECORDS]
    query = union_all(*(select(literal(t.name), func.count()).select_from(t) for t in tables))
    with db.get_db().read_engine.connect() as conn:
        return dict(conn.execute(query).all())


def session_row_counts() -> dict[str, int]:
    """The same, as the current session sees it (its own flushed, uncommitted writes included)."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in REFUSAL_RECORDS]
    return dict(db.session.execute(union_all(*(select(literal(t.name), func.count()).select_from(t)
                                                for t in tables))).all())


@pytest.fixture
def world(app, login_as, make_user, make_unit, make_employee):
    """The acting user (logged in), another account, a unit tree, a course with module, attempts of both
    and a certificate of the other: the ids that a fuzzed path may hit."""

    def build(role: str) -> dict:
        unit = make_unit(code="F1")
        make_employee(unit, email="fuzz.employee@stadt.example")
        actor = login_as(role) if role != "anonymous" else None
        other = make_user("employee")
        version = create_course("fuzz-kurs", acknowledge=(2,), attempts_per_day=100000)
        db.session.commit()
        attempts = [learning_services.start_attempt(u.id, version) for u in ([actor] if actor else []) + [other]]
        now = utcnow()
        completion = Completion(user_id=other.id, course_id=version.course_id, course_version_id=version.id,
                                completed_at=now, valid_until=now + timedelta(days=365), awards={},
                                certificate_code=learning_services.new_certificate_code())
        db.session.add(completion)
        db.session.commit()
        items = [item for a in attempts for item in a.items]
        ids = sorted({other.id, unit.id, *(a.id for a in attempts), 1, 2, 3} - ({actor.id} if actor else set()))
        options = sorted({o for item in items for o in item.option_order})
        return {
            "actor": actor, "ids": ids, "slugs": ["fuzz-kurs", "ki-grundlagen"],
            "codes": [completion.certificate_code], "item_fields": [f"item-{item.id}" for item in items],
            "options": [str(o) for o in options],
        }

    return build


def path_value(converter, known: dict) -> st.SearchStrategy[str]:
    cache = known.setdefault("_strategies", {})
    key = ("path", type(converter).__name__)
    if key not in cache:
        cache[key] = _path_value(converter, known)
    return cache[key]


def _path_value(converter, known: dict) -> st.SearchStrategy[str]:
    kind = type(converter).__name__
    if kind == "IntegerConverter":
        return st.one_of(st.sampled_from(known["ids"]), st.integers(10**6, hs.MAX_ID), st.just(0)).map(str)
    return st.one_of(st.sampled_from(known["slugs"] + known["codes"] + ["bild.png", "../x"]), hs.path_segment())


def field_values(name: str, known: dict) -> st.SearchStrategy[str]:
    cache = known.setdefault("_strategies", {})
    if name not in cache:
        cache[name] = _field_values(name, known)
    return cache[name]


def _field_values(name: str, known: dict) -> st.SearchStrategy[str]:
    values = hs.hostile_text()
    choices = FIELDS.get(name) or []
    if name.startswith("item-"):
        values = st.one_of(st.sampled_from(known["options"]), values)
    elif choices:
        values = st.one_of(st.sampled_from(choices), values)
    return values


@st.composite
def request_for(draw: st.DrawFn, rule: str, method: str, converters: dict, known: dict):
    path = rule
    for name in ARG.findall(rule):
        value = draw(path_value(converters[name], known))
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + ">", urllib.parse.quote(value, safe=""), path, count=1)
    arg_names = sorted(PARAMS["args"])
    query = draw(st.lists(st.tuples(st.one_of(st.sampled_from(arg_names), st.text(max_size=8)),
                                    st.one_of(hs.hostile_text(60), st.integers(-5, 10**6).map(str))), max_size=4))
    data: list[tuple[str, object]] = []
    if method == "POST":
        names = sorted(FIELDS) + sorted(PARAMS["form"]) + known["item_fields"]
        for name in draw(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=10)), max_size=8)):
            if name.endswith(":file"):
                kind = draw(st.sampled_from(["staff", "units"]))
                content = draw(hs.import_file(kind))
                filename = draw(st.sampled_from(["staff.csv", "x.txt", "../../etc/passwd", "", "a\x00b.csv"]))
                data.append((name.removesuffix(":file"), (io.BytesIO(content), filename)))
            else:
                data.append((name, draw(field_values(name, known))))
    return path, query, data


ROUTE_IDS = [f"{method} {endpoint} {rule}" for rule, endpoint, method, _ in RULES]


@pytest.mark.parametrize(("rule", "endpoint", "method", "converters"), RULES, ids=ROUTE_IDS)
def test_route_survives_hostile_input(rule, endpoint, method, converters, app, client, auth, world):
    role = role_for(endpoint, method)
    known = world(role)
    actor = known["actor"]
    examples = FEW.get(endpoint, EXAMPLES)

    snapshot = [row_counts()]  # the row counts before the next request

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request=request_for(rule, method, converters, known))
    def fuzz(request):
        count_examples(1)
        path, query, data = request
        response = client.open(path, method=method, query_string=query, data=MultiDict(data) if data else None)
        status = response.status_code
        response.close()
        assert status < 500, (method, path, query, data, status)
        if method != "GET" or status >= 400:
            after = row_counts()
            if status >= 400 or (method == "POST" and status == 200):
                assert after == snapshot[0], ("refused, but something was written", method, path, data)
            snapshot[0] = after
        if actor is not None and status == 302 and "/anmelden" in response.headers.get("Location", ""):
            auth.login(actor.email)  # the fuzz logged itself out (POST /abmelden): carry on logged in

    fuzz()


@pytest.mark.parametrize("kind", ["units", "staff"])
def test_import_files_refused_write_nothing(kind, app, make_unit):
    """Hostile master-data files through the import service (the code path of the upload and the CLI):
    never an exception; a file with a problem leaves every table as it was, even before the rollback."""
    root = make_unit(code="U1", name="Stadt")
    make_unit(code="U2", name="Amt", parent=root)
    db.session.close()
    outcomes = {"refused": 0, "applied": 0}

    @settings(max_examples=IMPORT_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(content=hs.import_file(kind), full=st.booleans())
    def fuzz(content, full):
        count_examples(1)
        before = row_counts()
        result = org_services.import_file(kind, content, full=full and kind == "staff", filename="fuzz.csv",
                                          actor_label="fuzz")
        db.session.flush()
        if result.ok:
            outcomes["applied"] += 1
        else:
            outcomes["refused"] += 1
            assert session_row_counts() == before, result.problems[:3]
        db.session.rollback()

    fuzz()
    assert outcomes["refused"] > 0 and outcomes["applied"] > 0, outcomes  # both paths were exercised


# --------------------------------------------------------------------------------------------------
# finding 5 of the security issue (fixed): the fuzzing above now draws these inputs too

def test_ids_beyond_the_id_column_are_not_a_server_error(client, login_as):
    login_as("admin")
    for path in (f"/schulungen/versuch/{2**31}", f"/admin/konten/{2**40}", f"/schulungen/versuch/{2**64}",
                 f"/organisation/beschaeftigte?page={2**64}"):
        assert client.get(path).status_code < 500, path


def test_newline_in_next_is_not_a_server_error(client):
    assert client.post("/sprache", data={"lang": "en", "next": "/schulungen\r\nSet-Cookie: x=1"}).status_code < 500
