"""The console's texts: `locales/console/<lang>.yml`, in the agent's console language (fr, pt, en).

A text is addressed by its dotted key (`queue.claim`). Its `{name}` placeholders are filled from the
parameters given; a placeholder without a value is kept as `{name}`, so that a text read without parameters
is its raw pattern: the console's script (`console.js`) and the dashboard's charts fill those themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import i18n
from bot.handoff.agents import CONSOLE_LANGUAGES

__all__ = [
    "BABEL_LOCALES",
    "CONSOLE_LANGUAGES",
    "CONSOLE_LOCALES_DIR",
    "HTML_LANG",
    "console_catalogue",
    "console_text",
    "console_texts",
]

CONSOLE_LOCALES_DIR: Path = i18n.LOCALES_DIR / "console"
HTML_LANG = {"fr": "fr", "pt": "pt-BR", "en": "en"}
BABEL_LOCALES = {**i18n.BABEL_LOCALES, "en": "en_GB"}  # numbers, money and dates in the console


def console_catalogue(language: str) -> i18n.Catalogue:
    if language not in CONSOLE_LANGUAGES:
        raise ValueError(f"not a console language: {language!r}")
    return i18n.catalogue(language, CONSOLE_LOCALES_DIR)


class _Kept(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def console_text(language: str, key: str, **params: Any) -> str:
    """The text of `key` in `language` (KeyError when there is none), its placeholders filled."""
    node: Any = console_catalogue(language)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{key} is not a text of console/{language}.yml")
        node = node[part]
    if not isinstance(node, str):
        raise KeyError(f"{key} is not a text of console/{language}.yml")
    if not params:
        return node
    return node.format_map(
        _Kept({name: "" if value is None else str(value) for name, value in params.items()})
    )


def console_texts(language: str) -> Callable[..., str]:
    """The `t(key, **params)` function of the templates, for one language."""

    def t(key: str, **params: Any) -> str:
        return console_text(language, key, **params)

    return t
