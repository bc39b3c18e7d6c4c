"""Reads for certificates: a completion by its code, with everything the certificate prints."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.learning.models import Completion


def completion_by_code(code: str) -> Select[tuple[Completion, User]]:
    """The completion with this certificate code and its holder (course and version joined)."""
    return (select(Completion, User)
            .join(User, User.id == Completion.user_id)
            .options(joinedload(Completion.course_version), joinedload(Completion.course))
            .where(Completion.certificate_code == code))
