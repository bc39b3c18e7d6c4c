"""Access rows for the council committee's dashboard and its CSV (committee and admin; counts only)."""

from tests.access.matrix import Route
from tests.competence.factories import framework
from tests.learning.factories import create_course


def _framework(ctx, app) -> None:
    framework()
    create_course("basis-matrix")


COMMITTEE = ("committee", "admin")

ROUTES = [
    # before the framework and courses exist: an explained page
    Route("committee.dashboard", "GET", "/ausschuss", COMMITTEE),
    Route("committee.dashboard", "GET", lambda ctx: f"/ausschuss?einheit={ctx.unit.code}", COMMITTEE,
          setup=_framework),
    Route("committee.export", "GET", "/ausschuss/uebersicht.csv", COMMITTEE, setup=_framework),
    # the page states the browser tests check with axe (tests/browser/test_pages.py, test_a11y.py): an as-of
    # day before any data (an explained empty page)
    Route("committee.dashboard", "GET", "/ausschuss?stichtag=2000-01-01", COMMITTEE, setup=_framework),
    # a filter naming nothing is a 400 for those allowed, still 403 for the others
    Route("committee.dashboard", "GET", "/ausschuss?einheit=GIBTSNICHT", COMMITTEE, ok=(400,), setup=_framework),
    Route("committee.export", "GET", "/ausschuss/uebersicht.csv?stichtag=gestern", COMMITTEE, ok=(400,),
          setup=_framework),
]
