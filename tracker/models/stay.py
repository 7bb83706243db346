"""A research stay at a host institution abroad."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

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
    # Set when the stay was part of an approved version: only those count as projected.
    in_approved_plan: Mapped[bool] = mapped_column(Boolean, default=False)

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

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        # Covers every column the statistics read, for an index-only scan (migration 0002).
        Index(
            "ix_stay_counting",
            "enrolment_id",
            "status",
            "country",
            "start_date",
            "end_date",
            "in_approved_plan",
        ),
    )
    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Stay {self.host_institution} {self.country} {self.start_date}>"

    @property
    def awaiting_confirmation(self) -> bool:
        """Return whether the candidate reported the stay done and nobody has decided yet."""
        return self.status == StayStatus.PLANNED and self.reported_at is not None
