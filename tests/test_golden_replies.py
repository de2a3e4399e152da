"""Golden transcripts through the real webhook: families who write politely, or on another
keyboard, and what they read back.

A change to the opt-out words, a flow or a catalog shows up here as a diff to review. After
reviewing, rewrite the files with: UPDATE_GOLDEN=1 pytest tests/test_golden_replies.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from outreach_bot.messaging.optout import is_opted_out
from tests.factories import start_missed_you
from tests.test_conversation import last_message_id, sent_texts, text_in

GOLDEN = Path(__file__).resolve().parent / "golden" / "replies"
PHONE = "+15035550142"
# Each family: (its language, what it texts once missed_you has asked what would help).
FAMILIES: dict[str, list[tuple[str, list[str]]]] = {
    "polite": [
        ("es", ["ayuda por favor", "2 por favor", "No me manden más mensajes, gracias", "hola?",
                "comenzar"]),
        ("tl", ["stop po"]),
        ("ru", ["Стоп, пожалуйста"]),
        ("en", ["the bus stop is far", "Please stop sending me messages"]),
    ],
    # Persian and Pashto on an Arabic keyboard (ي ك for ی ک); Vietnamese without its marks.
    "other_keyboard": [
        ("fa", ["مريض", "لطفا ديگر پيامك نفرستيد"]),
        ("ps", ["كور"]),
        ("vi", ["dung"]),
    ],
}  # fmt: skip


def transcript(runtime, client, language: str, replies: list[str]) -> str:
    """'>' the family's text, '<' each text back to them, '=' whether they are opted out."""
    start_missed_you(runtime, PHONE, language=language)
    lines = [f"### {language}", *(f"< {t}" for t in sent_texts(runtime))]
    for reply in replies:
        since = last_message_id(runtime)
        text_in(client, reply)
        lines.append(f"> {reply}")
        lines += [f"< {text}" for text in sent_texts(runtime, since)]
        with runtime.db.transaction() as session:
            lines.append(f"= opted out: {'yes' if is_opted_out(session, PHONE) else 'no'}")
    return "\n".join(lines)


CASES = [
    (name, number, language, replies)
    for name, families in FAMILIES.items()
    for number, (language, replies) in enumerate(families, start=1)
]


@pytest.mark.parametrize(
    ("name", "number", "language", "replies"), CASES, ids=[f"{c[0]}.{c[1]}.{c[2]}" for c in CASES]
)
def test_golden_replies(runtime, client, name, number, language, replies) -> None:
    path = GOLDEN / f"{name}.{number}.{language}.txt"
    actual = transcript(runtime, client, language, replies) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")
