"""Access rows for main, auth, admin and audit (the org pages: tests/access/org.py)."""

from tests.access.matrix import EVERYONE, LOGGED_IN, Route

ROUTES = [
    Route("main.index", "GET", "/", LOGGED_IN, ok=(200, 302)),
    Route("main.set_language", "POST", "/sprache", EVERYONE, ok=(302,), data={"lang": "en"}, public=True),
    Route("main.accessibility", "GET", "/barrierefreiheit", EVERYONE, public=True),
    Route("main.privacy", "GET", "/datenschutz", EVERYONE, public=True),
    Route("main.healthz", "GET", "/healthz", EVERYONE, public=True),
    Route("static", "GET", "/static/css/app.css", EVERYONE, public=True),
    # logged-in users are sent on to their start page
    Route("auth.login", "GET", "/anmelden", EVERYONE, ok=(200, 302), public=True),
    Route("auth.login", "POST", "/anmelden", EVERYONE, ok=(200, 302), public=True),
    Route("auth.logout", "POST", "/abmelden", LOGGED_IN, ok=(302,)),
    Route("auth.accept_invitation", "GET", "/einladung/unbekannt", EVERYONE, ok=(404,), public=True),
    Route("auth.accept_invitation", "POST", "/einladung/unbekannt", EVERYONE, ok=(404,), public=True),
    Route("auth.extend_session", "POST", "/sitzung/verlaengern", LOGGED_IN),
    Route("auth.change_password", "GET", "/konto/passwort", LOGGED_IN),
    Route("auth.change_password", "POST", "/konto/passwort", LOGGED_IN),
    Route("admin.users", "GET", "/admin/konten", ("hr", "admin")),
    Route("admin.create_user", "GET", "/admin/konten/neu", ("admin",)),
    Route("admin.create_user", "POST", "/admin/konten/neu", ("admin",)),
    Route("admin.edit_user", "GET", lambda ctx: f"/admin/konten/{ctx.user.id}", ("admin",)),
    Route("admin.edit_user", "POST", lambda ctx: f"/admin/konten/{ctx.user.id}", ("admin",)),
    Route("audit.log", "GET", "/admin/protokoll", ("admin",)),
    # a person's security events only with a reason: without one the page still answers (events hidden)
    Route("audit.log", "GET", "/admin/protokoll?actor=someone&action=auth.", ("admin",)),
    # the staff council's access log: views and exports of named people's data, never logins
    Route("council.access_log", "GET", "/personalrat/protokoll", ("personalrat", "admin")),
    Route("council.access_log", "GET", "/personalrat/protokoll?action=report.export&von=2026-01-01",
          ("personalrat", "admin")),
    # the annexes of the Dienstvereinbarung: no personal data, for the staff council and the administration
    Route("dv.index", "GET", "/dienstvereinbarung", ("personalrat", "admin")),
    Route("dv.annex", "GET", "/dienstvereinbarung/anlage-1", ("personalrat", "admin")),
    Route("dv.annex", "GET", "/dienstvereinbarung/anlage-2", ("personalrat", "admin")),
    Route("dv.annex", "GET", "/dienstvereinbarung/anlage-9", ("personalrat", "admin"), ok=(404,)),
    Route("dv.annex_pdf", "GET", "/dienstvereinbarung/anlage-3.pdf", ("personalrat", "admin")),
]
