"""The web chat widget in Chromium, on the portal's demo support page, talking to the real assistant over
socket.io: answers, buttons, history across reloads, the language switcher, an agent's messages sent
later through Rasa's HTTP API, safe links, the keyboard, and a 360 px wide screen.

Playwright's `expect` waits for the page to reach the expected state (up to its timeout): nothing here
asserts on timing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from bot import i18n
from bot.redaction import CARD_MASK
from tests.conversation.replies import expected
from tests.stack import Assistant

pytestmark = pytest.mark.conversation
BOT_TIMEOUT_MS = 60_000  # the first answers of a fresh Rasa server can take a while


def widget_text(language: str, key: str) -> str:
    return i18n.text(language, f"widget.{key}")


def open_chat(page: Page, portal: str, query: str = "") -> Locator:
    """Opens the support page and the chat; returns the message box."""
    page.goto(f"{portal}/support{query}")
    launcher = page.locator("button[data-chat-launcher]")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog")).to_be_visible()
    return message_box(page, "pt" if "lang=pt" in query else "fr")


def message_box(page: Page, language: str) -> Locator:
    return page.get_by_label(widget_text(language, "input_label"), exact=True)


def say(box: Locator, text: str) -> None:
    box.fill(text)
    box.press("Enter")


def bot_texts(page: Page) -> Locator:
    return page.locator('[data-from="bot"] .bubble')


def user_texts(page: Page) -> Locator:
    return page.locator('[data-from="user"] .bubble')


def sender_of(page: Page) -> str:
    """The Rasa conversation of this browser: "web-" and the random part of its stored session id."""
    stored = page.evaluate("window.localStorage.getItem('billing-widget:v1:session')")
    assert isinstance(stored, str)
    return "web-" + str(json.loads(stored)).split(".")[0]


def send_from_agent(assistant: Assistant, sender: str, events: list[dict[str, Any]]) -> None:
    """What the agent console does: bot events, sent on the customer's latest channel."""
    response = httpx.post(
        f"{assistant.base_url}/conversations/{sender}/tracker/events",
        params={"token": assistant.token, "output_channel": "latest", "execute_side_effects": "true"},
        json=events,
        timeout=30,
    )
    assert response.status_code == 200, response.text


def handoff(event: str, text: str, agent: str = "Camille") -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"custom": {"handoff": {"event": event, "agent": agent}}}}


def test_a_greeting_gets_an_answer(page: Page, portal: str, assistant: Assistant) -> None:
    box = open_chat(page, portal)
    expect(page.get_by_role("log")).to_have_attribute("aria-live", "polite")
    say(box, "Bonjour")
    expect(user_texts(page)).to_have_text(["Bonjour"])
    expect(bot_texts(page)).to_have_text([expected("utter_greet", "fr")], timeout=BOT_TIMEOUT_MS)
    tracker = assistant.tracker(sender_of(page))
    assert tracker["latest_input_channel"] == "widget"
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["Bonjour"]


def test_a_button_sends_its_payload_and_shows_its_title(page: Page, portal: str) -> None:
    box = open_chat(page, portal)
    say(box, "Bonjour")
    expect(bot_texts(page)).to_have_count(1, timeout=BOT_TIMEOUT_MS)
    title = i18n.responses("fr")["utter_greet"][0]["buttons"][0]["title"]  # "Mon solde"
    page.get_by_role("button", name=title, exact=True).click()
    expect(user_texts(page)).to_have_text(["Bonjour", title])
    expect(bot_texts(page)).to_have_text(
        [
            expected("utter_greet", "fr"),
            expected("utter_verification_needed", "fr"),
            expected("utter_ask_customer_number", "fr"),
        ],
        timeout=BOT_TIMEOUT_MS,
    )
    expect(page.get_by_role("button", name=title, exact=True)).to_be_disabled()  # answered already


