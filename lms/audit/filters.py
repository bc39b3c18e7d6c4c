"""Pure rules for reading the audit log: which events the staff council reads, and when a search
needs a stated reason. No I/O; the views apply them (``lms/admin/audit_log.py``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

#: the shortest reason accepted for searching one person's security events (characters, trimmed)
MIN_REASON_LENGTH = 10


def council_actions(actions: Mapping[str, str], kinds: Collection[str]) -> frozenset[str]:
    """The audit actions (``action -> kind``) whose kind is one the staff council reads."""
    return frozenset(action for action, kind in actions.items() if kind in kinds)


def person_search_over_security(action: str, actor: str, security: Collection[str]) -> bool:
    """A filter names a person (``actor``) and its action prefix can match a security event (logins,
    failed logins, lockouts): such a search builds a behaviour profile and needs a reason."""
    if not actor.strip():
        return False
    return any(name.startswith(action) for name in security)


def valid_reason(reason: str) -> bool:
    """A stated reason: at least :data:`MIN_REASON_LENGTH` characters once trimmed and with single spaces."""
    return len(" ".join(reason.split())) >= MIN_REASON_LENGTH
