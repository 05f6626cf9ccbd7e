"""The web chat's output channel: one `bot_uttered` per bot message, sent to the conversation's room.

The room is named after the Rasa sender id, so the channel works outside any request too: replies the
Rasa HTTP API sends later (an agent's message during a handoff, `output_channel=latest`) reach every
tab the customer has open on that conversation.

The payload keeps Rasa's socket.io format (`text`, `quick_replies`, `attachment`), so Rasa's own web
widgets still work, plus `handoff` ({"event": ..., "agent": ...}) when the message comes from or is
about a human agent: one emit, so the widget shows the agent's message with the agent's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from socketio import AsyncServer

from bot.channels.messages import agent_name_of, buttons_of, handoff_event_of
from bot.channels.output import MessageOutput
from bot.console.transcript import HANDOFF_KEY

CHANNEL_NAME = "widget"
BOT_UTTERED = "bot_uttered"
HANDOFF_EVENTS = frozenset({"agent_joined", "agent_left", "agent_message"})


class WidgetOutput(MessageOutput):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(self, sio: AsyncServer) -> None:
        self.sio = sio

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        payload = bot_message(message)
        if payload:
            await self.sio.emit(BOT_UTTERED, payload, to=recipient_id)


def bot_message(message: Mapping[str, Any]) -> dict[str, Any]:
    """The `bot_uttered` payload of a bot message (Rasa's `BotUttered.message()` shape). Only the known
    keys are sent: the event's metadata (response name, timestamps) stays on the server."""
    payload: dict[str, Any] = {}
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        payload["text"] = text
    replies = [
        {"content_type": "text", "title": button.title, "payload": button.payload}
        for button in buttons_of(message)
    ]
    if replies:
        payload["quick_replies"] = replies
    attachment = _attachment(message)
    if attachment is not None:
        payload["attachment"] = attachment
    event = handoff_event_of(message)
    if event in HANDOFF_EVENTS:
        payload["handoff"] = {"event": event, "agent": agent_name_of(message)}
    custom = message.get("custom")
    if isinstance(custom, Mapping):
        rest = {key: value for key, value in custom.items() if key != HANDOFF_KEY}
        if rest:
            payload["custom"] = rest
    return payload


def _attachment(message: Mapping[str, Any]) -> Any:
    attachment = message.get("attachment")
    if attachment:
        return attachment
    image = message.get("image")
    if isinstance(image, str) and image:
        return {"type": "image", "payload": {"src": image}}
    elements = message.get("elements")
    if elements:
        return {"type": "template", "payload": {"template_type": "generic", "elements": elements}}
    return None
