"""A North American number as people write it, checked without parsing it in full.

`phonenumbers.parse` and `is_valid_number` take ~28 µs a number; a district's guardians.csv
has a distinct phone on nearly every row, and nearly all of them are written one of a few
ways: 10 digits with the usual separators, or +1 (or 1) and the 10 digits. For those, the
digits are read with one regular expression, and checked against the library's own metadata
for every region of country code 1 (the US, Canada and the Caribbean share it, and a number
is valid only where its area code is), compiled once, in the library's order. Anything else,
and any number this check does not find valid, is left to the library, which alone words
the errors: so a number reads here exactly as the library reads it, only sooner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneMetadata

# The shapes read here: [+1 or 1][sep](NPA) or NPA[sep]NXX[sep]XXXX, a sep being one space,
# dot or hyphen. ASCII digits only (the library reads other scripts' digits too).
_SHAPE = re.compile(
    r"(?:\+?1[ .-]?)?(?:\(([2-9][0-9]{2})\)|([2-9][0-9]{2}))[ .-]?([0-9]{3})[ .-]?([0-9]{4})"
)
_LENGTH = 10  # a NANP national number
# The kinds of number a region lists (phonenumberutil._number_type_helper's list): a number
# matching the general pattern and one of these has a type, which is what makes it valid.
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


@dataclass(frozen=True)
class _Region:
    """One region of country code 1: which numbers are its own, and which of them are valid."""

    leading: re.Pattern[str] | None  # the area codes that are this region's (None: US)
    general: re.Pattern[str] | None
    typed: re.Pattern[str] | None

    def has_type(self, digits: str) -> bool:
        """phonenumberutil._number_type_helper(digits) != UNKNOWN, for 10 digits."""
        return (
            self.general is not None
            and self.typed is not None
            and self.general.fullmatch(digits) is not None
            and self.typed.fullmatch(digits) is not None
        )


def _pattern(desc: object) -> str | None:
    """A description's national pattern when a 10-digit number may match it
    (phonenumberutil._is_number_matching_desc)."""
    if desc is None:
        return None
    lengths = getattr(desc, "possible_length", None) or ()
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern or (len(lengths) > 0 and _LENGTH not in lengths):
        return None
    return str(pattern)


def _region(code: str) -> _Region | None:
    metadata = PhoneMetadata.metadata_for_region(code, None)
    if metadata is None:
        return None
    general = _pattern(metadata.general_desc)
    typed = [p for p in (_pattern(getattr(metadata, name)) for name in _TYPES) if p]
    return _Region(
        re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None,
        re.compile(general) if general else None,
        re.compile("|".join(f"(?:{p})" for p in typed)) if typed else None,
    )


# In the library's order: the first region whose leading digits match is the number's.
_REGIONS = tuple(
    region
    for region in map(_region, phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
    if region is not None
)


def nanp_e164(text: str) -> str | None:
    """The stripped `text` in E.164 when it is plainly a valid NANP number; None when the
    library must decide (another shape, another country, or a number not valid)."""
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        return None
    area, bare, exchange, line = shape.groups()
    digits = f"{area or bare}{exchange}{line}"
    return f"+1{digits}" if _valid(digits) else None


def _valid(digits: str) -> bool:
    """phonenumbers.is_valid_number for +1 and these 10 digits."""
    for region in _REGIONS:
        if region.leading is not None:
            if region.leading.match(digits):
                return region.has_type(digits)
        elif region.has_type(digits):
            return True
    return False
