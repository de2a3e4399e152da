"""Opt-outs: the STOP/START/HELP keywords in every language, and what we know about a phone."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from outreach_bot.db import per_transaction
from outreach_bot.models import PhoneNumber

Keyword = Literal["stop", "start", "help"]


@dataclass(frozen=True)
class KeywordSet:
    """Whole-message phrases that mean one keyword in one language."""

    language: str
    keyword: Keyword
    phrases: tuple[str, ...]
    # Accents are folded ("no más" == "no mas") unless that would make a phrase collide with
    # ordinary words: in Vietnamese "dung" without marks can mean "correct" or "use".
    fold_accents: bool = True


# Add a language by adding rows here; a phrase is matched against the whole message after
# trimming, casefolding and stripping punctuation, so write it in lower case without punctuation.
KEYWORDS: tuple[KeywordSet, ...] = (
    # English: carriers' standard words, then the ways people say it in their own words.
    KeywordSet("en", "stop", (
        "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke",
        "optout", "opt out", "stop texting me", "stop texting", "stop messaging me",
        "dont text me", "do not text me", "unsubscribe me", "no more texts", "remove me",
        "please stop", "stop please", "no more messages", "stop sending messages",
        "leave me alone", "dont text me anymore", "take me off this list",
        "please stop texting me", "stop texting me please",
    )),
    KeywordSet("en", "start", ("start", "unstop", "subscribe", "resubscribe")),
    KeywordSet("en", "help", ("help", "info")),
    KeywordSet("es", "stop", (
        "alto", "parar", "pare", "para", "basta", "cancelar", "detener", "baja",
        "no mas mensajes", "no mas textos", "no me escriban", "no me manden mensajes",
        "no mas", "ya no", "no quiero mas mensajes", "dejen de escribirme",
        "no me escriban mas", "ya no me escriban",
    )),
    KeywordSet("es", "start", ("comenzar", "iniciar", "empezar", "reanudar", "alta")),
    KeywordSet("es", "help", ("ayuda", "informacion")),
    KeywordSet("pt", "stop", (
        "parar", "pare", "parem", "cancelar", "sair", "chega", "nao quero mais",
        "nao quero mais mensagens", "parem de mandar mensagens", "descadastrar",
    )),
    KeywordSet("pt", "start", ("comecar", "iniciar", "voltar", "reativar")),
    KeywordSet("pt", "help", ("ajuda",)),
    KeywordSet("fr", "stop", ("arret", "arreter", "desabonner", "annuler")),
    KeywordSet("fr", "start", ("commencer", "reprendre")),
    KeywordSet("fr", "help", ("aide",)),
    # Vietnamese keeps its marks: without them "dung" can mean "correct" or "use".
    KeywordSet("vi", "stop", (
        "dừng", "dừng lại", "ngừng", "ngưng", "hủy", "hủy đăng ký", "ngừng nhắn tin",
        "đừng nhắn tin nữa", "không nhận tin nữa", "đừng nhắn nữa",
    ), fold_accents=False),
    KeywordSet("vi", "start", ("bắt đầu", "đăng ký lại"), fold_accents=False),
    KeywordSet("vi", "help", ("giúp", "giúp đỡ", "trợ giúp"), fold_accents=False),
    # Chinese, in both scripts (zh-Hans and zh-Hant share these rows).
    KeywordSet("zh", "stop", (
        "停止", "退订", "退訂", "取消订阅", "取消訂閱", "取消", "退出", "不要再发了",
        "不要再發了", "别发了", "別發了", "停止发送", "停止發送",
    )),
    KeywordSet("zh", "start", ("开始", "開始", "订阅", "訂閱")),
    KeywordSet("zh", "help", ("帮助", "幫助", "求助")),
    KeywordSet("ar", "stop", (
        "توقف", "إيقاف", "ايقاف", "إلغاء", "الغاء", "توقفوا", "كفى", "لا ترسلوا رسائل",
        "لا أريد رسائل", "لا اريد رسائل",
    )),
    KeywordSet("ar", "start", ("ابدأ", "ابدا", "بدء", "اشتراك")),
    KeywordSet("ar", "help", ("مساعدة", "مساعده")),
    KeywordSet("tl", "stop", (
        "tigil", "itigil", "hinto", "ihinto", "ayoko na", "tama na", "huwag na mag text",
    )),
    KeywordSet("tl", "start", ("simula", "simulan")),
    KeywordSet("tl", "help", ("tulong", "saklolo")),
    KeywordSet("ko", "stop", ("중지", "중단", "수신거부", "수신 거부", "그만", "그만 보내세요")),
    KeywordSet("ko", "start", ("시작",)),
    KeywordSet("ko", "help", ("도움", "도움말")),
    KeywordSet("ru", "stop", (
        "стоп", "отписаться", "отписка", "хватит", "не пишите", "не пишите мне",
        "больше не пишите",
    )),
    KeywordSet("ru", "start", ("старт", "подписаться")),
    KeywordSet("ru", "help", ("помощь",)),
    KeywordSet("uk", "stop", (
        "стоп", "відписатися", "припинити", "досить", "не пишіть", "не пишіть мені",
    )),
    KeywordSet("uk", "start", ("старт", "почати")),
    KeywordSet("uk", "help", ("допомога",)),
    KeywordSet("fa", "stop", ("لغو", "توقف", "قطع", "دیگر پیام نفرستید", "پیام نفرستید")),
    KeywordSet("fa", "start", ("شروع",)),
    KeywordSet("fa", "help", ("راهنما", "کمک")),
    KeywordSet("ps", "stop", ("بند", "ودروئ", "ودرول", "نور پیغام مه لېږئ")),
    KeywordSet("ps", "start", ("پیل",)),
    KeywordSet("ps", "help", ("مرسته",)),
    KeywordSet("pa", "stop", ("ਬੰਦ", "ਬੰਦ ਕਰੋ", "ਰੋਕੋ", "band", "band karo")),
    KeywordSet("pa", "start", ("ਸ਼ੁਰੂ", "shuru")),
    KeywordSet("pa", "help", ("ਮਦਦ", "madad")),
    KeywordSet("ht", "stop", (
        "rete", "sispann", "kanpe", "pa voye mesaj anko", "mwen pa vle mesaj anko",
    )),
    KeywordSet("ht", "start", ("komanse",)),
    KeywordSet("ht", "help", ("ed",)),
    KeywordSet("so", "stop", ("jooji", "joogso", "ha ii soo dirin", "fariin ha ii soo dirin")),
    KeywordSet("so", "start", ("bilow",)),
    KeywordSet("so", "help", ("caawi", "caawimaad")),
    KeywordSet("hmn", "stop", ("nres", "tsum", "txhob xa tuaj", "tsis xav tau")),
    KeywordSet("hmn", "start", ("pib",)),
    KeywordSet("hmn", "help", ("pab", "pab kuv")),
)  # fmt: skip

_APOSTROPHES = str.maketrans("", "", "'’ʼ`´")


def normalize(text: str, *, fold_accents: bool) -> str:
    """The form keywords are compared in: casefolded, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    kept = [" " if unicodedata.category(char)[0] in "PSZC" else char for char in text]
    text = " ".join("".join(kept).split())
    if fold_accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize(
            "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
        )
    return text


