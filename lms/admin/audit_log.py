"""Read the audit log, with names instead of ids and readable event titles: the admin's whole log and
the staff council's access log (who looked at or exported whose data, and who read the log).

The pages are top-layer pages (layer 10 in the architecture): they live in the admin package and keep
the blueprint names ``audit`` and ``council``. Only this module, never audit's services or queries,
looks up the names of accounts, employees, units, rules and
courses, one query per kind of object on the page (never per row).

Every read of either log is itself recorded, with its filter. Searching one person's security events
(logins, failed logins, lockouts: a behaviour profile) needs a stated reason, recorded with the search;
without one the person's security events are left out of the query (:mod:`lms.audit.filters`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from lms import db
from lms.audit import filters, queries
from lms.audit import services as audit
from lms.audit.titles import object_type_label, title
from lms.auth.access import roles_required
from lms.main import permissions
from lms.pagination import paginate
from lms.retention.rules import SECURITY_ACTIONS

bp = Blueprint("audit", __name__, url_prefix="/admin/protokoll")
#: the staff council's access log (Personalrat, § 80 (1) no. 21 BPersVG)
council_bp = Blueprint("council", __name__, url_prefix="/personalrat")
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


@dataclass(frozen=True)
class LogFilter:
    action: str
    actor: str
    since: date | None
    until: date | None

    @classmethod
    def from_request(cls) -> LogFilter:
        return cls(action=request.args.get("action", "").strip()[:60],
                   actor=request.args.get("actor", "").strip()[:254],
                   since=_day(request.args.get("von", "").strip()[:20], _("von")),
                   until=_day(request.args.get("bis", "").strip()[:20], _("bis")))

    def query(self, **kwargs: Any) -> Any:
        return queries.events(self.action or None, self.actor or None,
                              _berlin_start(self.since) if self.since else None,
                              _berlin_start(self.until + timedelta(days=1)) if self.until else None, **kwargs)

    @property
    def args(self) -> dict[str, str]:
        """The filter as the form names it (also the detail of the audit event recording the read)."""
        return {"action": self.action, "actor": self.actor,
                "von": self.since.isoformat() if self.since else "",
                "bis": self.until.isoformat() if self.until else ""}


def _render(endpoint: str, page: Any, log_filter: LogFilter, extra_args: dict[str, str] | None = None,
            **context: Any) -> str:
    users, objects = _names(page.items)
    pager_args = {k: v or None for k, v in {**log_filter.args, **(extra_args or {})}.items()}
    return render_template("audit/log.html", endpoint=endpoint, page=page, users=users, objects=objects,
                           title=title, type_label=object_type_label, details=_detail_items,
                           action=log_filter.action, actor=log_filter.actor, since=log_filter.args["von"],
                           until=log_filter.args["bis"],
                           pager_args=pager_args, **context)


@bp.route("")
@roles_required("admin")
def log():
    log_filter = LogFilter.from_request()
    reason = " ".join(request.args.get("grund", "").split())[:500]
    sensitive = filters.person_search_over_security(log_filter.action, log_filter.actor, SECURITY_ACTIONS)
    justified = sensitive and filters.valid_reason(reason)
    # without a reason a person's security events are not in the query at all
    page = paginate(log_filter.query(exclude=SECURITY_ACTIONS if sensitive and not justified else ()),
                    per_page=PER_PAGE)
    html = _render("audit.log", page, log_filter, {"grund": reason if justified else ""}, council=False, sensitive=sensitive, justified=justified,
                   reason=reason, min_reason=filters.MIN_REASON_LENGTH)
    if justified:
        audit.record("audit.security_search", detail={"reason": reason, **log_filter.args})
    else:
        audit.record("audit.log_viewed", detail=log_filter.args)
    db.session.commit()
    return html


@council_bp.route("/protokoll")
@roles_required("personalrat")
def access_log():
    """Who looked at or exported whose data, and who read the log; no security events, no addresses."""
    log_filter = LogFilter.from_request()
    allowed = filters.council_actions(permissions.AUDIT_ACTIONS, permissions.COUNCIL_KINDS)
    page = paginate(log_filter.query(only=allowed), per_page=PER_PAGE)
    choices = sorted(((action, title(action)) for action in allowed), key=lambda item: item[1])
    html = _render("council.access_log", page, log_filter, council=True, choices=choices)
    audit.record("audit.council_log_viewed", detail=log_filter.args)
    db.session.commit()
    return html
