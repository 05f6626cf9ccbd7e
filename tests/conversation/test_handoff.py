"""The handoff through the running servers, over the REST channel: the ticket and the customer's place in
the queue, calling it off, the bot silent while an agent has the conversation (paused through the HTTP
API, as the console does) and back with a rating question when the agent is done."""

from __future__ import annotations

import re

import httpx

from bot.billing.models import TicketStatus
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import TicketQueue
from tests.conversation.conftest import Assistant

REFERENCE = re.compile(r"\bTK-[2-9A-HJKMNP-Z]{6}\b")


def reference_in(texts: list[str]) -> str:
    found = [match.group(0) for text in texts if (match := REFERENCE.search(text))]
    assert found, texts
    return found[0]


def test_a_handoff_tells_the_reference_and_the_place_in_the_queue_and_can_be_called_off(
    assistant: Assistant, sender: str
) -> None:
    said = assistant.texts(sender, "je voudrais parler à un conseiller svp")
    reference = reference_in(said)
    assert assistant.utterances(sender)[-2:] == ["utter_handoff_created", "utter_handoff_queue"]
    assert "file d'attente" in said[-1]
    ticket = TicketQueue(assistant.engine).get(reference)
    assert ticket.conversation_id == sender and ticket.channel == "rest" and ticket.language == "fr"

    assistant.texts(sender, "je veux un humain")
    assert assistant.utterances(sender)[-2] == "utter_handoff_already_open"

    said = assistant.texts(sender, "finalement c'est bon, j'ai trouvé tout seul")
    assert reference in " ".join(said)
    assert assistant.utterances(sender)[-1] == "utter_handoff_cancelled"
    assert TicketQueue(assistant.engine).get(reference).status is TicketStatus.CANCELLED


def test_the_bot_is_silent_while_an_agent_has_the_conversation_and_asks_a_rating_after(
    assistant: Assistant, sender: str
) -> None:
    reference = reference_in(assistant.texts(sender, "quero falar com um atendente"))
    queue = TicketQueue(assistant.engine)
    agent = AgentDirectory(assistant.engine).create_agent(
        f"rest.{sender[-8:]}", "Rita Souza", "a long test password", "agent", "pt"
    )
    queue.claim(reference, agent)
    api = f"{assistant.base_url}/conversations/{sender}"
    params = {"token": assistant.token}
    assert (
        httpx.post(f"{api}/tracker/events", params=params, json=[{"event": "pause"}], timeout=30).status_code
        == 200
    )

    assert assistant.texts(sender, "oi, ainda está aí?") == []  # stored for the agent, not answered
    customer_texts = [e.get("text") for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert "oi, ainda está aí?" in customer_texts

    queue.resolve(reference, agent)
    assert (
        httpx.post(f"{api}/tracker/events", params=params, json=[{"event": "resume"}], timeout=30).status_code
        == 200
    )
    executed = httpx.post(
        f"{api}/execute", params=params, json={"name": "action_handoff_resolved"}, timeout=60
    )
    assert executed.status_code == 200, executed.text
    said = [m.get("text", "") for m in executed.json()["messages"]]
    assert any("Rita" in text and reference in text for text in said), said
    httpx.post(
        f"{api}/tracker/events",
        params=params,
        json=[{"event": "action", "name": "action_listen"}],
        timeout=30,
    )

    assert assistant.texts(sender, "5")
    assert assistant.utterances(sender)[-1] == "utter_rating_thanks"
    assert queue.get(reference).satisfaction == 5
