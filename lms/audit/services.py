"""Recording audit events. Adds and flushes; the caller commits."""

from __future__ import annotations

import logging
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from lms import db
from lms.audit.models import AuditEvent

log = logging.getLogger(__name__)


def _fit(value: str | None, column: str) -> str | None:
    """Cut a value to its column's width: PostgreSQL refuses longer strings (a 500), SQLite would not.
    A failed login records the typed e-mail, which may be longer than an object id."""
    if value is None:
        return None
    length = AuditEvent.__table__.c[column].type.length
    return value if len(value) <= length else value[: length - 1] + "…"


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    detail: dict[str, Any] | None = None,
    actor: Any | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Record one audit event. ``actor`` defaults to the logged-in user; CLI calls pass a label."""
    ip = None
    if has_request_context():
        ip = request.remote_addr
        if actor is None and current_user and current_user.is_authenticated:
            actor = current_user
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=_fit(actor_label or getattr(actor, "email", None) or ("web" if ip else "cli"), "actor_label"),
        action=action,
        object_type=object_type,
        object_id=_fit(None if object_id is None else str(object_id), "object_id"),
        ip=ip,
        detail=detail,
    )
    db.session.add(event)
    db.session.flush()
    log.info("audit %s %s %s:%s", event.actor_label, action, object_type, object_id)
    return event
