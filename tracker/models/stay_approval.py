"""A stay as one approved version of its plan has it, and from when until when that held."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base

if TYPE_CHECKING:
    from tracker.models.plan import PlanVersion
    from tracker.models.stay import Stay


class StayApproval(Base):
    """The country and dates of a stay in one approved version, valid until the next approval.

    A revision edits the stay row itself, and its approval writes the stay's new values
    (``Stay.approved_*``, the version in force now). What an earlier version approved is
    kept here, so that a projection at a past as-of date reads the version in force then
    (DESIGN §4). ``valid_from`` is the approving entry's effective time; ``valid_until``
    the next approval's, NULL while the version is in force.
    """

    __tablename__ = "stay_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(String(2))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    stay: Mapped["Stay"] = relationship(back_populates="approvals")
    version: Mapped["PlanVersion"] = relationship()

    __table_args__ = (
        UniqueConstraint("version_id", "stay_id", name="uq_stay_approval_version_stay"),
        # Covers every column the statistics read, for an index-only scan (0011).
        Index(
            "ix_stay_approval_counting",
            "stay_id",
            "valid_from",
            "valid_until",
            "country",
            "start_date",
            "end_date",
        ),
        # Whether anything takes effect after a date (tracker.queries.recorded, 0014).
        Index("ix_stay_approval_valid_from", "valid_from"),
        Index("ix_stay_approval_valid_until", "valid_until"),
    )

    def __repr__(self) -> str:
        return f"<StayApproval stay {self.stay_id} version {self.version_id}>"
