"""Phone numbers are stored in E.164 or not at all, and errors never repeat the number."""

from __future__ import annotations

import pytest

from outreach_bot.phones import (
    display_phone,
    normalize_phone,
    normalize_service_number,
    sender_phone,
)


@pytest.mark.parametrize(
    "raw",
    [
        "(503) 555-0142",
        "503-555-0142",
        "503.555.0142",
        "5035550142",
        "1 503 555 0142",
        "+1 (503) 555-0142",
        "  503 555 0142  ",
        "+15035550142",
    ],
)
def test_common_us_formats_become_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+15035550142"


def test_a_number_abroad_keeps_its_country_code() -> None:
    assert normalize_phone("+52 55 1234 5678") == "+525512345678"


def test_the_region_decides_how_a_national_number_is_read() -> None:
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "the phone number is empty"),
        ("call me", "the value is not a phone number"),
        ("555-0142", "the phone number has too few digits"),
        ("503-555-01", "the phone number has too few digits"),
        ("503-555-0142-99", "the phone number has too many digits"),
        # 555 is not an area code in use: the right length is not enough.
        ("(555) 555-0142", "the phone number is not in use anywhere"),
        ("(503) 555-0142 ext. 12", "the phone number has an extension"),
    ],
)
def test_a_bad_number_is_refused_with_a_sentence(raw: str, expected: str) -> None:
    with pytest.raises(ValueError, match="expected|check the digits") as caught:
        normalize_phone(raw)
    assert str(caught.value).startswith(expected)


def test_errors_never_repeat_the_number_given() -> None:
    with pytest.raises(ValueError) as caught:
        normalize_phone("(971) 555-01")
    assert "971" not in str(caught.value)


@pytest.mark.parametrize(("raw", "stored"), [("211", "211"), ("9-8-8", "988"), ("311", "311")])
def test_a_resource_may_give_a_service_number(raw: str, stored: str) -> None:
    assert normalize_service_number(raw) == stored
    with pytest.raises(ValueError):
        normalize_phone(raw)  # a guardian's phone must be one that can get texts


def test_a_resource_number_is_otherwise_a_normal_phone() -> None:
    assert normalize_service_number("(503) 555-0110") == "+15035550110"
    with pytest.raises(ValueError, match="too few digits"):
        normalize_service_number("555-01")


def test_an_emergency_number_is_not_a_resource_number() -> None:
    with pytest.raises(ValueError, match="emergency number"):
        normalize_service_number("911")


def test_display_phone_writes_numbers_as_people_do() -> None:
    assert display_phone("+15035550142") == "(503) 555-0142"
    assert display_phone("+525512345678") == "+52 55 1234 5678"
    assert display_phone("211") == "211"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("+15035550142", "+15035550142"),  # as Twilio sends it
        ("+525512345678", "+525512345678"),
        ("(503) 555-0142", "+15035550142"),
        ("+1 (503) 555-0142", "+15035550142"),
        ("+15555550100", "+15555550100"),  # a fictional number is kept as it came
        ("24273", "24273"),  # a short code
        ("MapleValley-School-Alerts", "MapleValley-School-A"),  # a name, cut to 20
    ],
)
def test_a_senders_number_is_stored_in_e164_or_as_given(raw: str, stored: str) -> None:
    assert sender_phone(raw) == stored


@pytest.mark.parametrize("raw", ["+15035550142", "+442079460958", "+525512345678", "+12025550143"])
def test_a_sender_in_canonical_e164_is_what_normalizing_would_give(raw: str) -> None:
    assert sender_phone(raw) == normalize_phone(raw)