def test_the_history_survives_a_reload_and_the_conversation_goes_on(
    page: Page, portal: str, assistant: Assistant
) -> None:
    box = open_chat(page, portal)
    say(box, "quel est mon solde svp ?")
    asked = [expected("utter_verification_needed", "fr"), expected("utter_ask_customer_number", "fr")]
    expect(bot_texts(page)).to_have_text(asked, timeout=BOT_TIMEOUT_MS)
    sender = sender_of(page)

    page.reload()
    launcher = page.locator("button[data-chat-launcher]")
    launcher.click()
    expect(user_texts(page)).to_have_text(["quel est mon solde svp ?"])
    expect(bot_texts(page)).to_have_text(asked)
    say(message_box(page, "fr"), "517204")
    expect(bot_texts(page)).to_have_text(
        [*asked, expected("utter_ask_postal_code", "fr")], timeout=BOT_TIMEOUT_MS
    )
    assert sender_of(page) == sender
    user_events = [e["text"] for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert user_events == ["quel est mon solde svp ?", "517204"]


def test_switching_from_french_to_portuguese(page: Page, portal: str, assistant: Assistant) -> None:
    box = open_chat(page, portal)
    say(box, "Bonjour")
    expect(bot_texts(page)).to_have_text([expected("utter_greet", "fr")], timeout=BOT_TIMEOUT_MS)
    switch = page.get_by_role("button", name=widget_text("fr", "language_pt"), exact=True)
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(bot_texts(page).last).to_have_text(
        expected("utter_language_switched", "pt"), timeout=BOT_TIMEOUT_MS
    )
    expect(message_box(page, "pt")).to_have_attribute("placeholder", widget_text("pt", "placeholder"))
    say(message_box(page, "pt"), "quero saber o meu saldo")
    expect(bot_texts(page).last).to_have_text(
        expected("utter_ask_customer_number", "pt"), timeout=BOT_TIMEOUT_MS
    )
    assert assistant.tracker(sender_of(page))["slots"]["language"] == "pt"


def test_the_portuguese_page_starts_in_portuguese(page: Page, portal: str) -> None:
    box = open_chat(page, portal, "?lang=pt")
    expect(page.get_by_role("dialog")).to_have_attribute("lang", "pt")
    say(box, "482130")  # nothing to detect a language from: the page's language is the hint
    expect(bot_texts(page)).to_have_text([expected("utter_ask_postal_code", "pt")], timeout=BOT_TIMEOUT_MS)


def test_a_card_number_is_masked_in_the_page_its_storage_and_the_conversation(
    page: Page, portal: str, assistant: Assistant
) -> None:
    box = open_chat(page, portal)
    say(box, "ma carte 4242 4242 4242 4242")
    expect(user_texts(page)).to_have_text([f"ma carte {CARD_MASK}"])
    expect(bot_texts(page).first).to_have_text(expected("utter_redacted_card", "fr"), timeout=BOT_TIMEOUT_MS)
    stored = page.evaluate("JSON.stringify(Object.entries(window.localStorage))")
    assert "4242" not in stored and CARD_MASK in stored
    user_events = [e["text"] for e in assistant.tracker(sender_of(page))["events"] if e["event"] == "user"]
    assert user_events == [f"ma carte {CARD_MASK}"]


def test_an_agents_messages_arrive_later_with_the_agents_name(
    page: Page, portal: str, assistant: Assistant
) -> None:
    box = open_chat(page, portal)
    say(box, "Bonjour")
    expect(bot_texts(page)).to_have_count(1, timeout=BOT_TIMEOUT_MS)
    sender = sender_of(page)
    send_from_agent(
        assistant,
        sender,
        [
            handoff("agent_joined", i18n.text("fr", "handoff.agent_joined", agent="Camille")),
            handoff(
                "agent_message", "Bonjour, je regarde votre dossier. Détails : https://example.com/aide."
            ),
            {
                "event": "bot",
                "text": "<img src=x onerror=alert(1)> javascript:alert(1)",
                "data": {
                    "custom": {"handoff": {"event": "agent_message", "agent": "Camille"}},
                    "attachment": {
                        "type": "file",
                        "payload": {"src": "https://example.com/facture.pdf", "title": "Facture (PDF)"},
                    },
                },
            },
            handoff("agent_left", i18n.text("fr", "handoff.agent_left", agent="Camille")),
        ],
    )
    notices = page.locator('[data-from="notice"]')
    expect(notices).to_have_text(
        [
            i18n.text("fr", "handoff.agent_joined", agent="Camille"),
            i18n.text("fr", "handoff.agent_left", agent="Camille"),
        ]
    )
    agent = page.locator('[data-from="agent"]')
    expect(agent).to_have_count(2)
    expect(agent.first.locator(".who")).to_have_text("Camille")
    link = agent.first.locator("a")
    expect(link).to_have_attribute("href", "https://example.com/aide")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    unsafe = agent.nth(1)
    expect(unsafe.locator(".bubble")).to_contain_text("<img src=x onerror=alert(1)> javascript:alert(1)")
    expect(unsafe.locator("img")).to_have_count(0)
    expect(unsafe.locator("a")).to_have_count(1)  # the attachment only
    expect(unsafe.locator("a.attachment")).to_have_attribute("href", "https://example.com/facture.pdf")
    expect(unsafe.locator("a.attachment")).to_contain_text("Facture (PDF)")


def test_the_chat_works_with_the_keyboard(page: Page, portal: str) -> None:
    page.goto(f"{portal}/support")
    launcher = page.locator("button[data-chat-launcher]")
    launcher.focus()
    page.keyboard.press("Enter")
    box = message_box(page, "fr")
    expect(box).to_be_focused()
    page.keyboard.type("Bonjour")
    page.keyboard.press("Enter")
    expect(bot_texts(page)).to_have_count(1, timeout=BOT_TIMEOUT_MS)
    expect(page.get_by_role("button", name=widget_text("fr", "send"), exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_the_chat_fits_a_360_pixel_wide_screen(browser: Browser, portal: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="fr-FR")
    try:
        page = context.new_page()
        box = open_chat(page, portal)
        say(box, "Bonjour")
        expect(bot_texts(page)).to_have_count(1, timeout=BOT_TIMEOUT_MS)
        for part in (
            page.get_by_role("dialog"),
            box,
            page.get_by_role("button", name=widget_text("fr", "send")),
        ):
            frame = part.bounding_box()
            assert frame is not None
            assert frame["x"] >= 0 and frame["x"] + frame["width"] <= 360, frame
            assert frame["y"] >= 0 and frame["y"] + frame["height"] <= 640, frame
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
