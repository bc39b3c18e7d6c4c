"""Access rows for mandatory training: rules, ending a rule, one manual assignment.

A coordinator may use these pages, but only for units in their subtrees: the context's unit and
employee lie outside every coordinator's scope, so a coordinator gets 404 for them.
"""

from lms import db
from lms.training import services
from tests.access.matrix import Route

STAFF = ("coordinator", "hr", "admin")
HR = ("hr", "admin")


def _rule(ctx, app):
    from lms.catalog.models import Course, CourseVersion

    course = Course(slug="pflicht-matrix")
    db.session.add(course)
    db.session.flush()
    course.current_version = CourseVersion(
        course=course, version="1.0.0", major=1, content_hash="0" * 64, title="Pflichtkurs", summary="",
        minutes=10, audience="alle", awards={}, validity_months=12, pass_mark=80, questions_per_attempt=1,
        attempts_per_day=3, show_solutions="after_pass")
    db.session.flush()
    ctx.rule, _ = services.create_rule(course, org_unit_id=ctx.unit.id, position_pattern=None, due_days=30,
                                       due_on=None, note="", by=None)
    db.session.commit()


ROUTES = [
    Route("training.rules", "GET", "/pflichtschulungen", STAFF),
    Route("training.new_rule", "GET", "/pflichtschulungen/neu", STAFF),
    # an empty form comes back with its errors
    Route("training.new_rule", "POST", "/pflichtschulungen/neu", STAFF, ok=(422,)),
    Route("training.end_rule", "GET", lambda c: f"/pflichtschulungen/{c.rule.id}/beenden", HR,
          denied=(403, 404), setup=_rule),
    Route("training.end_rule", "POST", lambda c: f"/pflichtschulungen/{c.rule.id}/beenden", HR, ok=(302,),
          denied=(403, 404), setup=_rule),
    Route("training.assign", "GET", lambda c: f"/pflichtschulungen/zuweisen/{c.employee.id}", HR,
          denied=(403, 404)),
    Route("training.assign", "POST", lambda c: f"/pflichtschulungen/zuweisen/{c.employee.id}", HR, ok=(422,),
          denied=(403, 404)),
]
