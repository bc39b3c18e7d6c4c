"""Accounts, coordinator scopes, invitations and login throttling."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, UTCDateTime, utcnow
from lms.org.models import Employee, OrgUnit


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    COORDINATOR = "coordinator"
    HR = "hr"
    COMMITTEE = "committee"
    AUTHOR = "author"
    ADMIN = "admin"
    #: the staff council (Personalrat): reads the log of who looked at whose data, never learning data
    STAFF_COUNCIL = "personalrat"


ROLE_VALUES = tuple(r.value for r in Role)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('" + "','".join(ROLE_VALUES) + "')", name="role_known"),
        UniqueConstraint("external_issuer", "external_subject", name="uq_users_external_identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: always stored lower case; the login name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    #: Argon2id hash; None until the invitation is accepted (or for SSO-only accounts)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.EMPLOYEE.value, index=True)
    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL"), unique=True
    )
    #: room for single sign-on later: the identity provider and its stable subject id
    external_issuer: Mapped[str | None] = mapped_column(String(200))
    external_subject: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: bumped on logout, password change and role change; a session with an older value is void
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    employee: Mapped[Employee | None] = relationship(lazy="joined")
    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def name(self) -> str:
        if self.employee is not None:
            return f"{self.employee.first_name} {self.employee.last_name}"
        return self.display_name or self.email


class UserScope(Base):
    """An org-unit subtree a coordinator is responsible for."""

    __tablename__ = "user_scopes"
    __table_args__ = (UniqueConstraint("user_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="scopes")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class Invitation(Base):
    """A one-time link to set a password. Only the SHA-256 of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "invite" (first password, sent by an admin or HR) | "reset" ("Passwort vergessen", valid 1 hour)
    purpose: Mapped[str] = mapped_column(String(20), default="invite")

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed-login counter per account (``acct:<email>``) or client address (``ip:<addr>``).

    Kept in the database so that it survives restarts and is shared by all app processes.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
