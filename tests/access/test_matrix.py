"""Every route × every role gets the expected status; every endpoint has a row."""

from __future__ import annotations

import importlib
import pkgutil
from types import SimpleNamespace

import pytest

import tests.access as access_pkg
from tests.access.matrix import ROLES, Route


def _all_routes() -> list[Route]:
    rows: list[Route] = []
    for info in pkgutil.iter_modules(access_pkg.__path__):
        if info.name == "matrix" or info.name.startswith("test_"):
            continue
        rows.extend(importlib.import_module(f"tests.access.{info.name}").ROUTES)
    return rows


ROUTES = _all_routes()


def test_every_endpoint_has_a_row(app):
    covered = {(r.endpoint, r.method) for r in ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes without a row in tests/access/: " + ", ".join(missing)


@pytest.fixture
def ctx(app, make_user, make_employee, make_unit):
    unit = make_unit()
    return SimpleNamespace(unit=unit, employee=make_employee(unit), user=make_user("author"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.endpoint} {r.url if isinstance(r.url, str) else ''}")
def test_access(route: Route, role: str, app, client, ctx, login_as):
    if role != "anonymous":
        login_as(role)
    if route.setup:
        route.setup(ctx, app)
    path = route.path(ctx)
    response = client.open(path, method=route.method, data=route.data)
    response.close()
    if role in route.allowed or (role == "anonymous" and route.public):
        assert response.status_code in route.ok, (role, path, response.status_code)
    elif role == "anonymous":
        assert response.status_code == 302 and "/anmelden" in response.headers["Location"], (
            path, response.status_code)
    else:
        assert response.status_code in route.denied, (role, path, response.status_code)
