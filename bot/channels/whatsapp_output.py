"""The WhatsApp output channel: turns a bot message into Twilio messages and hands them to the sender.

- Text is cut into parts of at most 1600 characters; buttons become a numbered list at the end, and are
  remembered (per conversation, for a day, in this process or in Redis for every instance:
  bot/channels/memory.py) so that the customer's "2" can be read back;
  a file (an invoice PDF) goes out as media, with the first part of the text as its caption.
- The bot's own replies are queued and not awaited: Rasa never waits for Twilio, failures are logged.
- A message from the agent console (`custom.handoff`) is awaited and raises `DeliveryFailed` when it
  finally fails. WhatsApp only lets a business write freely within 24 hours of the customer's last
  message: outside that window an agent's message goes out as the approved template of the conversation's
  language if one is configured, and otherwise (or for the joined/left notices) is not sent at all, so
  that the console can tell the agent (`WINDOW_CLOSED`) rather than Twilio failing silently later.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.delivery import REJECTED, UNREACHABLE, WINDOW_CLOSED, DeliveryFailed
from bot.channels.memory import ChannelMemory
from bot.channels.messages import Button, agent_name_of, buttons_of, document_of, handoff_event_of, text_of
from bot.channels.output import MessageOutput
from bot.channels.phone_language import language_of_number, masked_number
from bot.channels.recent import ValueMemory
from bot.channels.recent_redis import Codec
from bot.channels.splitting import utf16_length
from bot.channels.whatsapp_choices import message_parts
from bot.channels.whatsapp_sender import Outcome, OutgoingMessage, TwilioSender
from bot.channels.whatsapp_settings import ADDRESS_PREFIX, WhatsAppSettings
from bot.language import conversation_language

logger = logging.getLogger(__name__)

CHANNEL_NAME = "whatsapp"
SENDER_PREFIX = "whatsapp-"  # Rasa's sender id: "whatsapp-+33612345678"
# Twilio's limit for one message, and WhatsApp's for the text under a file, in characters: counted in
# UTF-16 code units (an emoji counts twice), which is never fewer than either counts.
MAX_BODY_CHARS = 1600
MAX_CAPTION_CHARS = 1024
SERVICE_WINDOW_S = 24 * 3600.0
OPTIONS_TTL_S = 24 * 3600.0
MEMORY_CAPACITY = 50_000  # conversations remembered (options offered, last customer message)
BUTTONS = Codec[list[Button]](
    encode=lambda buttons: [{"title": button.title, "payload": button.payload} for button in buttons],
    decode=lambda stored: [Button(str(item["title"]), str(item["payload"])) for item in stored],
)
_E164 = re.compile(r"\+[1-9]\d{6,14}")

# Rasa's tracker of a conversation, when the output channel can reach it (the Rasa server's agent).
TrackerSource = Callable[[str], Awaitable[DialogueStateTracker | None]]


def sender_id_of(number: str) -> str:
    return SENDER_PREFIX + number


def address_of(sender_id: str) -> str | None:
    """ "whatsapp-+33612345678" → "whatsapp:+33612345678"; None for a sender id of another channel."""
    number = sender_id.removeprefix(SENDER_PREFIX)
    return (
        ADDRESS_PREFIX + number if sender_id.startswith(SENDER_PREFIX) and _E164.fullmatch(number) else None
    )


class WhatsAppOutput(MessageOutput):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(
        self,
        settings: WhatsAppSettings,
        sender: TwilioSender,
        clock: Callable[[], float] = time.time,
        memory: ChannelMemory | None = None,
    ) -> None:
        """`memory`: the input channel's (else one made from the settings)."""
        self.settings = settings
        self.sender = sender
        self.clock = clock
        self.trackers: TrackerSource | None = None  # set when the server starts (the input channel)
        memory = memory or ChannelMemory(CHANNEL_NAME, settings.memory_redis_url)
        self._options: ValueMemory[list[Button]] = memory.values(
            "options", OPTIONS_TTL_S, MEMORY_CAPACITY, clock, BUTTONS
        )
        # Within the window while the key lives: its age limit is the window, each message starts it again.
        self._customer_wrote: ValueMemory[bool] = memory.values(
            "customer_wrote", SERVICE_WINDOW_S, MEMORY_CAPACITY, clock
        )

    # -- what the input channel tells and asks ------------------------------------------------------
    async def customer_wrote(self, sender_id: str) -> None:
        await self._customer_wrote.put(sender_id, True)

    async def offered_options(self, sender_id: str) -> list[Button]:
        """The options of the last message with buttons sent to the conversation (within a day)."""
        return await self._options.get(sender_id) or []

    async def forget_options(self, sender_id: str) -> None:
        await self._options.pop(sender_id)

    # -- sending ------------------------------------------------------------------------------------
    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        event = handoff_event_of(message)
        to = address_of(recipient_id)
        if to is None:
            logger.warning("whatsapp.unknown_recipient", extra={"handoff_event": event})
            if event is not None:
                raise DeliveryFailed(REJECTED)
            return
        buttons = buttons_of(message)
        if buttons:
            await self._options.put(recipient_id, buttons)
        text = text_of(message)
        agent = agent_name_of(message).replace("*", "")  # not WhatsApp's bold marks
        signed = f"*{agent}*\n{text}" if event == "agent_message" and agent and text else text
        parts = _outgoing(to, signed, buttons, _media_url(message))
        if event is None:
            self.sender.post(parts)  # the bot's reply: never waits for Twilio
            return
        if not parts:
            return
        if not await self._window_open(recipient_id):
            parts = [await self._template(recipient_id, to, event, agent, text)]
        outcome = await self.sender.send(parts)
        if outcome is not Outcome.SENT:
            raise DeliveryFailed(REJECTED if outcome is Outcome.REJECTED else UNREACHABLE)

    async def _window_open(self, sender_id: str) -> bool:
        if await self._customer_wrote.get(sender_id) is not None:
            return True
        last = _last_customer_message(await self._tracker(sender_id))  # e.g. after a restart
        return last is not None and self.clock() - last < SERVICE_WINDOW_S

    async def _template(self, sender_id: str, to: str, event: str, agent: str, text: str) -> OutgoingMessage:
        language = await self._language(sender_id, to)
        template = self.settings.agent_template(language) if event == "agent_message" else None
        if template is None:
            extra = {"recipient": masked_number(to), "handoff_event": event, "language": language}
            logger.warning("whatsapp.window_closed", extra=extra)
            raise DeliveryFailed(WINDOW_CLOSED)
        logger.info("whatsapp.template_used", extra={"recipient": masked_number(to), "language": language})
        variables = json.dumps({"1": agent, "2": text}, ensure_ascii=False)
        return OutgoingMessage(to, content_sid=template, content_variables=variables)

    async def _language(self, sender_id: str, to: str) -> str:
        tracker = await self._tracker(sender_id)
        default = language_of_number(to.removeprefix(ADDRESS_PREFIX)) or self.settings.default_language
        return conversation_language(tracker.current_slot_values() if tracker else {}, default)

    async def _tracker(self, sender_id: str) -> DialogueStateTracker | None:
        if self.trackers is None:
            return None
        try:
            return await self.trackers(sender_id)
        except Exception:  # the tracker store is down: treated as a conversation not found
            logger.exception("whatsapp.tracker_unavailable")
            return None


def _outgoing(to: str, text: str, buttons: list[Button], media_url: str | None) -> list[OutgoingMessage]:
    texts = message_parts(text, buttons, MAX_BODY_CHARS, utf16_length)
    if media_url is None:
        return [OutgoingMessage(to, body=part) for part in texts]
    if texts and utf16_length(texts[0]) <= MAX_CAPTION_CHARS:
        caption, texts = texts[0], texts[1:]
    else:
        caption = ""
    return [OutgoingMessage(to, body=caption, media_url=media_url)] + [
        OutgoingMessage(to, body=part) for part in texts
    ]


def _media_url(message: Mapping[str, Any]) -> str | None:
    document = document_of(message)
    if document is not None:
        return document.url
    image = message.get("image")
    return image if isinstance(image, str) and image.startswith(("https://", "http://")) else None


def _last_customer_message(tracker: DialogueStateTracker | None) -> float | None:
    if tracker is None:
        return None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return float(event.timestamp)
    return None
