"""Rasa's REST channel (`/webhooks/rest/webhook`) with payment data masked, closed without a token.

The client chooses its sender id, so the channel is for trusted back ends (and the tests) only: every
request must carry `Authorization: Bearer <REST_CHANNEL_TOKEN>`. While REST_CHANNEL_TOKEN is empty the
channel refuses every message; `make run` makes one per run.
"""

from __future__ import annotations

import hmac
import logging
import os

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, HTTPResponse, Request, response
from sanic.exceptions import InvalidUsage

from bot.channels.redacting import MessageHandler, redacting

logger = logging.getLogger(__name__)

# The fields Rasa's RestInput reads, and their type when given (null: not given).
MESSAGE_FIELDS: dict[str, type] = {"sender": str, "message": str, "input_channel": str, "metadata": dict}


def bearer_token(request: Request) -> str:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def body_problem(request: Request) -> str | None:
    """Why the body is not a message Rasa's RestInput can read, which would answer 500 (not an object),
    drop the message while answering 200, or never end a streamed answer (a field of another type)."""
    try:
        data = request.json
    except InvalidUsage:
        return "invalid_json"
    if not isinstance(data, dict):
        return "invalid_json"
    for name, kind in MESSAGE_FIELDS.items():
        if data.get(name) is not None and not isinstance(data[name], kind):
            return "invalid_fields"
    return None


class RedactingRestInput(RestInput):
    def __init__(self, token: str | None = None) -> None:
        self._token = (os.environ.get("REST_CHANNEL_TOKEN", "") if token is None else token).strip()

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        blueprint = super().blueprint(redacting(on_new_message))
        expected = self._token.encode()

        @blueprint.on_request
        async def require_token(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None  # the health route says nothing about conversations
            given = bearer_token(request).encode()
            if not (expected and hmac.compare_digest(given, expected)):
                logger.warning("rest.refused", extra={"reason": "bad_token" if given else "no_token"})
                return response.json({"error": "unauthorized"}, status=401)
            problem = body_problem(request)
            if problem is not None:
                logger.warning("rest.refused", extra={"reason": problem})
                return response.json({"error": problem}, status=400)
            return None

        return blueprint
