"""The permission catalogue (lms/main/permissions.py) agrees with the app, the matrix and the code.

The privacy notice derives "who sees what" and "what is logged" from the catalogue; these tests make
sure it cannot describe anything but what the code does.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from lms.main import permissions
from lms.retention import rules
from tests.access.test_matrix import ROUTES

LMS = Path(__file__).resolve().parents[2] / "lms"


def test_every_endpoint_is_in_the_catalogue_and_nothing_else(app):
    endpoints = set(app.view_functions)
    listed = [p.endpoint for p in permissions.CATALOGUE]
    assert len(listed) == len(set(listed)), "an endpoint is listed twice"
    assert not endpoints - set(listed), f"endpoints without an entry in lms/main/permissions.py: " \
                                        f"{sorted(endpoints - set(listed))}"
    assert not set(listed) - endpoints, f"entries for endpoints the app does not have: " \
                                        f"{sorted(set(listed) - endpoints)}"


def test_every_url_rule_is_described_by_the_catalogue(app):
    """Every URL the app answers (``app.url_map``), not only every view function: a route added to an
    existing endpoint is covered too, and annex 1 of the Dienstvereinbarung lists its address."""
    undescribed = sorted(f"{rule.rule} ({rule.endpoint})" for rule in app.url_map.iter_rules()
                         if rule.endpoint not in permissions.BY_ENDPOINT)
    assert not undescribed, f"routes the catalogue in lms/main/permissions.py does not describe: {undescribed}"


def test_matrix_rows_allow_exactly_the_catalogue_roles():
    """A row allows the catalogue's roles; a role the catalogue allows may be refused only with 404 (the
    row's object lies outside that role's scope, e.g. a coordinator's subtree)."""
    wrong = []
    for route in ROUTES:
        allowed = set(route.allowed) | ({permissions.ANONYMOUS} if route.public else set())
        roles = set(permissions.BY_ENDPOINT[route.endpoint].roles)
        if allowed - roles or (roles - allowed and 404 not in route.denied):
            wrong.append(f"{route.method} {route.endpoint}: matrix {sorted(allowed)}, catalogue {sorted(roles)}")
    assert not wrong, wrong


def test_role_decorators_name_the_catalogue_roles(app):
    for endpoint, view in app.view_functions.items():
        roles = getattr(view, "lms_roles", None)
        if roles is not None:  # roles_required: admin always passes
            assert set(roles) | {"admin"} == set(permissions.BY_ENDPOINT[endpoint].roles), endpoint


def test_data_kinds_are_known():
    for p in permissions.CATALOGUE:
        assert p.data is None or p.data in permissions.DATA, p
        assert set(p.roles) <= set(permissions.EVERYONE), p


def recorded_actions() -> set[str]:
    # the first argument: an action string, or a conditional choosing between two
    pattern = re.compile(r'\brecord\(\s*("[a-z_.]+"(?:\s+if\s+[^\n]*?\s+else\s+"[a-z_.]+")?)')
    found = set()
    for path in LMS.rglob("*.py"):
        for argument in pattern.findall(path.read_text(encoding="utf-8")):
            found |= set(re.findall(r'"([a-z_.]+)"', argument))
    return found


def test_every_audit_action_is_described():
    recorded = recorded_actions() | {rules.RETENTION_ACTION}
    assert "auth.login" in recorded and len(recorded) > 10  # the search finds the calls
    assert recorded == set(permissions.AUDIT_ACTIONS), (
        f"describe in lms/main/permissions.py AUDIT_ACTIONS: {sorted(recorded - set(permissions.AUDIT_ACTIONS))}; "
        f"no longer recorded: {sorted(set(permissions.AUDIT_ACTIONS) - recorded)}")
    assert set(permissions.AUDIT_ACTIONS.values()) <= set(permissions.AUDIT_KINDS)


def test_security_events_are_the_ones_retention_keeps_shorter():
    security = {a for a, kind in permissions.AUDIT_ACTIONS.items() if kind == "security"}
    assert security == rules.SECURITY_ACTIONS


def audit_problems(catalogue, app, client, ctx, login_as) -> list[str]:
    """Endpoints the catalogue calls audited whose GET (by an allowed role, as in the matrix) records
    no audit event besides the login's own."""
    from sqlalchemy import func, select

    from lms import db
    from lms.audit.models import AuditEvent

    def events() -> int:
        count = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action.not_in(rules.SECURITY_ACTIONS)))
        db.session.commit()
        return count

    problems = []
    for permission in catalogue:
        if not permission.audited:
            continue
        for route in (r for r in ROUTES if r.endpoint == permission.endpoint and r.method == "GET"):
            login_as(next(role for role in route.allowed if role != permissions.ANONYMOUS))
            if route.setup:
                route.setup(ctx, app)
            before = events()
            response = client.get(route.path(ctx))
            response.get_data()  # a streamed export records its event and ends its context when read
            response.close()
            if response.status_code in route.ok and events() == before:
                problems.append(f"{route.endpoint} {route.path(ctx)}: no audit event")
    return problems


@pytest.fixture
def ctx(app, make_user, make_employee, make_unit):
    """The objects the matrix rows refer to (as in test_matrix.py)."""
    unit = make_unit()
    return SimpleNamespace(unit=unit, employee=make_employee(unit), user=make_user("author"))


def test_audited_views_record_an_event(app, client, ctx, login_as):
    assert audit_problems(permissions.CATALOGUE, app, client, ctx, login_as) == []


def test_a_view_claimed_audited_that_is_not_is_found(app, client, ctx, login_as):
    claimed = [permissions.Permission("org.units", permissions.HR, "unit_counts", audited=True)]
    assert audit_problems(claimed, app, client, ctx, login_as) == [
        "org.units /organisation/einheiten: no audit event"]
