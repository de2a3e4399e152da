"""Who the district serves: schools, students, guardians and the phones they answer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach_bot.db import Base, UTCDateTime


class School(Base):
    """A school, keyed by the student information system's school id."""

    __tablename__ = "schools"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    zip: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))


class Student(Base):
    """A student, keyed by the student information system's student id."""

    __tablename__ = "students"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # No foreign key to schools (0019), as guardians have none to students: PostgreSQL would
    # check it a row at a time, the cost of a large import. Every writer checks its schools
    # first, and nothing deletes a school; see docs/architecture.md.
    school_id: Mapped[str] = mapped_column(String(64), index=True)
    grade: Mapped[str] = mapped_column(String(8))
    zip: Mapped[str | None] = mapped_column(String(10))
    birth_date: Mapped[date | None]
    english_learner: Mapped[bool | None]
    iep: Mapped[bool | None]
    low_income: Mapped[bool | None]
    race_ethnicity: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(32))
    # Enrolment at this school, from the district's data: days outside it are not theirs to
    # miss, and nobody is texted about a student whose exit date has passed.
    entry_date: Mapped[date | None]
    exit_date: Mapped[date | None]  # the last day enrolled

    # Joined on the columns, there being no foreign key to say how.
    school: Mapped[School] = relationship(primaryjoin="foreign(Student.school_id) == School.id")
    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="student",
        order_by="Guardian.id",
        primaryjoin="Student.id == foreign(Guardian.student_id)",
    )


class Guardian(Base):
    """A parent or caregiver who can be texted about one student."""

    __tablename__ = "guardians"
    __table_args__ = (UniqueConstraint("student_id", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by the unique (student_id, phone) index, which student_id leads (0017). No
    # foreign key to students (0019): every writer checks its students first, and nothing
    # deletes a student; see docs/architecture.md.
    student_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(35))
    relationship_to_student: Mapped[str | None] = mapped_column("relationship", String(64))
    sms_consent: Mapped[bool] = mapped_column(default=True)
    # The postal address letters go to, when the district's data has one.
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(50))
    zip: Mapped[str | None] = mapped_column(String(10))

    student: Mapped[Student] = relationship(
        back_populates="guardians", primaryjoin="foreign(Guardian.student_id) == Student.id"
    )


class PhoneNumber(Base):
    """What we know about one phone number, shared by every guardian who uses it."""

    __tablename__ = "phone_numbers"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opt_out_source: Mapped[str | None] = mapped_column(String(32))
    undeliverable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undeliverable_code: Mapped[str | None] = mapped_column(String(16))
    # A staff member holding the conversation: the bot stays silent until they release it.
    held_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def opted_out(self) -> bool:
        """True while the family has asked for no texts."""
        return self.opted_out_at is not None
