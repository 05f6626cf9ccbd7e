"""The handoff through the running servers, over the REST channel: the ticket and the customer's place in
the queue, calling it off, the bot silent while an agent has the conversation (paused through the HTTP
API, as the console does) and back with a rating question when the agent is done."""

from __future__ import annotations

import re
from typing import Any

import httpx

from bot.billing.models import TicketStatus
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import TicketQueue
from tests.conversation.console_server import TICKET_REFERENCE
from tests.conversation.replies import expected
from tests.stack import Assistant

PLACE_IN_QUEUE = re.compile(r"n° (\d+) dans la file d'attente")


def reference_in(texts: list[str]) -> str:
    found = [match.group(0) for text in texts if (match := TICKET_REFERENCE.search(text))]
    assert found, texts
    return found[0]


def console_calls(assistant: Assistant, sender: str, path: str, body: Any) -> dict[str, Any]:
    """What the console asks of Rasa's HTTP API for this conversation (`path`: "tracker/events" or
    "execute"); the answer, which must be a success."""
    response = httpx.post(
        f"{assistant.base_url}/conversations/{sender}/{path}",
        params={"token": assistant.token},
        json=body,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_handoff_tells_the_reference_and_the_place_in_the_queue_and_can_be_called_off(
    assistant: Assistant, sender: str
) -> None:
    said = assistant.texts(sender, "je voudrais parler à un conseiller svp")
    reference = reference_in(said)
    assert assistant.utterances(sender)[-2:] == ["utter_handoff_created", "utter_handoff_queue"]
    queue = TicketQueue(assistant.engine)
    place = PLACE_IN_QUEUE.search(said[-1])
    assert place is not None, said
    assert int(place.group(1)) == queue.position(reference)
    ticket = queue.get(reference)
    assert (ticket.conversation_id, ticket.channel, ticket.language) == (sender, "rest", "fr")

    said = assistant.texts(sender, "je veux un humain")
    assert assistant.utterances(sender)[-2:] == ["utter_handoff_already_open", "utter_handoff_queue"]
    assert reference_in(said) == reference

    said = assistant.texts(sender, "finalement c'est bon, j'ai trouvé tout seul")
    assert said == [expected("utter_handoff_cancelled", "fr", reference=reference)]
    assert queue.get(reference).status is TicketStatus.CANCELLED


def test_the_bot_is_silent_while_an_agent_has_the_conversation_and_asks_a_rating_after(
    assistant: Assistant, sender: str
) -> None:
    reference = reference_in(assistant.texts(sender, "quero falar com um atendente"))
    queue = TicketQueue(assistant.engine)
    agent = AgentDirectory(assistant.engine).create_agent(
        f"rest.{sender[-8:]}", "Rita Souza", "a long test password", "agent", "pt"
    )
    queue.claim(reference, agent)
    console_calls(assistant, sender, "tracker/events", [{"event": "pause"}])

    assert assistant.texts(sender, "oi, ainda está aí?") == []  # stored for the agent, not answered
    customer_texts = [e.get("text") for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert customer_texts[-1] == "oi, ainda está aí?"

    queue.resolve(reference, agent)
    console_calls(assistant, sender, "tracker/events", [{"event": "resume"}])
    executed = console_calls(assistant, sender, "execute", {"name": "action_handoff_resolved"})
    assert [m.get("text") for m in executed["messages"]] == [
        expected("utter_handoff_resolved", "pt", agent="Rita", reference=reference)
    ]
    console_calls(assistant, sender, "tracker/events", [{"event": "action", "name": "action_listen"}])

    assert assistant.texts(sender, "5") == [expected("utter_rating_thanks", "pt")]
    assert queue.get(reference).satisfaction == 5
