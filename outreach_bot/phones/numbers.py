"""Phone numbers as stored: E.164 (+15035550142), or not at all; read, checked, shown.

Error messages never repeat the number itself, so they are safe to log and to show anywhere.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult, shortnumberinfo

from outreach_bot.phones.nanp import nanp_e164

EXAMPLE = "(503) 555-0142"
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")

_TEN_DIGITS = f"expected 10 digits with the area code, such as {EXAMPLE}"
_TOO_FEW = f"the phone number has too few digits; {_TEN_DIGITS}"
_TOO_MANY = f"the phone number has too many digits; {_TEN_DIGITS}"
_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: (
        f"the phone number starts with an unknown country code; expected a number such as {EXAMPLE}"
        " or, outside the US, + and the country code"
    ),
    NumberParseException.NOT_A_NUMBER: (
        f"the value is not a phone number; expected a number such as {EXAMPLE}"
    ),
    NumberParseException.TOO_SHORT_AFTER_IDD: _TOO_FEW,
    NumberParseException.TOO_SHORT_NSN: _TOO_FEW,
    NumberParseException.TOO_LONG: _TOO_MANY,
}
_LENGTH_ERRORS = {
    ValidationResult.TOO_SHORT: _TOO_FEW,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: _TOO_FEW,
    ValidationResult.TOO_LONG: _TOO_MANY,
    ValidationResult.INVALID_LENGTH: (
        f"the phone number has the wrong number of digits; expected a number such as {EXAMPLE}"
    ),
    ValidationResult.INVALID_COUNTRY_CODE: _PARSE_ERRORS[NumberParseException.INVALID_COUNTRY_CODE],
}


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    text = raw.strip()
    if not text:
        raise ValueError(f"the phone number is empty; expected a number such as {EXAMPLE}")
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as error:
        fallback = _PARSE_ERRORS[NumberParseException.NOT_A_NUMBER]
        raise ValueError(_PARSE_ERRORS.get(error.error_type, fallback)) from None


def normalize_phone(raw: str, region: str = "US") -> str:
    """The number in E.164; ValueError (never echoing the number) when it is not a valid one."""
    if region == "US":
        # Nearly every number a US district holds: read without the full parse (nanp).
        e164 = nanp_e164(raw.strip())
        if e164 is not None:
            return e164
    return library_phone(raw, region)


def library_phone(raw: str, region: str = "US") -> str:
    """normalize_phone by the phonenumbers library alone, for every shape and every error."""
    number = _parse(raw, region)
    if number.extension:
        raise ValueError(
            "the phone number has an extension, and texts cannot reach one;"
            " expected a number without an extension"
        )
    if not phonenumbers.is_valid_number(number):
        reason = phonenumbers.is_possible_number_with_reason(number)
        raise ValueError(
            _LENGTH_ERRORS.get(
                reason,
                "the phone number is not in use anywhere (its area code or exchange does not"
                " exist); check the digits",
            )
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def sender_phone(raw: str) -> str:
    """A text's sender as stored: E.164, or, for a short code or a name, as given (20 at most).

    Twilio sends senders in canonical E.164 already, so a sender in that shape is kept as it
    came, without a parse on each webhook; for a canonical number, normalizing gives it back.
    """
    if _E164.fullmatch(raw):
        return raw
    try:
        return normalize_phone(raw)
    except ValueError:
        return raw[:20]


def normalize_service_number(raw: str, region: str = "US") -> str:
    """A number people call: E.164, or a three-digit service number such as 211 or 988."""
    number = _parse(raw, region)
    # Only three-digit codes: longer short numbers are carriers' SMS codes, not lines to call.
    if (
        not number.extension
        and len(str(number.national_number)) == 3
        and shortnumberinfo.is_valid_short_number_for_region(number, region)
    ):
        if shortnumberinfo.is_emergency_number(raw.strip(), region):
            raise ValueError(
                "the phone number is an emergency number; expected the service's own number"
            )
        return str(number.national_number)
    return normalize_phone(raw, region)


def display_phone(e164: str) -> str:
    """An E.164 number as people write it at home: +15035550142 -> (503) 555-0142."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164  # a short code such as 211 is already how people write it
    if number.country_code == 1:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
