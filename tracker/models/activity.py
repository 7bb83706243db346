"""An internationalisation activity: conference, publication, collaboration, ..."""

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.dates import EARLIEST, LATEST
from tracker.domain.vocabulary import ActivityStatus, ActivityType
from tracker.models.base import Base, TimestampMixin, enum_type

if TYPE_CHECKING:
    from tracker.models.enrolment import Enrolment


class Activity(TimestampMixin, Base):
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[ActivityType] = mapped_column(enum_type(ActivityType))
    title: Mapped[str] = mapped_column(String(300))
    # Free text such as "2027 spring" or "2027-06-12".
    planned_term: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[ActivityStatus] = mapped_column(
        enum_type(ActivityStatus), default=ActivityStatus.PLANNED
    )
    # The day it was done: set exactly when the status is done (DESIGN §3).
    done_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(String(500), default="")  # link or DOI
    # The type the approved version in force gives the activity; None if it is in no
    # approved version. A revision edits the live columns, and the statistics count a
    # planned activity as approved until the supervisor approves the revision (DESIGN §4).
    approved_type: Mapped[ActivityType | None] = mapped_column(
        enum_type(ActivityType, name="approvedactivitytype")
    )
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    enrolment: Mapped["Enrolment"] = relationship(back_populates="activities")

    __table_args__ = (
        CheckConstraint(
            "(status = 'done' AND done_on IS NOT NULL) OR (status <> 'done' AND done_on IS NULL)",
            name="done_on_when_done",
        ),
        CheckConstraint(
            f"done_on IS NULL OR (done_on >= '{EARLIEST.isoformat()}'"
            f" AND done_on <= '{LATEST.isoformat()}')",
            name="done_on_in_range",
        ),
        # Covers every column the activity statistics read, for an index-only scan (0012).
        Index("ix_activity_counting", "enrolment_id", "status", "done_on", "type", "approved_type"),
    )
    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Activity {self.type} {self.title!r}>"

    def mark_approved(self, approved: bool = True) -> None:
        """Record whether the activity is in the approved version in force, as it stands now."""
        self.approved_type = self.type if approved else None
