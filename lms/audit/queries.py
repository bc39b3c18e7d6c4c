"""Reading the audit log."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, select

from lms.audit.models import AuditEvent


def events(action: str | None = None, actor: str | None = None, since: datetime | None = None,
           until: datetime | None = None, *, only: Collection[str] | None = None,
           exclude: Collection[str] = ()) -> Select[tuple[AuditEvent]]:
    """Newest first; optionally filtered by action prefix, actor label substring and a time range
    (``since`` inclusive, ``until`` exclusive, UTC); ``only``: just these actions; ``exclude``: never
    these actions."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEvent.actor_label.contains(actor.lower(), autoescape=True))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    if only is not None:
        query = query.where(AuditEvent.action.in_(sorted(only)))
    if exclude:
        query = query.where(AuditEvent.action.not_in(sorted(exclude)))
    return query
