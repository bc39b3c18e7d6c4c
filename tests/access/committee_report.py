"""Access rows for the committee's progress report (lms/reports/aggregate/report.py): the committee and
admin; HR, coordinators, the staff council and everyone else are refused."""

from tests.access.matrix import Route

ROUTES = [
    Route("committee_report.pdf", "GET", "/ausschuss/bericht.pdf", ("committee", "admin")),
    # a bad as-of day is a 400 for those allowed, still 403 for the others
    Route("committee_report.pdf", "GET", "/ausschuss/bericht.pdf?stichtag=gestern", ("committee", "admin"),
          ok=(400,)),
]
