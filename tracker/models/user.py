"""People who log in, and the coordinator scopes they hold."""

import secrets
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from tracker.models.enrolment import Enrolment
    from tracker.models.identity import ExternalIdentity
    from tracker.models.organisation import Faculty, Programme

MIN_PASSWORD_LENGTH = 12


def new_session_token() -> str:
    """Return a fresh random token that ties login sessions to the user."""
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Rotated on log-out and password change: a session cookie holding the old
    # token is refused, even if it was copied before.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the person's personal data was erased (tracker.services.privacy): the row
    # stays, anonymised, because enrolments and decisions still point at it.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    enrolments: Mapped[list["Enrolment"]] = relationship(
        back_populates="person", foreign_keys="Enrolment.person_id"
    )
    coordinator_scopes: Mapped[list["CoordinatorScope"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    external_identities: Mapped[list["ExternalIdentity"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        """Return the Flask-Login id: the user id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str, method: str = "scrypt") -> None:
        """Hash and store a new password; ends every other session."""
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        """Return whether the password matches; users without one never match."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued so far."""
        self.session_token = new_session_token()


@cache
def _dummy_hash(method: str) -> str:
    """Return the hash of a random password, made once per method and kept."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def password_matches(user: User | None, password: str, method: str) -> bool:
    """Return whether ``user`` may log in with ``password``, with the same work for anyone.

    An unknown address, an account without a password and a deactivated account are
    checked against a dummy hash made with ``method`` (the configured one), so the time
    of the answer does not tell which of them it was, or that the address is known.
    """
    stored = user.password_hash if user is not None else None
    matches = check_password_hash(stored or _dummy_hash(method), password)
    return matches and bool(stored) and user.active


class CoordinatorScope(Base):
    """A coordinator follows either a whole faculty or one programme."""

    __tablename__ = "coordinator_scope"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    faculty_id: Mapped[int | None] = mapped_column(ForeignKey("faculty.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="coordinator_scopes")
    faculty: Mapped[Optional["Faculty"]] = relationship()
    programme: Mapped[Optional["Programme"]] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(faculty_id IS NULL) <> (programme_id IS NULL)", name="exactly_one_target"
        ),
    )
