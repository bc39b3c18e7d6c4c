"""The route × role access matrix: one ``Route`` per endpoint and method.

Each domain keeps its rows in ``tests/access/<domain>.py`` as ``ROUTES = [...]``; the test in
``test_matrix.py`` checks every row for every role and fails when an endpoint of the app has no row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "employee", "coordinator", "hr", "committee", "author", "admin", "personalrat")
EVERYONE = ROLES
LOGGED_IN = ROLES[1:]

#: Something a URL can refer to, created once per test by the matrix fixture (see test_matrix.py):
#: ``ctx.user`` (another account), ``ctx.employee``, ``ctx.unit`` and whatever ``setup`` adds.
Ctx = Any


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    #: a path, or a function of the context returning one
    url: str | Callable[[Ctx], str]
    #: roles that may use it; the others get 403 (anonymous: a redirect to the login page)
    allowed: tuple[str, ...]
    #: status expected for allowed roles (GET: usually 200; POST with empty form: 200 or 302 or 400)
    ok: tuple[int, ...] = (200,)
    #: status for roles not allowed, when it is not 403 (e.g. 404 for other people's objects)
    denied: tuple[int, ...] = (403,)
    data: dict[str, Any] = field(default_factory=dict)
    #: optional: prepare objects on ctx before the request (ctx, app) -> None
    setup: Callable[[Ctx, Any], None] | None = None
    #: public routes: anonymous gets ``ok`` too (no login redirect)
    public: bool = False

    def path(self, ctx: Ctx) -> str:
        return self.url(ctx) if callable(self.url) else self.url
