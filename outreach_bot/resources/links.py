"""Short public links to a sheet's printable page: /r/<code> or /r/<code>/<language>.

A code names a barrier and a school (or the whole district), never a family or a student:
it is the first letters of a hash of the two, so it needs no table and never changes.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE

CODE_LENGTH = 7  # 32**7 codes: no two of a district's few thousand sheets share one


@dataclass(frozen=True)
class SheetAddress:
    """Which sheet a code names: a barrier, at a school or (school_id None) district-wide."""

    barrier: str
    school_id: str | None


def sheet_code(barrier: str, school_id: str | None) -> str:
    """The short code of a barrier's sheet at a school ('k3q7zpa')."""
    digest = hashlib.sha256(f"{barrier}\x00{school_id or ''}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH].lower()


def sheet_url(base_url: str, barrier: str, school_id: str | None, language: str) -> str:
    """The public address of a sheet in a language; English, the source, needs no suffix."""
    path = f"{base_url.rstrip('/')}/r/{sheet_code(barrier, school_id)}"
    return path if language == SOURCE_LANGUAGE else f"{path}/{language}"


def find_sheet(
    code: str, barriers: Iterable[str], school_ids: Iterable[str | None]
) -> SheetAddress | None:
    """The sheet a code names, among every barrier at every school (None: not one of ours)."""
    code = code.lower()
    schools = list(school_ids)
    for barrier in barriers:
        for school_id in schools:
            if sheet_code(barrier, school_id) == code:
                return SheetAddress(barrier, school_id)
    return None
