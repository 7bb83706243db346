"""Reports made in the background: a large summary PDF, its progress and the file."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.domain.vocabulary import JobStatus
from tracker.models.base import Base, enum_type, utcnow


class ReportJob(Base):
    """One summary PDF asked for on the web: made by a worker, kept for its requester a day."""

    __tablename__ = "report_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address of its page: not guessable, though only the requester may open it anyway.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # {"faculty_id": …, "programme_id": …, "as_of": "YYYY-MM-DD", "locale": "nb"}
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ReportJob {self.id} {self.status} {self.done}/{self.total}>"
