"""Accounts at an OpenID Provider (the institution's log-in) linked to users."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow

if TYPE_CHECKING:
    from tracker.models.user import User


class ExternalIdentity(Base):
    """One person's account at one provider: the issuer and subject its ID tokens name.

    Once linked, issuer + subject alone say who logs in, whatever addresses change.
    """

    __tablename__ = "external_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The (user_id, issuer) constraint below indexes the user's links too.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # How the first log-in found the account: "claim", "email" or "created".
    linked_by: Mapped[str] = mapped_column(String(16))
    # The value it was found by (an address), so an administrator can judge the link.
    linked_value: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped["User"] = relationship(back_populates="external_identities")

    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_external_identity_issuer_subject"),
        # One account per person at each provider: a second one is refused, not linked.
        UniqueConstraint("user_id", "issuer", name="uq_external_identity_user_issuer"),
    )

    def __repr__(self) -> str:
        return f"<ExternalIdentity {self.issuer} {self.subject}>"
