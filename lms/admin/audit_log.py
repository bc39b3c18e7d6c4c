"""Admin: read the audit log, with names instead of ids and readable event titles.

The page is an admin page (layer 10 in the architecture): it lives in the admin package and keeps
the blueprint name ``audit`` (endpoints ``audit.*``). Only this module, never audit's services or
queries, looks up the names of accounts, employees, units, rules and
courses, one query per kind of object on the page (never per row).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from lms import db
from lms.audit import queries
from lms.audit.titles import object_type_label, title
from lms.auth.access import roles_required
from lms.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/protokoll")
PER_PAGE = 100


class DateError(BadRequest):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = message


def _day(value: str, label: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DateError(_("Ungültiges Datum für „%(field)s“: %(value)s (erwartet: JJJJ-MM-TT)", field=label,
                          value=value)) from None


def _berlin_start(day: date) -> datetime:
    from lms.org.services import BERLIN

    return datetime.combine(day, time.min, tzinfo=BERLIN)


def _ids(values: set[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 10]


def _names(events: list[Any]) -> tuple[dict[int, str], dict[tuple[str, str], str]]:
    """Actor names by user id, and object names by (type, id), in one query per kind."""
    from lms.auth.models import User
    from lms.catalog.models import Course
    from lms.org.models import Employee, OrgUnit
    from lms.training.models import AssignmentRule

    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.object_type and e.object_id:
            wanted[e.object_type].add(e.object_id)
    user_ids = actor_ids | set(_ids(wanted.get("user", set())))
    users: dict[int, str] = {}
    if user_ids:
        for uid, name, email in db.session.execute(
                select(User.id, User.display_name, User.email).where(User.id.in_(user_ids))):
            users[uid] = f"{name} ({email})" if name else email
    objects: dict[tuple[str, str], str] = {}
    for uid in _ids(wanted.get("user", set())):
        if uid in users:
            objects[("user", str(uid))] = users[uid]
    if wanted.get("employee"):
        for eid, first, last, number in db.session.execute(
                select(Employee.id, Employee.first_name, Employee.last_name, Employee.personnel_no)
                .where(Employee.id.in_(_ids(wanted["employee"])))):
            objects[("employee", str(eid))] = f"{first} {last} ({number})"
    if wanted.get("org_unit"):
        for uid, code, name in db.session.execute(
                select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.id.in_(_ids(wanted["org_unit"])))):
            objects[("org_unit", str(uid))] = f"{code} {name}"
    if wanted.get("rule"):
        for rid, slug in db.session.execute(
                select(AssignmentRule.id, Course.slug).join(Course, Course.id == AssignmentRule.course_id)
                .where(AssignmentRule.id.in_(_ids(wanted["rule"])))):
            objects[("rule", str(rid))] = _("Regel %(id)s für %(course)s", id=rid, course=slug)
    if wanted.get("course"):
        for cid, slug in db.session.execute(select(Course.id, Course.slug)
                                            .where(Course.id.in_(_ids(wanted["course"])))):
            objects[("course", str(cid))] = slug
    return users, objects


def _detail_items(detail: Any) -> list[tuple[str, str]]:
    if not isinstance(detail, dict):
        return [] if detail is None else [("", json.dumps(detail, ensure_ascii=False))]
    items = []
    for key, value in detail.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        items.append((str(key), shown))
    return items


@bp.route("")
@roles_required("admin")
def log():
    action = request.args.get("action", "")[:60]
    actor = request.args.get("actor", "")[:254]
    since = _day(request.args.get("von", "").strip()[:20], _("von"))
    until = _day(request.args.get("bis", "").strip()[:20], _("bis"))
    page = paginate(queries.events(action or None, actor or None,
                                   _berlin_start(since) if since else None,
                                   _berlin_start(until + timedelta(days=1)) if until else None),
                    per_page=PER_PAGE)
    users, objects = _names(page.items)
    return render_template("audit/log.html", page=page, action=action, actor=actor,
                           since=since.isoformat() if since else "", until=until.isoformat() if until else "",
                           users=users, objects=objects, title=title, type_label=object_type_label,
                           details=_detail_items)
