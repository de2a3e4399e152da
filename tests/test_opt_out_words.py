"""Opt-out words as families write them: politely, in a sentence, on another keyboard.

A missed STOP is a text nobody may send; a false STOP silences a family who needs help. So
every class below is tested both ways, in several languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach_bot.engine.library import load_library
from outreach_bot.engine.matching import fold, match_choice
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES
from outreach_bot.messaging.keywords import classify_keyword
from outreach_bot.messaging.opt_words import POLITE

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Catalogs(ROOT / "locales")
LIBRARY = load_library(ROOT / "flows")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("alto por favor", "es"),
        ("Por favor, ALTO", "es"),
        ("stop po", "tl"),
        ("STOP po", "en"),  # the guardian's language on file may be wrong
        ("стоп пожалуйста", "ru"),
        ("Стоп, будь ласка", "uk"),
        ("please stop", "en"),
        ("Stop now thanks", "en"),
        ("parar, obrigado", "pt"),
        ("请停止", "zh-Hans"),
        ("停止，謝謝", "zh-Hant"),
        ("توقف من فضلك", "ar"),
        ("لطفا لغو", "fa"),
        ("jooji fadlan", "so"),
        ("tanpri sispann", "ht"),
        ("thov nres", "hmn"),
        ("xin dừng lại", "vi"),
    ],
)
def test_a_keyword_with_polite_words_around_it_opts_out(text: str, language: str) -> None:
    assert classify_keyword(text, language) == "stop"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("please stop sending me messages", "en"),
        ("Quit texting me.", "en"),
        ("I don't want any more texts", "en"),
        ("Remove my number from your list", "en"),
        ("no me manden más mensajes", "es"),
        ("Ya no me escriban, gracias", "es"),
        ("Dejen de mandarme mensajes por favor", "es"),
        ("Não quero receber mais mensagens", "pt"),
        ("Больше не присылайте мне сообщения", "ru"),
        ("Не надсилайте мені повідомлення", "uk"),
        ("Đừng gửi tin nhắn cho tôi nữa", "vi"),
        ("请不要再给我发短信了", "zh-Hans"),
        ("不要再傳訊息給我", "zh-Hant"),
        ("لا ترسلوا لي رسائل بعد الآن", "ar"),
        ("wag na po kayong mag text", "tl"),
        ("더 이상 문자 보내지 마세요", "ko"),
        ("لطفا دیگر به من پیامک نفرستید", "fa"),
        ("ما ته نور پیغام مه لېږئ", "ps"),
        ("mainu hor message na bhejo", "pa"),
        ("Pa voye m mesaj ankò", "ht"),
        ("Fariimo ha ii soo dirin mar dambe", "so"),
        ("Txhob xa xov tuaj rau kuv ntxiv", "hmn"),
        # One clause is enough: what follows it does not take the opt-out back.
        ("Stop texting me. I will call the school myself", "en"),
    ],
)
def test_an_opt_out_sentence_opts_out(text: str, language: str) -> None:
    assert classify_keyword(text, language) == "stop"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("the bus stop is far", "en"),
        ("I can't stop worrying about her", "en"),
        ("No, text me instead", "en"),
        ("I didn't get the text", "en"),
        ("please send me the message again", "en"),
        ("end of the day works", "en"),
        ("la parada del autobús está lejos", "es"),
        ("no recibí el mensaje", "es"),
        ("no puedo dejar de preocuparme", "es"),
        ("não recebi a mensagem", "pt"),
        ("я не получил сообщение", "ru"),
        ("Tôi không nhận được tin nhắn", "vi"),
        ("Tôi không tin", "vi"),  # "I don't believe it"
        ("No mandé el texto", "es"),  # "I didn't send the text"
        ("mwen pa voye mesaj", "ht"),  # "I didn't send a message"
        ("我没收到短信", "zh-Hans"),
        ("不要紧", "zh-Hans"),
        ("문자 받았어요", "ko"),
        ("لم تصلني الرسالة", "ar"),
        ("absent po siya today", "tl"),
        ("mwen pa resevwa mesaj la", "ht"),
        ("kuv tsis tau txais xov", "hmn"),
        # The natural "no" and "stay" are answers, not opt-outs.
        ("tsis xav tau", "hmn"),
        ("rete", "ht"),
        ("Mwen bezwen yon kote pou m rete", "ht"),
        ("no gracias", "es"),
        ("不要", "zh-Hans"),
        ("thôi", "vi"),
        ("please", "en"),
    ],
)
def test_a_text_that_merely_holds_a_stop_word_does_not_opt_out(text: str, language: str) -> None:
    assert classify_keyword(text, language) is None


# Persian and Pashto typed on an Arabic keyboard: ي ى ك for ی ک.
ARABIC_KEYBOARD = str.maketrans({"ی": "ي", "ک": "ك"})


@pytest.mark.parametrize(
    ("text", "language", "keyword"),
    [
        ("کمک", "fa", "help"),
        ("لطفا دیگر پیامک نفرستید", "fa", "stop"),
        ("پیل", "ps", "start"),
        ("ما ته نور پیغام مه لېږئ", "ps", "stop"),
    ],
)
def test_persian_and_pashto_keywords_typed_on_an_arabic_keyboard(text, language, keyword):
    typed = text.translate(ARABIC_KEYBOARD)
    assert typed != text
    assert classify_keyword(typed, language) == keyword


@pytest.mark.parametrize(
    ("language", "reply", "choice"),
    [("fa", "مریض", 1), ("fa", "کرایه", 2), ("ps", "کور", 2), ("ps", "ډاکټر", 1)],
)
def test_a_choice_typed_on_an_arabic_keyboard_is_understood(language, reply, choice):
    step = LIBRARY.flows["missed_you"].steps["what_would_help"]
    localizer = CATALOGS.get(language)
    keywords = [localizer.gettext(c.keywords) if c.keywords else None for c in step.choices]
    typed = reply.translate(ARABIC_KEYBOARD)
    assert typed != reply
    assert match_choice(typed, keywords) == choice


@pytest.mark.parametrize("text", ["dung", "DUNG", "ngung", "Dung lai", "huy", "ngung lai!"])
def test_vietnamese_without_marks_stops_a_vietnamese_family(text: str) -> None:
    assert classify_keyword(text, "vi") == "stop"


@pytest.mark.parametrize("language", ["en", "es", "tl", None])
def test_unmarked_dung_is_not_stop_for_other_families(language: str | None) -> None:
    # Elsewhere "dung" is likelier a name or a typo than the Vietnamese "dừng".
    assert classify_keyword("dung", language) is None


@pytest.mark.parametrize("text", ["Đúng", "đúng rồi", "dùng", "dung roi"])
def test_vietnamese_words_that_only_look_like_dung_are_not_stop(text: str) -> None:
    assert classify_keyword(text, "vi") is None


CTIA = {
    "stop": ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"],
    "start": ["START", "UNSTOP"],
    "help": ["HELP", "INFO"],
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_carriers_standard_keywords_work_in_every_language(language: str) -> None:
    for keyword, words in CTIA.items():
        for word in words:
            assert classify_keyword(word, language) == keyword, (language, word)
            assert classify_keyword(f"{word.lower()} please", language) == keyword


def _choice_keywords() -> list[tuple[str, str]]:
    """(language, keyword) for every choice keyword of every flow, in every catalog."""
    found = set()
    for language in CATALOGS.languages():
        localizer = CATALOGS.get(language)
        for flow in LIBRARY.flows.values():
            for step in flow.steps.values():
                for choice in step.choices:
                    for word in localizer.gettext(choice.keywords or "").split(","):
                        if word.strip():
                            found.add((language, word.strip()))
    return sorted(found)


CHOICE_KEYWORDS = _choice_keywords()


@given(
    st.sampled_from(CHOICE_KEYWORDS),
    st.sampled_from(["", "please", "ok", "po", "por favor", "!", "?", "..."]),
    st.sampled_from([str, str.upper, str.title, fold]),
    st.sampled_from(["", " ", "\n"]),
)
def test_no_choice_keyword_of_any_flow_in_any_language_is_an_opt_out(
    choice: tuple[str, str], courtesy: str, shape, space: str
) -> None:
    language, keyword = choice
    reply = f"{space}{shape(keyword)} {courtesy}{space}"
    assert classify_keyword(reply, language) is None, (language, reply)


def test_the_courtesy_words_are_no_keyword_on_their_own() -> None:
    assert all(classify_keyword(word) is None for word in POLITE)
