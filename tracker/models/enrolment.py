"""One person's PhD or postdoc period, with its supervisors."""

from datetime import date
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.vocabulary import EnrolmentKind, EnrolmentStatus
from tracker.models.base import Base, TimestampMixin, enum_type

if TYPE_CHECKING:
    from tracker.models.activity import Activity
    from tracker.models.organisation import Programme
    from tracker.models.plan import Plan
    from tracker.models.stay import Stay
    from tracker.models.user import User

co_supervision = Table(
    "co_supervision",
    Base.metadata,
    Column("enrolment_id", ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Enrolment(TimestampMixin, Base):
    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    kind: Mapped[EnrolmentKind] = mapped_column(enum_type(EnrolmentKind))
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_type(EnrolmentStatus), default=EnrolmentStatus.ACTIVE
    )
    start_date: Mapped[date] = mapped_column(Date)
    expected_end_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    main_supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), index=True
    )
    # Postdocs with a foreign degree or research work abroad are outside the 30 % target.
    international_experience: Mapped[bool] = mapped_column(Boolean, default=False)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped["User"] = relationship(back_populates="enrolments", foreign_keys=[person_id])
    programme: Mapped["Programme"] = relationship(back_populates="enrolments")
    main_supervisor: Mapped[Optional["User"]] = relationship(foreign_keys=[main_supervisor_id])
    co_supervisors: Mapped[list["User"]] = relationship(secondary=co_supervision)
    plan: Mapped[Optional["Plan"]] = relationship(back_populates="enrolment", uselist=False)
    stays: Mapped[list["Stay"]] = relationship(
        back_populates="enrolment", order_by="Stay.start_date", cascade="all, delete-orphan"
    )
    activities: Mapped[list["Activity"]] = relationship(
        back_populates="enrolment", order_by="Activity.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("person_id", "kind", "start_date", name="uq_enrolment_natural_key"),
        CheckConstraint(
            "status <> 'completed' OR end_date IS NOT NULL", name="completed_has_end_date"
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        CheckConstraint(
            "expected_end_date IS NULL OR expected_end_date >= start_date",
            name="expected_end_after_start",
        ),
    )
    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Enrolment {self.kind} {self.person_id} {self.start_date}>"

    @property
    def supervisors(self) -> list["User"]:
        """Return the main supervisor first, then the co-supervisors."""
        main = [self.main_supervisor] if self.main_supervisor else []
        return main + [u for u in self.co_supervisors if u is not self.main_supervisor]
