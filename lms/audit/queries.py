"""Reading the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from lms.audit.models import AuditEvent


def events(action: str | None = None, actor: str | None = None, since: datetime | None = None,
           until: datetime | None = None) -> Select[tuple[AuditEvent]]:
    """Newest first; optionally filtered by action prefix, actor label substring and a time range
    (``since`` inclusive, ``until`` exclusive, UTC)."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEvent.actor_label.contains(actor.lower(), autoescape=True))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return query
