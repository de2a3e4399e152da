"""Segment counting: GSM-7 with its extension table, UCS-2 in UTF-16 code units."""

from __future__ import annotations

import pytest

from outreach_bot.messaging.segments import Segments, is_gsm7, measure


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Segments(1, "GSM-7")),
        ("a" * 160, Segments(1, "GSM-7")),
        ("a" * 161, Segments(2, "GSM-7")),
        ("a" * 306, Segments(2, "GSM-7")),
        ("a" * 307, Segments(3, "GSM-7")),
        # Extension characters cost two septets each.
        ("€" * 80, Segments(1, "GSM-7")),
        ("€" * 81, Segments(2, "GSM-7")),
        ("{}" * 40 + "a", Segments(2, "GSM-7")),
        # An escape sequence is never split across parts: 152 + [€] + 152 needs three parts.
        ("a" * 152 + "€" + "a" * 152, Segments(3, "GSM-7")),
        ("Line one\nLine two @ £5 ¿Qué? Ñu", Segments(1, "GSM-7")),
        ("Ñandú", Segments(1, "UCS-2")),  # GSM-7 has ù but not ú
        ("ç", Segments(1, "UCS-2")),  # only the capital Ç is in GSM-7
        ("á", Segments(1, "UCS-2")),  # GSM-7 has à but not á
        ("ệ" * 70, Segments(1, "UCS-2")),
        ("ệ" * 71, Segments(2, "UCS-2")),
        ("ệ" * 134, Segments(2, "UCS-2")),
        ("ệ" * 135, Segments(3, "UCS-2")),
        ("停止", Segments(1, "UCS-2")),
        ("توقف", Segments(1, "UCS-2")),
        # Emoji are two UTF-16 code units.
        ("😀" * 35, Segments(1, "UCS-2")),
        ("😀" * 36, Segments(2, "UCS-2")),
        # A surrogate pair is never split: 66 + [😀] + 66 needs three parts.
        ("a" * 66 + "😀" + "a" * 66, Segments(3, "UCS-2")),
    ],
)
def test_measure(text: str, expected: Segments) -> None:
    assert measure(text) == expected


def test_one_non_gsm_character_switches_the_whole_text_to_ucs2() -> None:
    text = "We missed Ana at school today. " * 2 + "🙂"
    assert measure(text.replace("🙂", "")) == Segments(1, "GSM-7")
    assert measure(text).encoding == "UCS-2"
    assert measure(text).count == 1  # 62 characters + 2 code units


def test_gsm7_alphabet_edges() -> None:
    assert is_gsm7("@$_ΔΦΓΛΩΠΨΣΘΞ ÆæßÉ ÄÖÑÜ§ äöñüà")
    assert is_gsm7("^{}\\[~]|€\f")
    assert not is_gsm7("\x1b")  # the escape code itself is not a character
    assert not is_gsm7("`")
    assert not is_gsm7("’")  # a curly apostrophe forces UCS-2