def _index(*, folded: bool) -> dict[str, Keyword]:
    index: dict[str, Keyword] = {}
    for entry in KEYWORDS:
        if folded and not entry.fold_accents:
            continue
        for phrase in entry.phrases:
            key = normalize(phrase, fold_accents=folded)
            if index.get(key, entry.keyword) != entry.keyword:
                raise ValueError(
                    f"keyword phrase {phrase!r} ({entry.language}) means both "
                    f"{index[key]!r} and {entry.keyword!r}; fix the KEYWORDS table."
                )
            index[key] = entry.keyword
    return index


_EXACT = _index(folded=False)
_FOLDED = _index(folded=True)


def classify_keyword(text: str) -> Keyword | None:
    """'stop', 'start' or 'help' when the whole message is one of those keywords, else None."""
    exact = normalize(text, fold_accents=False)
    if not exact:
        return None
    return _EXACT.get(exact) or _FOLDED.get(normalize(exact, fold_accents=True))


# session.info key: (transaction, {phone: its PhoneNumber row, or None for no row}).
_KNOWN = "outreach_bot.phone_numbers"


def _known(session: Session) -> dict[str, PhoneNumber | None]:
    return per_transaction(session, _KNOWN, dict[str, PhoneNumber | None])


def read_phones(session: Session, phones: Iterable[str]) -> None:
    """Read the rows of many phones in one SELECT, for the checks that follow (a batch)."""
    wanted = set(phones) - _known(session).keys()
    if not wanted:
        return
    found = {
        row.phone: row
        for row in session.scalars(select(PhoneNumber).where(PhoneNumber.phone.in_(wanted)))
    }
    if session.get_transaction() is not None:
        _known(session).update({phone: found.get(phone) for phone in wanted})


