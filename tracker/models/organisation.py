"""Faculties and the programmes (or units) they hold."""

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base

if TYPE_CHECKING:
    from tracker.models.enrolment import Enrolment


class Faculty(Base):
    __tablename__ = "faculty"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    programmes: Mapped[list["Programme"]] = relationship(
        back_populates="faculty", order_by="Programme.code"
    )

    def __repr__(self) -> str:
        return f"<Faculty {self.code}>"


class Programme(Base):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    faculty_id: Mapped[int] = mapped_column(ForeignKey("faculty.id"), index=True)

    faculty: Mapped[Faculty] = relationship(back_populates="programmes")
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="programme")

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"
