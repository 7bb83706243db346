"""An internationalisation activity: conference, publication, collaboration, ..."""

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    evidence: Mapped[str] = mapped_column(String(500), default="")  # link or DOI
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    enrolment: Mapped["Enrolment"] = relationship(back_populates="activities")

    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Activity {self.type} {self.title!r}>"
