"""Finding 5 (low): numbers beyond 64 bits (on PostgreSQL: 32) and CR/LF in ``next`` gave 500.

IDs in paths beyond the database's integers raised ``OverflowError`` (SQLite, beyond 64 bits) or a
``DataError`` (PostgreSQL, beyond 32 bits); so did ``?page=`` with a huge number; a CR/LF in ``next`` made the redirect after a successful login fail. Now: 404 for such
IDs and for pages beyond the last, and ``next`` with control characters is ignored.
"""

from __future__ import annotations

import pytest

from lms.auth.urls import safe_next
from tests.conftest import PASSWORD

HUGE = (2**31, 2**32, 2**63, 2**64, 2**70, 10**30)


def int_rules(app):
    """Every rule with an integer argument, with a value for its other arguments."""
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__.endswith("IntegerConverter")
                or getattr(conv, "num_convert", None) is int]
        if ints:
            yield rule, ints


def test_there_are_integer_routes(app):
    assert len(list(int_rules(app))) >= 5


@pytest.mark.parametrize("role", ["admin", "employee"])
def test_ids_beyond_the_schemas_integers_are_404_on_every_integer_route(role, app, client, login_as):
    login_as(role)
    tried = 0
    for rule, ints in int_rules(app):
        for value in HUGE:
            args = {name: (value if name in ints else "x") for name in rule.arguments}
            path = rule.rule
            for name, arg in args.items():
                path = path.replace(f"<int:{name}>", str(arg)).replace(f"<{name}>", str(arg)) \
                    .replace(f"<path:{name}>", str(arg))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method)
                response.close()
                tried += 1
                assert response.status_code in (403, 404), (method, path, response.status_code)
    assert tried >= 20


def test_largest_id_is_an_ordinary_404(login_as, client):
    """The schema's ids are 32-bit integers on PostgreSQL: the largest still reaches the view."""
    login_as("admin")
    assert client.get(f"/admin/konten/{2**31 - 1}").status_code == 404


@pytest.mark.parametrize("path", ["/admin/konten", "/admin/protokoll", "/organisation/beschaeftigte"])
@pytest.mark.parametrize("number", [str(2**63), str(2**70), "9" * 40, "1000000"])
def test_pages_beyond_the_last_are_404(path, number, login_as, client):
    login_as("admin")
    response = client.get(f"{path}?page={number}")
    assert response.status_code == 404


@pytest.mark.parametrize("number", ["0", "-3", "abc", "", "1.5"])
def test_odd_page_numbers_show_the_first_page(number, login_as, client):
    login_as("admin")
    assert client.get(f"/admin/konten?page={number}").status_code == 200


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/admin\nX: y", "/a\rb", "/a\x00b", "/a\tb", "/a\x7fb"])
def test_next_with_control_characters_is_ignored(target, make_user, client):
    assert safe_next(target) is None
    user = make_user("hr")
    response = client.post("/anmelden", data={"email": user.email, "password": PASSWORD, "next": target})
    if "\x00" in target:  # a NUL anywhere in a request is refused before any view runs
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_with_crlf_next(client):
    response = client.post("/sprache", data={"lang": "en", "next": "/\r\nX-Injected: 1"})
    assert response.status_code == 302 and "X-Injected" not in response.headers
