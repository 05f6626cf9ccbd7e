"""Every response the domain declares has French and Portuguese text with the same placeholders."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot import i18n
from bot.cli import RESPONSES_FILE, domain_responses_yaml


def _texts(node: Any, path: str = "") -> dict[str, str]:
    """Every string of a catalogue by its path: response texts, button titles and dotted plain texts."""
    found: dict[str, str] = {}
    if isinstance(node, str):
        found[path] = node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "payload":
                found.update(_texts(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.update(_texts(value, f"{path}[{index}]"))
    return found


def test_domain_declares_exactly_the_locale_responses() -> None:
    domain = yaml.safe_load(RESPONSES_FILE.read_text(encoding="utf-8"))
    assert set(domain["responses"]) == set(i18n.responses("fr"))
    assert RESPONSES_FILE.read_text(encoding="utf-8") == domain_responses_yaml()


@pytest.mark.parametrize("language", [lang for lang in i18n.SUPPORTED_LANGUAGES if lang != "fr"])
def test_same_keys_and_placeholders_as_french(language: str) -> None:
    french, other = _texts(i18n.catalogue("fr")), _texts(i18n.catalogue(language))
    # Typed words that pick an option are each language's own lists: only their options must match.
    assert set(i18n.catalogue(language)["choices"]) == set(i18n.catalogue("fr")["choices"])
    french = {path: text for path, text in french.items() if not path.startswith("choices.")}
    other = {path: text for path, text in other.items() if not path.startswith("choices.")}
    assert set(other) == set(french)
    for path, text in french.items():
        assert i18n.placeholders(other[path]) == i18n.placeholders(text), path


@pytest.mark.parametrize("language", i18n.SUPPORTED_LANGUAGES)
def test_every_response_has_text_and_same_button_payloads(language: str) -> None:
    french = i18n.responses("fr")
    for name, variations in i18n.responses(language).items():
        assert variations and all(v.get("text", "").strip() for v in variations), name
        assert _intents(variations) == _intents(french[name]), name


def _intents(variations: list[dict[str, Any]]) -> list[list[str]]:
    """Button payloads without their entities (a switch-language button names the other language)."""
    return [[b["payload"].split("{")[0] for b in v.get("buttons", [])] for v in variations]


def test_texts_do_not_leak_python_formatting() -> None:
    for language in i18n.SUPPORTED_LANGUAGES:
        for path, text in _texts(i18n.catalogue(language)).items():
            assert "None" not in text and "{}" not in text, path
