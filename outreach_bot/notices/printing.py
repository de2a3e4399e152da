"""From notices in the database to the letters printed for them (the letter itself, its
layout and its legal wording in every language, is `letter.py` and `content.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from outreach_bot.models import Guardian, Notice, Student

if TYPE_CHECKING:
    from outreach_bot.notices.letter import Letter


class LetterIncomplete(ValueError):
    """A letter that would leave out what it must say; the message names what to add."""


def address_lines(guardian: Guardian | None) -> tuple[str, ...]:
    """A guardian's postal address as it goes on an envelope (empty when none is on file)."""
    if guardian is None:
        return ()
    city = " ".join(part for part in (guardian.city, guardian.state, guardian.zip) if part)
    if guardian.city and (guardian.state or guardian.zip):
        city = f"{guardian.city}, " + " ".join(p for p in (guardian.state, guardian.zip) if p)
    lines = (guardian.address_line1, guardian.address_line2, city)
    return tuple(line for line in lines if line)


def letter_for(
    session: Session,
    notice: Notice,
    rules_content: dict[str, tuple[str, ...]],
    district_name: str,
    district_address_lines: Sequence[str] = (),
) -> Letter:
    """The letter one notice prints as: who it goes to, about whom, saying what."""
    from outreach_bot.notices.letter import Letter

    student = session.get_one(Student, notice.student_id)
    if not student.school.phone:
        # The letter tells the family which number to call: never print it with a blank.
        raise LetterIncomplete(
            f"{student.school.name} ({student.school_id}) has no phone on file, and notice "
            f"{notice.id}'s letter must give it: add the school's phone (schools.csv, "
            "column phone) and print again"
        )
    guardian = session.get(Guardian, notice.guardian_id) if notice.guardian_id else None
    return Letter(
        language=notice.language,
        district_name=district_name,
        district_address_lines=tuple(district_address_lines),
        school_name=student.school.name,
        school_phone=student.school.phone,
        guardian_name=guardian.name if guardian else "",
        address_lines=address_lines(guardian),
        student_name=f"{student.first_name} {student.last_name}",
        stage=notice.stage,
        content_keys=rules_content[notice.stage],
        absence_dates=tuple(date.fromisoformat(day) for day in notice.absence_dates),
        issued_on=notice.issued_on,
    )


def letters_for(
    session: Session,
    notices: Sequence[Notice],
    flows_dir: Path,
    district_name: str,
    district_address_lines: Sequence[str] = (),
) -> list[Letter]:
    """The notices' letters, in order, each under the rules it was sent by (NoticeRulesError
    when a rules file no longer reads, LetterIncomplete when a letter would leave a gap)."""
    from outreach_bot.notices.rules import load_rules

    content: dict[str, tuple[str, ...]] = {}
    for state in sorted({notice.rules for notice in notices}):
        rules = load_rules(flows_dir, state)
        content |= {stage.name: tuple(stage.content) for stage in rules.stages}
    return [
        letter_for(session, notice, content, district_name, district_address_lines)
        for notice in notices
    ]


def notices_pdf(
    session: Session,
    notices: Sequence[Notice],
    rules_content: dict[str, tuple[str, ...]],
    district_name: str,
    locales_dir: Path | None = None,
    district_address_lines: Sequence[str] = (),
) -> bytes:
    """One PDF of these notices' letters, in order (a day's batch, or one letter), in the
    catalogs of `locales_dir` (LOCALES_DIR; None: the ones shipped)."""
    from outreach_bot.notices.letter import letter_pdf

    letters = [
        letter_for(session, n, rules_content, district_name, district_address_lines)
        for n in notices
    ]
    if locales_dir is None:
        return letter_pdf(letters)
    return letter_pdf(letters, locales_dir=locales_dir)
