"""Masks card numbers, IBANs and CPFs in customer messages before Rasa stores, logs or parses them.

Every input channel wraps Rasa's `on_new_message` with `redacting`: the tracker, the NLU, the logs and
the agent console only ever see the masked text. The actions tell the customer what was masked and why.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.redaction import redact_payment_data

logger = logging.getLogger(__name__)

MessageHandler = Callable[[UserMessage], Awaitable[Any]]


def redacting(on_new_message: MessageHandler) -> MessageHandler:
    async def handle(message: UserMessage) -> Any:
        return await on_new_message(redacted(message))

    return handle


def redacted(message: UserMessage) -> UserMessage:
    if not message.text:
        return message
    redaction = redact_payment_data(message.text)
    if redaction.kinds:
        logger.info(
            "channel.message_redacted", extra={"channel": message.input_channel, "kinds": redaction.kinds}
        )
        message.text = redaction.text
    return message
