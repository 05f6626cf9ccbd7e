"""NLU component: Rasa's whitespace tokenizer, plus what billing messages need from a tokenizer.

- Currency signs are tokens of their own (`50€`, `R$ 120,50`): Rasa's tokenizer drops them, and with them
  the best clue that a number is an amount.
- Each token's lemma is its lower-case form without accents, so that the word featurizers see `prélèvement`,
  `prelevement` and `PRÉLÈVEMENT` as one word: customers type all three.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.text import fold

CURRENCY_SIGN = re.compile(r"R\$|US\$|€|\$|£")


def _without(token: Token, holes: list[tuple[int, int]]) -> list[Token]:
    """The parts of `token` outside the `holes` (character spans of the message)."""
    pieces, cursor = [], token.start
    for start, end in holes:
        if end <= token.start or start >= token.end:
            continue
        if start > cursor:
            pieces.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < token.end:
        pieces.append((cursor, token.end))
    if pieces == [(token.start, token.end)]:
        return [token]
    result = []
    for start, end in pieces:
        piece = token.text[start - token.start : end - token.start]
        stripped = piece.strip()
        if stripped:
            offset = start + piece.index(stripped)
            result.append(Token(stripped, offset))
    return result


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class BillingTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        text: str = message.get(attribute) or ""
        signs = [match.span() for match in CURRENCY_SIGN.finditer(text)]
        if signs:
            tokens = [piece for token in tokens for piece in _without(token, signs)]
            tokens += [Token(text[start:end], start) for start, end in signs]
            tokens.sort(key=lambda token: token.start)
        for token in tokens:
            token.lemma = fold(token.text)
        return tokens
