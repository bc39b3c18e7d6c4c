"""Access rows for HR's and coordinators' views of named employees (lms/reports/individual).

The matrix's coordinator looks after a unit of their own: ``ctx.unit`` and ``ctx.employee`` lie outside
it, so a filter naming that unit is 403 and that employee's page 404 for the coordinator. The committee
reaches none of these pages.
"""

from tests.access.matrix import Route

SCOPED = ("coordinator", "hr", "admin")
HR = ("hr", "admin")

ROUTES = [
    Route("reports.units", "GET", "/berichte/einheiten", SCOPED),
    Route("reports.courses", "GET", "/berichte/kurse", SCOPED),
    Route("reports.obligations", "GET", "/berichte/pflichtschulungen", SCOPED),
    # a filter naming a unit outside the coordinator's subtree: 403 (refused as out of scope)
    Route("reports.obligations", "GET", lambda ctx: f"/berichte/pflichtschulungen?einheit={ctx.unit.code}", HR,
          denied=(403, 404)),
    Route("reports.export", "GET", "/berichte/pflichtschulungen.csv", SCOPED),
    Route("reports.export", "GET", "/berichte/pflichtschulungen.xlsx", SCOPED),
    Route("reports.export", "GET", lambda ctx: f"/berichte/pflichtschulungen.csv?einheit={ctx.unit.code}", HR,
          denied=(403, 404)),
    Route("reports.export", "GET", lambda ctx: f"/berichte/pflichtschulungen.xlsx?einheit={ctx.unit.code}", HR,
          denied=(403, 404)),
    # outside the coordinator's subtree: 404 (the person's existence is not disclosed)
    Route("reports.employee", "GET", lambda ctx: f"/berichte/beschaeftigte/{ctx.employee.id}", HR,
          denied=(403, 404)),
]
