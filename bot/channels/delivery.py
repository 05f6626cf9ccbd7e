"""A message that could not be delivered on the customer's channel.

Raised by an output channel while Rasa's HTTP API adds a bot event (an agent's reply): Rasa then answers
500 without saving the event, with `str(error)` in its error message, where the agent console finds the
reason (`bot/console/rasa_api.py`) and tells the agent, instead of a silent failure.
"""

from __future__ import annotations

import re

# The reasons an agent is told about (the console has a text for each, locales/console/*.yml).
WINDOW_CLOSED = "whatsapp_window_closed"  # WhatsApp: more than 24 h since the customer wrote, no template
UNREACHABLE = "channel_unreachable"  # the platform could not be reached or kept failing
REJECTED = "channel_rejected"  # the platform refused the message (blocked bot, unknown chat...)
REASONS = frozenset({WINDOW_CLOSED, UNREACHABLE, REJECTED})
_MARK = re.compile(r"delivery_failed:([a-z_]+)")


class DeliveryFailed(Exception):
    def __init__(self, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown delivery failure reason: {reason}")
        super().__init__(f"delivery_failed:{reason}")
        self.reason = reason


def failure_reason(error_text: str) -> str | None:
    """The reason a `DeliveryFailed` gave, found in an error message that quotes it; None if absent."""
    match = _MARK.search(error_text)
    return match[1] if match and match[1] in REASONS else None
