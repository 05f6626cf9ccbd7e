"""A conversation as the console shows it, from the Rasa tracker's events: who said what and when,
card numbers, IBANs and CPFs masked (the channels mask them before Rasa stores a message; this is the
second line, for anything stored before or by other means)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.redaction import redact_payment_data

HANDOFF_KEY = "handoff"  # in a bot message's `custom` data: the console's own messages
AGENT_MESSAGE = "agent_message"
MAX_MESSAGES = 500


def handoff_marker(event: str, agent_name: str) -> dict[str, Any]:
    """The `custom` data of a bot message the console sends: channels show it as the agent's."""
    return {HANDOFF_KEY: {"event": event, "agent": agent_name}}


def messages(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`[{"from": "customer"|"bot"|"agent"|"system", "text", "at", "agent_name"}]`, oldest first."""
    shown: list[dict[str, Any]] = []
    for event in events:
        kind, text = event.get("event"), event.get("text")
        if kind not in ("user", "bot") or not text:
            continue
        message: dict[str, Any] = {
            "from": "customer",
            "text": redact_payment_data(str(text)).text,
            "at": _when(event),
        }
        if kind == "bot":
            marker = ((event.get("data") or {}).get("custom") or {}).get(HANDOFF_KEY)
            if isinstance(marker, dict):
                is_reply = marker.get("event") == AGENT_MESSAGE
                message["from"] = "agent" if is_reply else "system"
                message["agent_name"] = str(marker.get("agent") or "")
            else:
                message["from"] = "bot"
        shown.append(message)
    return shown[-MAX_MESSAGES:]


def _when(event: dict[str, Any]) -> str | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)):
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat()
