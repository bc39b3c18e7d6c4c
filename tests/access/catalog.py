"""Access rows for the catalogue pages and the course image route."""

from lms import db
from tests.access.matrix import LOGGED_IN, Route
from tests.learning.factories import create_course


def course(ctx, app) -> None:
    """The statistics page needs the course; the browser tests' server has the real one imported."""
    create_course("ki-grundlagen")
    db.session.commit()


ROUTES = [
    Route("catalog.status", "GET", "/katalog", ("author", "admin")),
    # refused (lint errors) or done: both redirect back to the status page
    Route("catalog.run_import", "POST", "/katalog/import", ("author", "admin"), ok=(302,)),
    # item statistics: aggregates for those who write the questions
    Route("catalog.statistics", "GET", "/katalog/ki-grundlagen/statistik", ("author", "admin"), setup=course),
    # every logged-in user may load course images; this one does not exist (the view tests serve real ones)
    Route("catalog.asset", "GET", "/kurse/ki-grundlagen/img/nicht-vorhanden.png", LOGGED_IN, ok=(404,)),
]
