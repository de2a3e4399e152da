"""Pytest fixtures for the Twilio double; load with `pytest_plugins = ["tests.twilio_fixtures"]`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.twilio_double import TwilioDouble

SENDER = "+15035550100"
MESSAGING_SERVICE_SID = "MG" + "0" * 30 + "17"


@pytest.fixture
def twilio_double() -> Iterator[TwilioDouble]:
    """A running local double of Twilio's Messages API."""
    with TwilioDouble() as double:
        yield double


@pytest.fixture
def twilio_settings(twilio_double: TwilioDouble) -> dict[str, object]:
    """App settings that send through the real twilio library to the double."""
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": twilio_double.account_sid,
        "TWILIO_AUTH_TOKEN": twilio_double.auth_token,
        "TWILIO_FROM_NUMBER": SENDER,
        "TWILIO_API_BASE_URL": twilio_double.base_url,
        "TWILIO_TIMEOUT_SECONDS": 2.0,
        "PUBLIC_BASE_URL": "https://outreach.example.org",
        # Far above what a test sends: the sender's rate is tested in test_send_rate.py.
        "SEND_SEGMENTS_PER_SECOND": 10_000,
    }
