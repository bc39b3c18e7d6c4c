"""Access rows for the learner's pages and certificates.

Every logged-in role may learn (the navigation shows "Meine Schulungen" to all). Attempts and
certificates belong to one person: someone else's is a 404 for every role, admin included.
"""

from __future__ import annotations

from datetime import timedelta

from lms import db
from lms.db import utcnow
from lms.learning import services
from lms.learning.models import Completion
from tests.access.matrix import EVERYONE, LOGGED_IN, Route
from tests.learning.factories import create_course


def course(ctx, app) -> None:
    ctx.cv = create_course(acknowledge=(2,))
    ctx.slug = ctx.cv.course.slug
    db.session.commit()


def others_attempt(ctx, app) -> None:
    """An attempt and a completion of ``ctx.user`` (never the logged-in account)."""
    course(ctx, app)
    ctx.attempt_id = services.start_attempt(ctx.user.id, ctx.cv).id
    now = utcnow()
    completion = Completion(user_id=ctx.user.id, course_id=ctx.cv.course_id, course_version_id=ctx.cv.id,
                            completed_at=now, valid_until=now + timedelta(days=365), awards={},
                            certificate_code=services.new_certificate_code(), holder_name="Test Person")
    db.session.add(completion)
    db.session.commit()
    ctx.code = completion.certificate_code


ROUTES = [
    Route("learning.my_courses", "GET", "/schulungen", LOGGED_IN),
    Route("learning.course", "GET", lambda ctx: f"/schulungen/{ctx.slug}", LOGGED_IN, setup=course),
    Route("learning.module", "GET", lambda ctx: f"/schulungen/{ctx.slug}/module/1", LOGGED_IN, setup=course),
    Route("learning.mark_read", "POST", lambda ctx: f"/schulungen/{ctx.slug}/module/1/gelesen", LOGGED_IN,
          ok=(302,), setup=course),
    Route("learning.acknowledge", "POST", lambda ctx: f"/schulungen/{ctx.slug}/module/2/bestaetigen",
          LOGGED_IN, ok=(302,), data={"confirm": "y"}, setup=course),
    Route("learning.start_quiz", "POST", lambda ctx: f"/schulungen/{ctx.slug}/quiz", LOGGED_IN, ok=(302,),
          setup=course),
    Route("learning.attempt", "GET", lambda ctx: f"/schulungen/versuch/{ctx.attempt_id}", LOGGED_IN,
          ok=(404,), setup=others_attempt),
    Route("learning.save_attempt", "POST", lambda ctx: f"/schulungen/versuch/{ctx.attempt_id}/speichern",
          LOGGED_IN, ok=(404,), setup=others_attempt),
    Route("learning.submit_attempt", "POST", lambda ctx: f"/schulungen/versuch/{ctx.attempt_id}/abgeben",
          LOGGED_IN, ok=(404,), setup=others_attempt),
    Route("learning.result", "GET", lambda ctx: f"/schulungen/versuch/{ctx.attempt_id}/ergebnis",
          LOGGED_IN, ok=(404,), setup=others_attempt),
    # every role has its own competence profile; there is no URL for someone else's
    Route("learning.competence_profile", "GET", "/kompetenzprofil", LOGGED_IN),
    Route("learning.my_data", "GET", "/meine-daten", LOGGED_IN),
    Route("learning.my_data_json", "GET", "/meine-daten.json", LOGGED_IN),
    Route("certificates.pdf", "GET", lambda ctx: f"/zertifikate/{ctx.code}.pdf", LOGGED_IN, ok=(404,),
          setup=others_attempt),
    Route("certificates.verify", "GET", lambda ctx: f"/pruefen/{ctx.code}", EVERYONE, public=True,
          setup=others_attempt),
    Route("certificates.verify", "GET", "/pruefen/UNBEKANNT", EVERYONE, ok=(404,), public=True),
    Route("certificates.verify", "GET", "/verify/UNBEKANNT", EVERYONE, ok=(404,), public=True),
    Route("certificates.verify_form", "GET", "/pruefen", EVERYONE, public=True),
    Route("certificates.verify_form", "GET", "/verify", EVERYONE, public=True),
    Route("certificates.verify_form", "GET", "/pruefen?code=", EVERYONE, public=True),  # "enter the code"
    Route("certificates.verify_form", "GET", "/pruefen?code=abcd-efgh", EVERYONE, ok=(302,), public=True),
]
