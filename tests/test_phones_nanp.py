"""The quick reading of NANP numbers says exactly what the phonenumbers library says."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from outreach_bot.phones import normalize_phone
from outreach_bot.phones.nanp import nanp_e164
from outreach_bot.phones.numbers import library_phone

# Area codes of every region that shares +1 (the US, Canada, the Caribbean), and some that
# are no region's: N11 service codes, 555, 0xx and 1xx, unassigned ones.
_REGIONS = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]
_AREAS = ["201", "212", "503", "555", "604", "416", "268", "787", "876", "911", "411", "800"]
_AREAS += ["999", "000", "100", "123", "289", "670", "684", "340", "441", "649", "721", "809"]
_SEPARATORS = ["", " ", "-", ".", "  ", "/", "--", " - ", "\t", "_"]
_PREFIXES = ["", "+1", "1", "+1 ", "1 ", "+1-", "1-", "+", "+2", "+44 ", "01", "011 1 ", "(1)"]
_SUFFIXES = ["", " ", " x12", " ext. 12", ";ext=3", "#", " a", "0", "00", ")", " \u200b"]


def _outcome(read: object, raw: str) -> tuple[str, str]:
    """("ok", E.164) or ("error", the message): what a reading of `raw` says."""
    try:
        return "ok", read(raw)  # type: ignore[operator]
    except ValueError as error:
        return "error", str(error)


@st.composite
def written_numbers(draw: st.DrawFn) -> str:
    """A phone number as a person or a spreadsheet might write it, right or wrong."""
    area = draw(st.sampled_from(_AREAS) | st.from_regex(r"[0-9]{3}", fullmatch=True))
    exchange = draw(
        st.sampled_from(["555", "200", "911", "123", "011"])
        | st.from_regex(r"[0-9]{3}", fullmatch=True)
    )
    line = draw(
        st.sampled_from(["0100", "0142", "0199", "1234"])
        | st.from_regex(r"[0-9]{3,5}", fullmatch=True)
    )
    first, second = draw(st.sampled_from(_SEPARATORS)), draw(st.sampled_from(_SEPARATORS))
    bracketed = draw(st.sampled_from(["plain", "(…)", "(…", "…)"]))
    shown = {"plain": area, "(…)": f"({area})", "(…": f"({area}", "…)": f"{area})"}[bracketed]
    prefix, suffix = draw(st.sampled_from(_PREFIXES)), draw(st.sampled_from(_SUFFIXES))
    gap = draw(st.sampled_from(["", " ", "-"]))
    pad = draw(st.sampled_from(["", " ", "  ", "\t", "\u00a0"]))
    number = f"{prefix}{gap if prefix else ''}{shown}{first}{exchange}{second}{line}{suffix}"
    return f"{pad}{number}{pad}"


_ANY_TEXT = st.text(alphabet="0123456789 +-.()xX#;=a\u0665", max_size=22)


@settings(max_examples=3000, deadline=None)
@given(written_numbers() | _ANY_TEXT)
@example("(503) 555-0142")
@example("+1 604 555 0142")  # Canada: valid for CA, not for the US
@example("+1 268 555 0142")  # Antigua: its own leading digits
@example("1 (555) 555-0142")
@example("+1 800 555 0142")  # toll free
@example("503-555-0142 x12")
@example("+52 55 1234 5678")
def test_the_quick_reading_says_what_the_library_says(raw: str) -> None:
    assert _outcome(normalize_phone, raw) == _outcome(library_phone, raw)


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(_REGIONS),
    st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True),
)
def test_every_plus_one_region_is_read_as_the_library_reads_it(region: str, digits: str) -> None:
    """Ten random digits are mostly in no region: the quick reading must send them on."""
    raw = f"+1 {digits}"
    assert _outcome(normalize_phone, raw) == _outcome(library_phone, raw)
    # The region given decides nothing for a number with its country code.
    assert _outcome(lambda r: normalize_phone(r, region), raw) == _outcome(library_phone, raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(503) 555-0142", "+15035550142"),
        ("503.555.0142", "+15035550142"),
        ("+1 (604) 555-0142", "+16045550142"),
        ("1-876-555-0142", "+18765550142"),
    ],
)
def test_the_usual_shapes_take_the_quick_reading(raw: str, expected: str) -> None:
    assert nanp_e164(raw) == expected


@pytest.mark.parametrize(
    "raw", ["(555) 555-0142", "503-555-0142 x12", "+52 55 1234 5678", "٥٠٣٥٥٥٠١٤٢", "(503 555-0142"]
)
def test_other_shapes_and_invalid_numbers_go_to_the_library(raw: str) -> None:
    assert nanp_e164(raw) is None
