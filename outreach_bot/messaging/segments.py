"""How many SMS segments a text costs, and in which encoding (GSM-7 or UCS-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 basic character set (the escape code 0x1B is left out: it is not a character).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these is sent as escape + character, so it costs two septets.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM_ANY = GSM_BASIC | GSM_EXTENSION
_GSM_EXTENSION_CHARS = tuple(GSM_EXTENSION)

GSM_SINGLE_LIMIT = 160  # septets in a text that fits one segment
GSM_PART_LIMIT = 153  # septets per part once a user-data header is needed
UCS2_SINGLE_LIMIT = 70  # UTF-16 code units in one segment
UCS2_PART_LIMIT = 67  # UTF-16 code units per part
# The most a text to a family may cost: `flows check` fails a text or resource sheet that
# needs more in any language, measured with long, realistic values.
MAX_SEGMENTS = 3


@dataclass(frozen=True)
class Segments:
    """A text's cost: how many segments, in which encoding."""

    count: int
    encoding: Encoding


def is_gsm7(text: str) -> bool:
    """True when every character of `text` has a GSM-7 encoding."""
    return _GSM_ANY.issuperset(text)


def _gsm_units(text: str) -> list[int]:
    return [2 if char in GSM_EXTENSION else 1 for char in text]


def _ucs2_units(text: str) -> list[int]:
    # Characters outside the Basic Multilingual Plane (most emoji) are surrogate pairs.
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _count(units: list[int], single_limit: int, part_limit: int) -> int:
    if sum(units) <= single_limit:
        return 1
    # Phones never split an escape sequence or a surrogate pair across two parts, so a
    # two-unit character that does not fit at the end of a part starts the next one.
    parts, used = 1, 0
    for size in units:
        if used + size > part_limit:
            parts += 1
            used = 0
        used += size
    return parts


def measure(text: str) -> Segments:
    """Count the segments `text` will be split into (an empty text still counts as one)."""
    # Counted in C where the text has no two-unit character (nearly every text): then the
    # parts are simply as many as it takes, and no character is looked at one by one.
    if is_gsm7(text):
        size = len(text) + sum(map(text.count, _GSM_EXTENSION_CHARS))
        if size <= GSM_SINGLE_LIMIT:
            return Segments(1, "GSM-7")
        if size == len(text):
            return Segments(-(-size // GSM_PART_LIMIT), "GSM-7")
        return Segments(_count(_gsm_units(text), GSM_SINGLE_LIMIT, GSM_PART_LIMIT), "GSM-7")
    size = len(text.encode("utf-16-le", "surrogatepass")) // 2
    if size <= UCS2_SINGLE_LIMIT:
        return Segments(1, "UCS-2")
    if size == len(text):
        return Segments(-(-size // UCS2_PART_LIMIT), "UCS-2")
    return Segments(_count(_ucs2_units(text), UCS2_SINGLE_LIMIT, UCS2_PART_LIMIT), "UCS-2")
