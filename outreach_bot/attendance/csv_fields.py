"""Reading one cell of an SIS export: dates, yes/no, grades, zips, attendance statuses.

Each reader takes a stripped, non-empty cell and returns the stored value, or raises
ValueError with the end of a sentence: what was found, then what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach_bot.i18n.languages import normalize_language

Reader = Callable[[str], object]

_TRUE = frozenset({"y", "yes", "true", "t", "1"})
_FALSE = frozenset({"n", "no", "false", "f", "0"})
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ZIP = re.compile(r"^(\d{5})(-\d{4})?$")
_GRADE_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
)
_GRADES = {
    **{
        alias: "PK"
        for alias in (
            "pk",
            "p",
            "prek",
            "pre k",
            "pre kindergarten",
            "preschool",
            "prekindergarten",
            "preschool/prekindergarten",
        )
    },
    **{alias: "K" for alias in ("k", "kg", "0", "00", "kindergarten")},
    "-1": "PK",
    "-2": "PK",  # PowerSchool's numbers for pre-kindergarten
    "tk": "TK",
    "transitional kindergarten": "TK",
    "ug": "UG",
    "ungraded": "UG",
    **{str(n): str(n) for n in range(1, 13)},
    **{f"{n:02d}": str(n) for n in range(1, 13)},
    **{f"{word} grade": str(n) for n, word in enumerate(_GRADE_WORDS, start=1)},
}
# Daily attendance statuses, with the Ed-Fi attendance event category names.
_STATUSES = {
    "present": "present",
    "absent": "absent",
    "tardy": "tardy",
    "excused": "excused",
    "unexcused": "unexcused",
    "in attendance": "present",
    "excused absence": "excused",
    "unexcused absence": "unexcused",
    "early departure": "present",
    "partial": "present",
}


def shown(value: str) -> str:
    """A found value quoted for a message, cut short when long."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


@dataclass(frozen=True)
class Text:
    """A reader for free text of at most `max_length` characters (a class, so that a COPY-ed
    file's text can be checked inside the database by the same length)."""

    max_length: int

    def __call__(self, value: str) -> str:
        if len(value) > self.max_length:
            raise ValueError(
                f"the value is {len(value)} characters long; expected at most {self.max_length}"
            )
        return value


def text(max_length: int) -> Text:
    """A reader for free text of at most `max_length` characters."""
    return Text(max_length)


def identifier(value: str) -> str:
    """An SIS id: up to 64 characters, no spaces."""
    if len(value) > 64 or any(char.isspace() for char in value):
        raise ValueError(f"{shown(value)} is not an id; expected up to 64 characters, no spaces")
    return value


def boolean(value: str) -> bool:
    """Y/N, yes/no, true/false or 1/0, in any case."""
    folded = value.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"{shown(value)} is not yes or no; expected Y or N")


def school_date(value: str) -> date:
    """YYYY-MM-DD, or M/D/YYYY as many SIS exports write it."""
    try:
        match = _US_DATE.match(value)
        if match:
            month, day, year = (int(part) for part in match.groups())
            found = date(year, month, day)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            found = date.fromisoformat(value)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{shown(value)} is not a date; expected YYYY-MM-DD (such as 2025-09-03) or M/D/YYYY"
        ) from None
    if not 1900 <= found.year <= 2100:
        raise ValueError(f"{shown(value)} is not a likely date; expected a year from 1900 to 2100")
    return found


def zip_code(value: str) -> str:
    """A US ZIP code, stored as its five digits (ZIP+4 is cut to five)."""
    match = _ZIP.match(value)
    if not match:
        hint = " (a spreadsheet may have dropped its leading zero)" if value.isdigit() else ""
        raise ValueError(
            f"{shown(value)} is not a ZIP code{hint}; expected five digits such as 97201"
        )
    return match.group(1)


def grade(value: str) -> str:
    """A grade level: PK, TK, K, 1-12 or UG (ungraded), from the usual ways SIS exports write it."""
    if re.fullmatch(r"[+-]?\d+", value):
        found = _GRADES.get(value)  # numbers are looked up whole: "-1" is PK, never grade 1
    else:
        key = " ".join(value.casefold().replace("-", " ").replace("_", " ").split())
        found = _GRADES.get(key) or _GRADES.get(key.replace(" ", ""))
    if found is None:
        raise ValueError(f"{shown(value)} is not a grade; expected a grade such as K or 3")
    return found


def attendance_status(value: str) -> str:
    """present, absent, tardy, excused or unexcused; Ed-Fi category names are read too."""
    key = " ".join(value.rpartition("#")[2].casefold().replace("_", " ").replace("-", " ").split())
    found = _STATUSES.get(key)
    if found is None:
        raise ValueError(
            f"{shown(value)} is not an attendance status; expected present, absent, tardy,"
            " excused or unexcused (or an Ed-Fi category such as Excused Absence)"
        )
    return found


def minutes(value: str) -> int:
    """Minutes missed in one day: a whole number from 0 to 1440."""
    if not value.isdigit() or int(value) > 24 * 60:
        raise ValueError(
            f"{shown(value)} is not a number of minutes; expected a whole number such as 45"
        )
    return int(value)


def timezone(value: str) -> str:
    """An IANA time zone name such as America/Los_Angeles."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{shown(value)} is not a time zone; expected a name such as America/Los_Angeles"
        ) from None
    return value


def web_address(value: str) -> str:
    """A web address; a bare one such as www.example.org gets https:// in front."""
    address = value if "://" in value else f"https://{value}"
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in address:
        raise ValueError(
            f"{shown(value)} is not a web address; expected one such as https://example.org"
        )
    if len(address) > 500:
        raise ValueError(f"the web address is {len(address)} characters long; expected at most 500")
    return address


def languages(value: str) -> str:
    """A comma- or semicolon-separated list of languages, stored as tags: 'en,es,vi'."""
    tags: list[str] = []
    for part in re.split(r"[,;]", value):
        if part.strip():
            tag = normalize_language(part)
            if tag not in tags:
                tags.append(tag)
    stored = ",".join(tags)
    if len(stored) > 200:
        raise ValueError(
            "the list of languages is too long; expected at most 200 characters of tags"
        )
    return stored
