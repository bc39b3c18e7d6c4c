"""Access rows for "Passwort vergessen" and the account lifecycle (admin; HR for employees' accounts)."""

from lms import db
from lms.auth import services
from tests.access.matrix import EVERYONE, Route


def _employee_account(ctx, app) -> None:
    ctx.account = services.create_user(ctx.employee.email, "employee")
    db.session.commit()


def _lifecycle(endpoint: str, method: str, path: str, ok: tuple[int, ...]) -> list[Route]:
    """An employee's account: admin and HR; another role's account (``ctx.user``, an author): admin only,
    HR gets 404 (not theirs to see), the other roles 403."""
    return [
        Route(endpoint, method, lambda ctx: f"/admin/konten/{ctx.account.id}/{path}", ("hr", "admin"), ok=ok,
              setup=_employee_account),
        Route(endpoint, method, lambda ctx: f"/admin/konten/{ctx.user.id}/{path}", ("admin",), ok=ok,
              denied=(403, 404)),
    ]


ROUTES = [
    # logged-in users are sent on to the password change
    Route("auth.forgot_password", "GET", "/passwort-vergessen", EVERYONE, ok=(200, 302), public=True),
    # an empty form is shown again with its errors
    Route("auth.forgot_password", "POST", "/passwort-vergessen", EVERYONE, ok=(200, 302), public=True),
    Route("auth.reset_password", "GET", "/passwort-neu/unbekannt", EVERYONE, ok=(404,), public=True),
    Route("auth.reset_password", "POST", "/passwort-neu/unbekannt", EVERYONE, ok=(404,), public=True),
    *_lifecycle("admin.account", "GET", "verwalten", (200,)),
    *_lifecycle("admin.deactivate", "POST", "deaktivieren", (302,)),
    *_lifecycle("admin.reactivate", "POST", "reaktivieren", (302,)),
    *_lifecycle("admin.unlock", "POST", "entsperren", (302,)),
    *_lifecycle("admin.reinvite", "POST", "einladen", (302,)),
]