def phone_number(session: Session, phone: str) -> PhoneNumber | None:
    """What we know about `phone` (None: nothing yet), read at most once per transaction.

    The checks one reply makes (opted out? held by staff? undeliverable, for each text?)
    cost one SELECT, not one each. Rows are created through `phone_row`, which keeps this
    up to date; the send job reads the row again, on its own, just before it hands a text to
    the provider.
    """
    known = _known(session)
    if phone in known:
        row = known[phone]
        if row is None and not _added_in_session(session, phone):
            return None
        if row is not None and inspect(row).persistent:
            return row
    row = session.get(PhoneNumber, phone)
    if session.get_transaction() is not None:
        _known(session)[phone] = row
    return row


def _added_in_session(session: Session, phone: str) -> bool:
    """A row for `phone` loaded or flushed in this session by other means than phone_row."""
    return session.identity_map.get(identity_key(PhoneNumber, phone)) is not None


def phone_row(session: Session, phone: str) -> PhoneNumber:
    """The PhoneNumber row for `phone`, created (empty) when there is none yet."""
    row = phone_number(session, phone)
    if row is not None:
        return row
    # Two webhooks for one new number may race: INSERT ... ON CONFLICT DO NOTHING lets both
    # go on without a savepoint (which SQLite's Python driver does not nest reliably).
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(PhoneNumber).values(phone=phone).on_conflict_do_nothing())
    row = session.get(PhoneNumber, phone)
    assert row is not None
    _known(session)[phone] = row
    return row


def opt_out(session: Session, phone: str, *, source: str, now: datetime) -> PhoneNumber:
    """Stop all texts to `phone`, for every student; the first opt-out's time is kept."""
    row = phone_row(session, phone)
    if row.opted_out_at is None:
        row.opted_out_at = now
        row.opt_out_source = source
    return row


def opt_in(session: Session, phone: str, *, now: datetime) -> PhoneNumber:
    """Let texts to `phone` flow again (the family sent START)."""
    row = phone_row(session, phone)
    row.opted_out_at = None
    row.opt_out_source = None
    return row


def is_opted_out(session: Session, phone: str) -> bool:
    """True while the family at `phone` has asked for no texts."""
    row = phone_number(session, phone)
    return row is not None and row.opted_out_at is not None


def mark_undeliverable(session: Session, phone: str, *, code: str, now: datetime) -> PhoneNumber:
    """Record that the carrier says `phone` cannot receive texts (e.g. error 30005, 30006)."""
    row = phone_row(session, phone)
    if row.undeliverable_at is None:
        row.undeliverable_at = now
    row.undeliverable_code = code
    return row


def mark_deliverable(session: Session, phone: str) -> None:
    """Forget an undeliverable mark, e.g. when the family texts us from that phone."""
    row = phone_number(session, phone)
    if row is not None:
        row.undeliverable_at = None
        row.undeliverable_code = None


def is_undeliverable(session: Session, phone: str) -> bool:
    """True when the carrier has told us `phone` cannot receive texts."""
    row = phone_number(session, phone)
    return row is not None and row.undeliverable_at is not None
