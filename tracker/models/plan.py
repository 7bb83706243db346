"""The mobility plan of one enrolment, and its immutable version history."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.vocabulary import PlanEvent, PlanStatus
from tracker.models.base import Base, TimestampMixin, enum_type, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine.default import DefaultExecutionContext

    from tracker.models.enrolment import Enrolment
    from tracker.models.user import User


def _when_recorded(context: "DefaultExecutionContext") -> datetime:
    """Return the row's created_at: what is done in the tracker takes effect when it is done."""
    return context.get_current_parameters().get("created_at") or utcnow()


class Plan(TimestampMixin, Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[PlanStatus] = mapped_column(enum_type(PlanStatus), default=PlanStatus.DRAFT)
    narrative: Mapped[str] = mapped_column(Text, default="")
    # Required when no stay abroad is planned.
    no_stay_justification: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The approved version in force; stays set while a revision is drafted.
    approved_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_version.id", use_alter=True, ondelete="SET NULL")
    )
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    enrolment: Mapped["Enrolment"] = relationship(back_populates="plan")
    versions: Mapped[list["PlanVersion"]] = relationship(
        back_populates="plan",
        foreign_keys="PlanVersion.plan_id",
        order_by="PlanVersion.id",
        cascade="all, delete-orphan",
    )
    approved_version: Mapped[Optional["PlanVersion"]] = relationship(
        foreign_keys=[approved_version_id], post_update=True
    )

    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Plan {self.enrolment_id} {self.status}>"


class PlanVersion(Base):
    """One submission or decision, with a snapshot of the plan as it was then."""

    __tablename__ = "plan_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    # Counts submissions: a decision carries the number of the submission it decided.
    number: Mapped[int] = mapped_column(Integer)
    event: Mapped[PlanEvent] = mapped_column(enum_type(PlanEvent))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # From when the entry counts at an as-of date (DESIGN §4): when it was made in the
    # tracker; for a status moved in by the CSV import, 00:00 UTC of the day it holds from.
    effective_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_when_recorded
    )
    comment: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the canonical JSON of the snapshot, printed on the plan PDF.
    snapshot_sha256: Mapped[str] = mapped_column(String(64))

    plan: Mapped[Plan] = relationship(back_populates="versions", foreign_keys=[plan_id])
    actor: Mapped[Optional["User"]] = relationship()

    __table_args__ = (
        UniqueConstraint("plan_id", "number", "event", name="uq_plan_version_event"),
        # Covers what the statistics read of the history, for an index-only scan (0011).
        Index("ix_plan_version_history", "plan_id", "event", "effective_at"),
        # Whether anything takes effect after a date (tracker.queries.recorded, 0014), and
        # which plans were approved by one, from the index alone (0015).
        Index("ix_plan_version_effective_at", "effective_at", "event", "plan_id"),
    )

    def __repr__(self) -> str:
        return f"<PlanVersion {self.plan_id} #{self.number} {self.event}>"
