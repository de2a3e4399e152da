"""A truancy notice as a printable letter in the family's language: HTML laid out by WeasyPrint.

Each letter is a page (or more) of US Letter paper: the district's letterhead, the family's
address where a #10 window envelope shows it, then the notice in the family's language (right
to left for Arabic, Persian, Pashto and Urdu), the days counted, and the school's phone.
A letter in another language than English is followed, on a page of its own, by the same
letter in English, for whoever helps the family read it and for the school's own record.

A paragraph the family's catalog lacks is printed in English rather than left out: the law
requires every item. `outreach-bot flows check` reports such gaps before they reach paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from weasyprint import HTML

from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE
from outreach_bot.i18n.formatting import format_date, format_long_date
from outreach_bot.i18n.languages import text_direction
from outreach_bot.notices.content import LOCALES, NoticeContent, notice_content
from outreach_bot.phones import display_phone

_TEMPLATES = Environment(
    loader=PackageLoader("outreach_bot.notices", "templates"),
    autoescape=select_autoescape(["html"]),
)


@dataclass(frozen=True)
class Letter:
    """Everything one notice letter says, and to whom it goes."""

    language: str
    district_name: str
    district_address_lines: tuple[str, ...]
    school_name: str
    school_phone: str
    guardian_name: str
    address_lines: tuple[str, ...]
    student_name: str
    stage: str
    content_keys: tuple[str, ...]
    absence_dates: tuple[date, ...]
    issued_on: date


@dataclass(frozen=True)
class Passage:
    """A piece of a letter in the language it is printed in (English when a text is missing)."""

    text: str
    language: str

    @property
    def direction(self) -> str:
        """'rtl' or 'ltr', for the element's dir attribute."""
        return text_direction(self.language)


@dataclass(frozen=True)
class LetterText:
    """A letter's words in one language, ready for the template."""

    language: str
    direction: str
    issued_on: str
    title: Passage
    body: tuple[Passage, ...]  # the greeting, the opening, then the required content
    dates_heading: Passage
    dates: tuple[str, ...]
    call_school: Passage
    closing: Passage


def letter_text(letter: Letter, language: str, locales_dir: Path = LOCALES) -> LetterText:
    """The letter's words in a catalog language, each falling back to English on its own."""
    content = notice_content(locales_dir)
    values = {
        "student": letter.student_name,
        "guardian": letter.guardian_name,
        "school": letter.school_name,
        "phone": display_phone(letter.school_phone),
    }

    def passage(key: str) -> Passage:
        return _passage(content, key, language, values)

    # With no parent's name on file, the letter greets the student's family.
    greeting = "letter.dear" if letter.guardian_name.strip() else "letter.dear_family"

    return LetterText(
        language=language,
        direction=text_direction(language),
        issued_on=format_long_date(letter.issued_on, language),
        title=passage(f"title.{letter.stage}"),
        body=tuple(passage(key) for key in (greeting, "letter.opening", *letter.content_keys)),
        dates_heading=passage("letter.dates_heading"),
        dates=tuple(format_date(day, language) for day in sorted(letter.absence_dates)),
        call_school=passage("letter.call_school"),
        closing=passage("letter.closing"),
    )


def _passage(content: NoticeContent, key: str, language: str, values: dict[str, str]) -> Passage:
    text = content.text(key, language)
    if text is None:
        language = SOURCE_LANGUAGE
        text = content.text(key, language)
    if text is None:
        raise KeyError(f"no notice text has the key {key!r}: add it to locales/notices.pot")
    return Passage(text.format_map(values), language)


def letter_language(letter: Letter, locales_dir: Path = LOCALES) -> str:
    """The catalog language the letter is written in: the family's, or English if none."""
    return notice_content(locales_dir).choose(letter.language)


@dataclass(frozen=True)
class PrintedLetter:
    """A letter as printed: in the family's language, then in English when that is another."""

    letter: Letter
    versions: tuple[LetterText, ...]
    school_phone: str


def printed_letter(letter: Letter, locales_dir: Path = LOCALES) -> PrintedLetter:
    """The versions a letter is printed in, in order."""
    language = letter_language(letter, locales_dir)
    languages = [language] if language == SOURCE_LANGUAGE else [language, SOURCE_LANGUAGE]
    return PrintedLetter(
        letter,
        tuple(letter_text(letter, each, locales_dir) for each in languages),
        display_phone(letter.school_phone),
    )


def _html(letters: Sequence[Letter], locales_dir: Path) -> str:
    printed = [printed_letter(letter, locales_dir) for letter in letters]
    return _TEMPLATES.get_template("letter.html").render(letters=printed)


def letter_html(letter: Letter, locales_dir: Path = LOCALES) -> str:
    """One letter as an HTML page (its English version after it), for a browser or WeasyPrint."""
    return _html([letter], locales_dir)


def letter_pdf(letters: Sequence[Letter], locales_dir: Path = LOCALES) -> bytes:
    """One PDF of the letters in order, each starting on a new page (a day's batch to print).

    The batch is one HTML document laid out once: fonts are loaded and shaped once for all.
    """
    if not letters:
        raise ValueError("no letters to print")
    return bytes(HTML(string=_html(letters, locales_dir)).render().write_pdf())
