"""The Rasa server's HTTP API, as the console uses it: read a conversation, add the agent's messages and
pause or resume the bot (delivered on the customer's own channel), run the bot's resolution action.

Rasa needs its API token (`--auth-token`): RASA_API_TOKEN, the same value `make run` passes to Rasa.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

from bot.channels.delivery import failure_reason

log = logging.getLogger(__name__)

LATEST_CHANNEL = "latest"  # Rasa's name for "the channel the customer wrote from last"


class RasaUnavailable(Exception):
    """The Rasa server could not be reached or refused the call."""


class DeliveryRefused(RasaUnavailable):
    """The customer's channel did not take the message (Rasa did not record it either): `reason` is one
    of bot/channels/delivery.py's (the WhatsApp 24-hour window closed, the platform refused...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RasaApi:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def tracker(self, conversation_id: str, *, with_events: bool = True) -> dict[str, Any]:
        """The conversation's state; without events, only enough to see whether it changed
        (`latest_event_time`)."""
        return await self._call(
            "GET",
            f"/conversations/{_path(conversation_id)}/tracker",
            params={"include_events": "ALL" if with_events else "NONE"},
        )

    async def append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Adds events; the bot messages among them are sent to the customer on their latest channel."""
        await self._call(
            "POST",
            f"/conversations/{_path(conversation_id)}/tracker/events",
            params={"output_channel": LATEST_CHANNEL, "execute_side_effects": "true"},
            json=events,
        )

    async def execute(self, conversation_id: str, action: str) -> None:
        """Runs one of the bot's actions now, its messages sent on the customer's latest channel; then
        the bot listens, as after any turn of its own."""
        await self._call(
            "POST",
            f"/conversations/{_path(conversation_id)}/execute",
            params={"output_channel": LATEST_CHANNEL},
            json={"name": action},
        )
        await self.append(conversation_id, [{"event": "action", "name": "action_listen"}])

    async def _call(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        params = {**options.pop("params", {}), "token": self._token}
        try:
            response = await self._client.request(method, path, params=params, **options)
        except httpx.HTTPError as error:
            log.warning("rasa_api.unreachable", extra={"error": type(error).__name__})
            raise RasaUnavailable(type(error).__name__) from error
        if response.status_code >= 400:
            reason = failure_reason(response.text)
            log.warning("rasa_api.refused", extra={"status": response.status_code, "reason": reason})
            if reason:
                raise DeliveryRefused(reason)
            raise RasaUnavailable(f"HTTP {response.status_code}")
        body = response.json() if response.content else {}
        return body if isinstance(body, dict) else {"items": body}


def _path(conversation_id: str) -> str:
    return quote(conversation_id, safe="")
