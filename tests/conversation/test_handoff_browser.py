"""End to end in Chromium: a customer asks for a person in the web chat widget of the demo support page;
an agent signed in to the console sees the ticket arrive live, takes it, replies, reads the customer's
answer and resolves it; the customer gets the reply, rates the help, and the bot answers again."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from bot.handoff.queue import TicketQueue
from tests.conversation.console_server import (  # noqa: F401 (fixture)
    TICKET_REFERENCE,
    ConsoleServer,
    console_server,
)
from tests.conversation.replies import expected
from tests.stack import Assistant

WAIT_MS = 45_000  # the first answers of a freshly started Rasa can be slow on a shared machine


def signed_in_agent(browser: Browser, console: ConsoleServer, username: str) -> Page:
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(f"{console.url}/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', console.password)
    page.click('button[type="submit"]')
    expect(page.locator('[data-queue="waiting"]')).to_be_attached(timeout=WAIT_MS)
    return page


def customer_says(page: Page, text: str) -> None:
    box = page.get_by_role("textbox")
    box.fill(text)
    box.press("Enter")


def bot_says(page: Page, text: str) -> Locator:
    return page.locator('[data-from="bot"]', has_text=text)


def bot_turn_after(assistant: Assistant, conversation_id: str, text: str) -> list[dict[str, Any]]:
    """What the bot said or did (messages, actions) in the Rasa conversation after the customer's latest
    message `text`."""
    events = assistant.tracker(conversation_id)["events"]
    said = [i for i, event in enumerate(events) if event["event"] == "user" and event.get("text") == text]
    assert said, f"{text!r} is not in the conversation"
    return [event for event in events[said[-1] + 1 :] if event["event"] in ("bot", "action")]


def test_an_agent_takes_over_a_web_chat_and_hands_it_back_to_the_bot(
    assistant: Assistant,
    console_server: ConsoleServer,  # noqa: F811
    portal: str,
    browser: Browser,
) -> None:
    agent = signed_in_agent(browser, console_server, "camille.agent")  # before the handoff: it arrives live

    customer = browser.new_context(locale="fr-FR").new_page()
    customer.goto(f"{portal}/support")
    customer.click("button[data-chat-launcher]")
    customer_says(customer, "Bonjour, je voudrais parler à un conseiller svp")
    created = customer.locator('[data-from="bot"]', has_text=TICKET_REFERENCE)
    expect(created.first).to_be_visible(timeout=WAIT_MS)
    match = TICKET_REFERENCE.search(created.first.inner_text())
    assert match is not None
    reference = match.group(0)
    expect(bot_says(customer, "file d'attente")).to_be_visible(timeout=WAIT_MS)
    conversation_id = TicketQueue(assistant.engine).get(reference).conversation_id
    assert conversation_id is not None

    waiting = agent.locator(f'[data-queue="waiting"] li[data-ticket="{reference}"]')
    expect(waiting).to_be_visible(timeout=WAIT_MS)
    waiting.locator('button[data-action="claim"]').click()
    expect(customer.locator('[data-from="notice"]', has_text="Camille")).to_be_visible(timeout=WAIT_MS)

    transcript = agent.locator("[data-transcript]")
    expect(transcript.locator('[data-from="customer"]', has_text="parler à un conseiller")).to_be_visible(
        timeout=WAIT_MS
    )
    agent.fill('textarea[name="reply"]', "Bonjour, Camille du service client. Je regarde votre facture.")
    agent.click('button[data-action="send-reply"]')
    expect(customer.locator('[data-from="agent"]', has_text="Je regarde votre facture")).to_be_visible(
        timeout=WAIT_MS
    )

    customer_says(customer, "Merci, j'attends votre retour")
    expect(transcript.locator('[data-from="customer"]', has_text="j'attends votre retour")).to_be_visible(
        timeout=WAIT_MS
    )
    # The transcript shows the message once Rasa has stored the turn, and Rasa stores a turn whole: the bot
    # said and did nothing, however late its words would have reached the widget.
    assert bot_turn_after(assistant, conversation_id, "Merci, j'attends votre retour") == []

    agent.once("dialog", lambda dialog: dialog.accept())
    agent.click('button[data-action="resolve"]')
    resolved = expected("utter_handoff_resolved", "fr", agent="Camille", reference=reference)
    expect(bot_says(customer, resolved)).to_be_visible(timeout=WAIT_MS)
    customer.get_by_role("button", name="4", exact=True).last.click()
    expect(bot_says(customer, expected("utter_rating_thanks", "fr"))).to_be_visible(timeout=WAIT_MS)
    assert TicketQueue(assistant.engine).get(reference).satisfaction == 4

    answered = customer.locator('[data-from="bot"]').count()
    customer_says(customer, "Quel est le solde de mon compte ?")  # the bot answers again
    expect(customer.locator('[data-from="bot"]').nth(answered)).to_be_visible(timeout=WAIT_MS)
    expect(agent.locator(f'[data-queue="mine"] li[data-ticket="{reference}"]')).to_have_count(
        0, timeout=WAIT_MS
    )
