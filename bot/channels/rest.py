"""Rasa's REST channel (`/webhooks/rest/webhook`) with payment data masked. The client chooses its
sender id: for tests and trusted back ends only, never public."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels.redacting import MessageHandler, redacting


class RedactingRestInput(RestInput):
    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        return super().blueprint(redacting(on_new_message))
