"""What an outgoing bot message (Rasa's `BotUttered.message()` dict: text, buttons or quick_replies,
attachment, custom...) holds, in the shape every channel renders from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.console.transcript import HANDOFF_KEY

MAX_AGENT_NAME_CHARS = 80


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Document:
    """A file to send as such (an invoice PDF): where to fetch it and the name to give it."""

    url: str
    name: str


def text_of(message: Mapping[str, Any]) -> str:
    text = message.get("text")
    return text.strip() if isinstance(text, str) else ""


def buttons_of(message: Mapping[str, Any]) -> list[Button]:
    buttons = message.get("buttons") or message.get("quick_replies")
    if not isinstance(buttons, list):
        return []
    return [
        Button(str(button["title"]), str(button["payload"]))
        for button in buttons
        if isinstance(button, Mapping) and button.get("title") and button.get("payload")
    ]


def document_of(message: Mapping[str, Any]) -> Document | None:
    """The file attached to the message: `{"type": "file", "url", "name"}` (our actions) or Rasa's
    `{"type": "file", "payload": {"src"|"url", "name"|"title"}}`; only http(s) URLs."""
    attachment = message.get("attachment")
    if not isinstance(attachment, Mapping):
        return None
    payload = attachment.get("payload")
    inner: Mapping[str, Any] = payload if isinstance(payload, Mapping) else attachment
    url = inner.get("url") or inner.get("src")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    name = inner.get("name") or inner.get("title") or url.rsplit("/", 1)[-1].split("?")[0] or "document"
    return Document(url, str(name))


def handoff_event_of(message: Mapping[str, Any]) -> str | None:
    """ "agent_message", "agent_joined" or "agent_left" for a message the agent console sent (Rasa's HTTP
    API, `custom.handoff`); None for the bot's own messages."""
    event = _handoff_marker(message).get("event")
    return event if isinstance(event, str) else None


def agent_name_of(message: Mapping[str, Any]) -> str:
    """The name of the agent a console message is from or about, on one line and at most
    MAX_AGENT_NAME_CHARS long; "" for the bot's own messages."""
    agent = _handoff_marker(message).get("agent")
    return " ".join(agent.split())[:MAX_AGENT_NAME_CHARS] if isinstance(agent, str) else ""


def _handoff_marker(message: Mapping[str, Any]) -> Mapping[str, Any]:
    custom = message.get("custom")
    marker = custom.get(HANDOFF_KEY) if isinstance(custom, Mapping) else None
    return marker if isinstance(marker, Mapping) else {}
