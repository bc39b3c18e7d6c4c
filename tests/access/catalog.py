"""Access rows for the catalogue pages and the course image route."""

from tests.access.matrix import LOGGED_IN, Route

ROUTES = [
    Route("catalog.status", "GET", "/katalog", ("author", "admin")),
    # refused (lint errors) or done: both redirect back to the status page
    Route("catalog.run_import", "POST", "/katalog/import", ("author", "admin"), ok=(302,)),
    # every logged-in user may load course images; this one does not exist (the view tests serve real ones)
    Route("catalog.asset", "GET", "/kurse/ki-grundlagen/img/nicht-vorhanden.png", LOGGED_IN, ok=(404,)),
]
