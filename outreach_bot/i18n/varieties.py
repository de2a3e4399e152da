"""Which catalog a reader of one variety of a language can read, and why.

Falling back along a tag (es-MX -> es) is right when the shorter tag is written the same way.
It is wrong when it changes the script: Punjabi in Pakistan (pa-PK, pa-Arab, pnb) is written
in Shahmukhi, an Arabic script, and its readers do not read the Gurmukhi of a `pa` catalog.
So a fallback never crosses a script, and the varieties below name what their readers read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel.core import get_global


@dataclass(frozen=True)
class Variety:
    """A variety of a language whose readers read catalogs its tag alone would not reach."""

    tags: tuple[str, ...]
    name: str
    reads: tuple[str, ...]
    why: str


VARIETIES: tuple[Variety, ...] = (
    Variety(
        tags=("fa-AF", "prs"),
        name="Dari",
        reads=("fa-AF", "fa"),
        why="Dari is written in the Persian alphabet and its readers read Persian (fa) texts;"
        " it never falls to Pashto, the other language of Afghanistan.",
    ),
    Variety(
        tags=("pa-Arab", "pa-PK", "pnb", "lah"),
        name="Punjabi in Shahmukhi",
        reads=("pa-Arab", "ur"),
        why="Shahmukhi is an Arabic script: its readers read Urdu (ur) but not the Gurmukhi"
        " of the pa catalog.",
    ),
)


@cache
def variety_of(tag: str) -> Variety | None:
    """The variety a tag or one of its prefixes names ('pa-Arab-PK' -> Punjabi in Shahmukhi)."""
    parts = tag.split("-")
    for length in range(len(parts), 0, -1):
        prefix = "-".join(parts[:length])
        for variety in VARIETIES:
            if prefix in variety.tags:
                return variety
    return None


@cache
def script_of(tag: str) -> str | None:
    """The script a tag is written in: its own script subtag, else CLDR's likely one."""
    parts = tag.replace("_", "-").split("-")
    script = next((part.title() for part in parts[1:] if len(part) == 4 and part.isalpha()), None)
    if script is not None:
        return script
    likely = get_global("likely_subtags")
    region = next((part.upper() for part in parts[1:] if len(part) in (2, 3)), None)
    full = (likely.get(f"{parts[0]}_{region}") if region else None) or likely.get(parts[0], "")
    return next((part for part in full.split("_") if len(part) == 4), None)
