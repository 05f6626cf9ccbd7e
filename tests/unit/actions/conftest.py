"""Runs the flow actions the way Rasa's rules would, against the SQL billing backend (SQLite and
PostgreSQL), with the demo data of a fixed day: intent → action, slot events applied, follow-ups run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

import actions.flow as flow_module
import actions.flows  # noqa: F401  (registers every flow)
import actions.handoff as handoff_module
from actions.conversation import ActionFallback
from actions.flow import ActionFlowAnswer, registered_actions
from bot.billing.sql.backend import SqlBillingBackend
from bot.handoff.queue import TicketQueue
from tests.unit.billing.configured import configured_backend
from tests.unit.billing.conftest import (  # noqa: F401  (fixtures)
    NOW,
    TODAY,
    database_url,
    engine,
    ids,
    postgres_url,
    seeded,
    sqlite_url,
)

ANSWERS = ("inform", "affirm", "deny")


def all_actions() -> dict[str, Action]:
    actions = (*registered_actions(), ActionFlowAnswer(), ActionFallback())
    return {action.name(): action for action in actions}


@dataclass
class Chat:
    """One conversation of a verified customer (or not), message by message."""

    customer_id: int | None
    language: str
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    actions: dict[str, Action] = field(default_factory=all_actions)
    sender_id: str = "test"  # Rasa's conversation id

    def __post_init__(self) -> None:
        self.slots.update(
            {
                "language": self.language,
                "verified": self.customer_id is not None,
                "customer_id": str(self.customer_id) if self.customer_id else None,
            }
        )

    def say(self, intent: str, text: str = "", **entities: Any) -> list[dict[str, Any]]:
        """The bot's messages (response name and parameters) after the customer's message."""
        return self.say_parsed(
            {
                "text": text,
                "intent": {"name": intent, "confidence": 1.0},
                "entities": [{"entity": name, "value": value} for name, value in entities.items()],
                "intent_ranking": [],
            }
        )

    def say_unsure(self, text: str, best: str, confidence: float) -> list[dict[str, Any]]:
        """A message under the fallback threshold whose best guess is `best`."""
        ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": best, "confidence": confidence}]
        return self.say_parsed(
            {"text": text, "intent": ranking[0], "entities": [], "intent_ranking": ranking}
        )

    def say_parsed(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        intent = message["intent"]["name"]
        text = message["text"]
        self.events.append({"event": "user", "text": text, "parse_data": message})
        action: str | None = self._route(intent)
        out: list[dict[str, Any]] = []
        while action is not None:
            action, said = self._run(action, message)
            out.extend(said)
        return out

    def responses(self, intent: str, text: str = "", **entities: Any) -> list[str]:
        return [m.get("response") or "" for m in self.say(intent, text, **entities)]

    def _route(self, intent: str) -> str:
        if intent in ANSWERS:
            return "action_flow_answer"
        if intent == "nlu_fallback":
            return "action_fallback"
        if intent == "request_human":
            return "action_handoff"
        if intent == "check_balance":
            return "action_show_balance"
        return f"action_{intent}"

    def _run(self, name: str, message: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
        dispatcher = CollectingDispatcher()
        tracker = Tracker(
            sender_id=self.sender_id,
            slots=dict(self.slots),
            latest_message=message,
            events=list(self.events),
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name=None,
        )
        events = asyncio.run(self.actions[name].run(dispatcher, tracker, {}))
        self.events.append({"event": "action", "name": name})
        follow_up = None
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
            elif event["event"] == "followup":
                follow_up = event["name"]
        if follow_up is not None and follow_up not in self.actions:
            follow_up = None  # a form or a response: not run here
        return follow_up, dispatcher.messages


@pytest.fixture
def backend(seeded: Engine) -> SqlBillingBackend:  # noqa: F811
    return configured_backend(seeded)


@pytest.fixture
def chat(
    backend: SqlBillingBackend,
    seeded: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Chat]:
    monkeypatch.setattr(flow_module, "backend", lambda: backend)
    monkeypatch.setattr(flow_module, "today", lambda: TODAY)
    monkeypatch.setattr(flow_module, "now", lambda: NOW)
    queue = TicketQueue(seeded, lambda: NOW)
    monkeypatch.setattr(handoff_module, "backend", lambda: backend)
    monkeypatch.setattr(handoff_module, "ticket_queue", lambda: queue)
    monkeypatch.setattr(handoff_module, "now", lambda: NOW)
    monkeypatch.setenv("SUPPORT_HOURS", "1-7 00:00-24:00")  # a handoff gets a place in the queue

    def start(customer_id: int | None, language: str) -> Chat:
        return Chat(customer_id, language)

    return start
