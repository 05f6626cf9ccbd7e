"""What the assistant should say: a response rendered from the locale files, as the NLG renders it."""

from __future__ import annotations

from bot import i18n
from bot.nlg import render_variation


def expected(name: str, language: str, **params: object) -> str:
    (variation,) = i18n.responses(language)[name]
    return str(render_variation(variation, dict(params), language)["text"])
