"""Reading the audit log."""

from __future__ import annotations

from sqlalchemy import Select, select

from lms.audit.models import AuditEvent


def events(action: str | None = None, actor: str | None = None) -> Select[tuple[AuditEvent]]:
    """Newest first; optionally filtered by action prefix and actor label substring."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    if actor:
        query = query.where(AuditEvent.actor_label.contains(actor.lower()))
    return query
