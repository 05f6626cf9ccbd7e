from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import BillingTokenizer
from bot.text import fold


def tokens(text: str) -> list[tuple[str, int, int, str]]:
    tokenizer = BillingTokenizer(BillingTokenizer.get_default_config())
    return [(t.text, t.start, t.end, t.lemma) for t in tokenizer.tokenize(Message({"text": text}), "text")]


def test_currency_signs_are_tokens_of_their_own() -> None:
    assert tokens("R$ 120,50") == [("R$", 0, 2, "r$"), ("120,50", 3, 9, "120,50")]
    assert tokens("R$120") == [("R$", 0, 2, "r$"), ("120", 2, 5, "120")]
    assert tokens("payer 49.90€ svp") == [
        ("payer", 0, 5, "payer"),
        ("49.90", 6, 11, "49.90"),
        ("€", 11, 12, "€"),
        ("svp", 13, 16, "svp"),
    ]
    assert [t[0] for t in tokens("50 € demain")] == ["50", "€", "demain"]


def test_lemmas_ignore_case_and_accents() -> None:
    assert [t[3] for t in tokens("PRÉLÈVEMENT échéance não")] == ["prelevement", "echeance", "nao"]
    assert fold("Çà") == "ca"


def test_messages_without_currency_keep_rasas_tokens() -> None:
    assert [t[0] for t in tokens("d'octobre TK-7H3K9P camille.m@gmail.com")] == [
        "d",
        "octobre",
        "TK-7H3K9P",
        "camille.m@gmail.com",
    ]
