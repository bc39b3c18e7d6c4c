"""Access rows for the organisation pages: unit tree, staff list, master-data import."""

from tests.access.matrix import Route

HR = ("hr", "admin")

ROUTES = [
    Route("org.units", "GET", "/organisation/einheiten", HR),
    Route("org.staff", "GET", "/organisation/beschaeftigte", ("coordinator", "hr", "admin")),
    Route("org.imports", "GET", "/organisation/import", HR),
    # an empty form is shown again with its errors
    Route("org.imports", "POST", "/organisation/import", HR),
    # no staged file with that token: 404 for HR, 403 for everyone else
    Route("org.import_confirm", "POST", "/organisation/import/bestaetigen", HR, ok=(404,),
          data={"token": "unknown"}),
]
