"""Access rows for competence targets (admin only)."""

from lms import db
from lms.competence import services
from tests.access.matrix import Route
from tests.competence.factories import framework

ADMIN = ("admin",)


def _target(ctx, app):
    framework()
    ctx.target = services.create_target("grundlagen", 2, org_unit_id=None, position_pattern=None, note="", by=None)
    db.session.commit()


ROUTES = [
    Route("admin.targets", "GET", "/admin/kompetenzziele", ADMIN),
    Route("admin.target_new", "GET", "/admin/kompetenzziele/neu", ADMIN),
    # an empty form comes back with its errors
    Route("admin.target_new", "POST", "/admin/kompetenzziele/neu", ADMIN, ok=(422,)),
    Route("admin.target_end", "GET", lambda c: f"/admin/kompetenzziele/{c.target.id}/beenden", ADMIN,
          setup=_target),
    Route("admin.target_end", "POST", lambda c: f"/admin/kompetenzziele/{c.target.id}/beenden", ADMIN, ok=(302,),
          setup=_target),
]
