"""The console's texts (`locales/console/<lang>.yml`): the same keys and placeholders in French, Portuguese
and English, and every text the templates, console.js, the charts and the ticket shapes ask for."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot import i18n
from bot.billing.models import AccountStatus, TicketStatus
from bot.channels import delivery
from bot.console import charts
from bot.console.pages import DASHBOARD_PERIODS, page_html
from bot.console.texts import CONSOLE_LANGUAGES, console_catalogue, console_text, console_texts
from bot.handoff.agents import ROLES, Agent

CONSOLE_DIR = Path(__file__).resolve().parents[3] / "bot" / "console"
TEMPLATES_DIR = CONSOLE_DIR / "templates"
SCRIPT = CONSOLE_DIR / "static" / "console.js"
API_DOC = Path(__file__).resolve().parents[3] / "docs" / "console-api.md"

# The API's refusals (docs/console-api.md), plus the script's own: no answer at all, and anything else.
API_REASONS = (
    "bad_request",
    "login_required",
    "csrf",
    "supervisor",
    "ticket",
    "agent",
    "ticket_taken",
    "ticket_closed",
    "ticket_not_claimed",
    "not_assignee",
    "already_assigned",
    "empty_text",
    "text_too_long",
    "delivery_failed",
    *sorted(delivery.REASONS),  # the customer's channel refused or kept failing
    "unavailable",
)
SCRIPT_REASONS = ("network", "unknown")
# What the script names through label(group, code): each group's codes.
SCRIPT_LABELS: dict[str, tuple[str, ...]] = {
    "status": tuple(status.value for status in TicketStatus),
    "from": ("customer", "bot", "agent", "system"),
    "priority": ("normal", "high"),
    "role": ROLES,
    "language": CONSOLE_LANGUAGES,
    # bot/channels/socketio_output.py's CHANNEL_NAME, Rasa's socketio and rest, the channels to come
    "channel": ("widget", "socketio", "rest", "whatsapp", "telegram", "unknown"),
}
# Keys the templates build (`t("prefix" ~ value)`), with every value they are built with.
TEMPLATE_PREFIXES: dict[str, tuple[str, ...]] = {
    "role.": ROLES,
    "error_page.": ("csrf",),  # the pages' `message_key`
    "dashboard.days_": tuple(str(days) for days in DASHBOARD_PERIODS),
}
# Ticket topics that are not a flow's name (actions/handoff.py, actions/flows/*.py).
OTHER_TOPICS = ("verification_locked", "customer_request", "payment_plan", "nota_fiscal_error")


def flatten(node: Any, path: str = "") -> dict[str, str]:
    """Every text of a catalogue by its dotted key; anything but a mapping or a string fails."""
    if isinstance(node, str):
        return {path: node}
    assert isinstance(node, dict), f"{path}: only mappings and texts, not {type(node).__name__}"
    found: dict[str, str] = {}
    for key, value in node.items():
        found.update(flatten(value, f"{path}.{key}" if path else str(key)))
    return found


def texts(language: str) -> dict[str, str]:
    return flatten(console_catalogue(language))


# -- the three catalogues ---------------------------------------------------------------------------
@pytest.mark.parametrize("language", [lang for lang in CONSOLE_LANGUAGES if lang != "en"])
def test_same_keys_and_placeholders_as_english(language: str) -> None:
    english, other = texts("en"), texts(language)
    assert sorted(set(english) - set(other)) == [], f"missing in {language}.yml"
    assert sorted(set(other) - set(english)) == [], f"only in {language}.yml"
    for key, text in english.items():
        assert i18n.placeholders(other[key]) == i18n.placeholders(text), key


@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_texts_are_written(language: str) -> None:
    for key, text in texts(language).items():
        assert text.strip(), key
        assert "None" not in text and "{}" not in text and "TODO" not in text, key
        assert text == text.strip(), f"{key}: no leading or trailing space"


def test_each_language_is_its_own() -> None:
    """Not a copy left untranslated: the long texts differ from one language to another."""
    english, french, portuguese = texts("en"), texts("fr"), texts("pt")
    for key, text in english.items():
        if len(text) > 30:
            assert french[key] != text and portuguese[key] != text and french[key] != portuguese[key], key


def test_console_text_fills_placeholders_and_keeps_the_others() -> None:
    assert console_text("en", "queue.claim_label", reference="TK-ABC234") == "Take conversation TK-ABC234"
    assert console_text("en", "time.hours") == "{hours} h {minutes} min"  # raw: for console.js
    assert console_text("en", "time.hours", hours=2) == "2 h {minutes} min"
    assert console_text("fr", "error_page.title", status=404) == "Erreur 404"
    assert console_texts("pt")("queue.claim") == "Assumir"
    with pytest.raises(KeyError):
        console_text("en", "queue.nothing")
    with pytest.raises(KeyError):
        console_text("en", "queue")  # a group, not a text
    with pytest.raises(ValueError):
        console_text("de", "brand")


# -- the templates ------------------------------------------------------------------------------------
_JINJA_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
_T_CALL = re.compile(r"""\bt\(\s*(["'])([^"']+)\1\s*(~)?""")
_DOTTED = re.compile(r"""["']([a-z_]+(?:\.[a-z0-9_]+)+)["'](?!\s*~)""")  # not a built key's prefix


def template_keys() -> tuple[set[str], set[str]]:
    """The text keys the templates name, and the prefixes of those they build."""
    groups = set(console_catalogue("en"))
    keys: set[str] = set()
    prefixes: set[str] = set()
    for template in TEMPLATES_DIR.glob("*.html"):
        for tag in _JINJA_TAG.findall(template.read_text(encoding="utf-8")):
            for _, key, built in _T_CALL.findall(tag):
                (prefixes if built else keys).add(key)
            keys.update(key for key in _DOTTED.findall(tag) if key.split(".")[0] in groups)
    return keys, prefixes


def test_every_key_the_templates_name_exists() -> None:
    keys, prefixes = template_keys()
    assert {"brand", "login.error", "conversation.reply", "dashboard.median_wait"} <= keys
    english = texts("en")
    assert sorted(keys - set(english)) == []
    assert prefixes == set(TEMPLATE_PREFIXES), "a key built in a template needs its values here"
    for prefix, values in TEMPLATE_PREFIXES.items():
        for value in values:
            assert prefix + value in english, prefix + value


# -- console.js -----------------------------------------------------------------------------------------
class _ScriptTexts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.content = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "script" and ("id", "console-texts") in attrs

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.content += data


def script_texts(language: str) -> dict[str, str]:
    """The texts console.html hands to the script, as the page carries them."""
    agent = Agent(
        1, "sam.supervisor", "Sam", "supervisor", language, True, datetime(2026, 1, 1, tzinfo=timezone.utc)
    )
    page = page_html("console.html", language, agent=agent, csrf_token="token", refresh_seconds=10)
    parser = _ScriptTexts()
    parser.feed(page)
    loaded = json.loads(parser.content)
    assert isinstance(loaded, dict)
    return loaded


def script_keys() -> set[str]:
    """Every text key console.js names literally (tr("queue.claim"), ... "done.assigned" ...)."""
    groups = set(console_catalogue("en"))
    source = SCRIPT.read_text(encoding="utf-8")
    return {key for key in _DOTTED.findall(source) if key.split(".")[0] in groups}


def test_the_script_uses_its_helpers_for_the_dynamic_keys() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    assert set(re.findall(r'label\("([a-z_]+)"', source)) == set(SCRIPT_LABELS)
    assert "texts[`error.${reason}`]" in source
    assert "queue.claim" in script_keys() and "done.assigned" in script_keys()


@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_the_page_gives_the_script_every_text_it_needs(language: str) -> None:
    given = script_texts(language)
    needed = set(script_keys())
    needed |= {f"{group}.{code}" for group, codes in SCRIPT_LABELS.items() for code in codes}
    needed |= {f"error.{reason}" for reason in (*API_REASONS, *SCRIPT_REASONS)}
    assert sorted(needed - set(given)) == []
    assert sorted(set(given) - needed) == [], "texts the script does not use"
    catalogue = texts(language)
    for key, text in given.items():
        assert text == catalogue[key], f"{key}: given raw, placeholders unfilled"


def test_every_text_is_used() -> None:
    """By a template, by console.js (through the page), or by Python: the charts' and the headline's
    labels (pages.py), the topics and account statuses (shapes.label)."""
    keys, _ = template_keys()
    used = keys | {prefix + value for prefix, values in TEMPLATE_PREFIXES.items() for value in values}
    used |= set(script_texts("en"))
    used |= {f"dashboard.chart.{key}" for key in charts.LABEL_KEYS}
    english = texts("en")
    used |= {key for key in english if key.split(".")[0] in ("topics", "account_status")}
    assert sorted(set(english) - used) == []


def test_the_reasons_are_those_of_the_api_document() -> None:
    document = API_DOC.read_text(encoding="utf-8")
    errors = document[document.index("Errors are") :].split("\n\n")[0]
    assert set(re.findall(r"`([a-z_]+)`", errors)) - {"error"} == set(API_REASONS)


# -- texts other modules read --------------------------------------------------------------------------
@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_the_charts_have_their_labels(language: str) -> None:
    labels = {key: console_text(language, f"dashboard.chart.{key}") for key in charts.LABEL_KEYS}
    for key in ("percent", "minutes", "rating"):
        assert i18n.placeholders(labels[key]) == {"value"}, key


def test_every_ticket_topic_has_a_label() -> None:
    import actions.flows  # noqa: F401 (registers the flows)
    from actions.flow import FLOWS

    # The handoff's own questions are never a ticket's topic (actions.handoff.handoff_topic).
    topics = (set(FLOWS) - {"human_offer", "handoff_rating"}) | set(OTHER_TOPICS)
    for language in CONSOLE_LANGUAGES:
        assert sorted(topics - set(console_catalogue(language)["topics"])) == [], language


def test_every_account_status_has_a_label() -> None:
    """The customer summary's `status` (shapes.customer_summary), one text per status and no other."""
    for language in CONSOLE_LANGUAGES:
        labels = console_catalogue(language)["account_status"]
        assert sorted(labels) == sorted(status.value for status in AccountStatus), language
