"""A research stay at a host institution abroad."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.vocabulary import Funding, StayPurpose, StayStatus
from tracker.models.base import Base, TimestampMixin, enum_type

if TYPE_CHECKING:
    from tracker.models.enrolment import Enrolment
    from tracker.models.stay_approval import StayApproval
    from tracker.models.user import User


class Stay(TimestampMixin, Base):
    __tablename__ = "stay"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    host_institution: Mapped[str] = mapped_column(String(300))
    host_contact: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2, upper case
    # Planned dates while planned; the confirmed actual dates once completed.
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    purpose: Mapped[StayPurpose] = mapped_column(
        enum_type(StayPurpose), default=StayPurpose.RESEARCH_STAY
    )
    funding: Mapped[Funding] = mapped_column(enum_type(Funding), default=Funding.NONE)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[StayStatus] = mapped_column(enum_type(StayStatus), default=StayStatus.PLANNED)
    # Set when the stay is part of the approved version in force: only those count as projected.
    in_approved_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    # The stay as it stood in the approved version in force; None if it has never been approved.
    # A revision edits the live columns above, and the projection must not follow those edits
    # until the supervisor approves them (DESIGN §3), so it reads these instead.
    approved_country: Mapped[str | None] = mapped_column(String(2))
    approved_start_date: Mapped[date | None] = mapped_column(Date)
    approved_end_date: Mapped[date | None] = mapped_column(Date)

    # The candidate's report, waiting for the supervisor's confirmation.
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported_start_date: Mapped[date | None] = mapped_column(Date)
    reported_end_date: Mapped[date | None] = mapped_column(Date)
    report: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    return_comment: Mapped[str] = mapped_column(Text, default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    enrolment: Mapped["Enrolment"] = relationship(back_populates="stays")
    confirmed_by: Mapped[Optional["User"]] = relationship()
    # The stay as each approved version had it, for the figures of past dates.
    approvals: Mapped[list["StayApproval"]] = relationship(
        back_populates="stay",
        order_by="StayApproval.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        # The flag and the approved values are written together (approval_values); a row
        # with one but not the other would count differently in the lists and the policy.
        CheckConstraint(
            "(in_approved_plan AND approved_country IS NOT NULL"
            " AND approved_start_date IS NOT NULL AND approved_end_date IS NOT NULL)"
            " OR (NOT in_approved_plan AND approved_country IS NULL"
            " AND approved_start_date IS NULL AND approved_end_date IS NULL)",
            name="approved_values_match_flag",
        ),
        # Covers every column the statistics read, for an index-only scan (migration 0003).
        Index(
            "ix_stay_counting",
            "enrolment_id",
            "status",
            "country",
            "start_date",
            "end_date",
            "approved_country",
            "approved_start_date",
            "approved_end_date",
        ),
        # Stays by status and date with what funding and destinations read: the qualifying
        # ones (live values) and those ahead (approved values), index-only (0012).
        Index(
            "ix_stay_abroad",
            "status",
            "end_date",
            "start_date",
            "country",
            "funding",
            "host_institution",
            "approved_country",
            "approved_start_date",
            "approved_end_date",
            "enrolment_id",
        ),
    )
    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Stay {self.host_institution} {self.country} {self.start_date}>"

    def mark_approved(self, approved: bool = True) -> None:
        """Record whether the stay is part of the approved version in force, as it stands now."""
        for name, value in approval_values(
            approved, self.country, self.start_date, self.end_date
        ).items():
            setattr(self, name, value)

    @property
    def awaiting_confirmation(self) -> bool:
        """Return whether the candidate reported the stay done and nobody has decided yet."""
        return self.status == StayStatus.PLANNED and self.reported_at is not None


def approval_values(approved: bool, country: Any, start_date: Any, end_date: Any) -> dict[str, Any]:
    """Return the columns that put a stay in, or take it out of, the approved version in force.

    The values may be plain ones (an object, a row to insert) or each row's own
    columns (``Stay.country``...), for an UPDATE that approves many stays at once.
    """
    return {
        "in_approved_plan": approved,
        "approved_country": country if approved else None,
        "approved_start_date": start_date if approved else None,
        "approved_end_date": end_date if approved else None,
    }
