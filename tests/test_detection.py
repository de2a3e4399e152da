"""Offering a language switch only when a reply is clearly in another supported language."""

from __future__ import annotations

import pytest

from outreach_bot.i18n.detection import count_words, detect_switch


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("mi hijo está enfermo hoy", "en", "es"),
        ("no tenemos carro para llevarlo", "en", "es"),
        ("con tôi bị ốm hôm nay", "en", "vi"),
        ("我的孩子今天生病了", "en", "zh-Hans"),
        ("我們沒有車可以送他", "en", "zh-Hant"),
        ("ابني مريض اليوم", "en", "ar"),
        ("ang anak ko ay may sakit ngayon", "en", "tl"),
        ("제 아이가 오늘 아파요", "en", "ko"),
        ("мой сын сегодня болеет", "en", "ru"),
        ("мій син сьогодні хворіє", "ru", "uk"),
        ("pitit mwen an malad jodi a", "en", "ht"),
        ("wiilkayga wuu xanuunsan yahay maanta", "en", "so"),
        ("meu filho está doente hoje", "es", "pt"),
        ("ਮੇਰਾ ਪੁੱਤਰ ਅੱਜ ਬਿਮਾਰ ਹੈ", "en", "pa"),
        ("my son is sick today", "es", "en"),
        ("my son is sick today", "es-MX", "en"),
    ],
)
def test_a_clear_reply_in_another_language_suggests_it(text, current, expected):
    assert detect_switch(text, current) == expected


@pytest.mark.parametrize(
    ("text", "current"),
    [
        # One word, or too slight to go on, never.
        ("gracias", "en"), ("Sí", "en"), ("bus", "es"), ("1", "vi"), ("谢谢", "en"),
        ("ok thank you", "es"), ("ok gracias", "en"), ("STOP", "es"), ("", "en"),
        # Already in the family's language (or its script variant).
        ("mi hijo esta enfermo", "es"), ("mi hijo esta enfermo", "es-MX"),
        ("我的孩子今天生病了", "zh-Hant"), ("my son is sick today", "en"),
        # Names and mixed replies are not clear enough.
        ("Maria is sick", "es"), ("Hola buenos dias", "en"), ("can someone call me", "es"),
        # No detector model for Hmong: never a wrong guess.
        ("kuv tus tub mob hnub no", "en"),
    ],
)  # fmt: skip
def test_nothing_is_suggested_for_unclear_or_short_replies(text, current):
    assert detect_switch(text, current) is None


def test_one_word_never_suggests_a_switch_whatever_the_language():
    for word in ("enfermo", "ốm", "生病了", "مريض", "болеет", "malad", "xanuunsan", "doente"):
        assert count_words(word) <= 2
        assert detect_switch(word, "en") is None


def test_words_are_counted_as_a_parent_writes_them():
    assert count_words("ok, my son is sick") == 2
    assert count_words("我的孩子今天生病了") == 5
    assert count_words("제 아이가 오늘 아파요") == 4
