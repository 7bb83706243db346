"""An uploaded CSV file waiting between its preview and the coordinator's confirmation."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, utcnow


class PendingUpload(Base):
    """Kept in the database, so any app server may receive the confirmation."""

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )

    def __repr__(self) -> str:
        return f"<PendingUpload {self.kind} by {self.user_id}>"
