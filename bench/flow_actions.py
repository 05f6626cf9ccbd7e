"""Time the flow actions take per message, in-process against the seeded SQLite backend (what the
action server adds to each reply, without HTTP or NLU), and the handoff's two customer steps (a ticket
with its place in the queue, calling it off). Prints median and 95th percentile per step.

    .venv/bin/python -m bench.flow_actions
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.flow as flow_module
import actions.flows  # noqa: F401  (registers every flow)
import actions.handoff as handoff_module
from actions.flow import ActionFlowAnswer, registered_actions
from actions.handoff import ActionCancelHandoff, ActionHandoff
from bot.billing.database import make_engine, migrate, seed_demo
from bot.billing.payment_requests import Collection
from bot.billing.sql import queries
from bot.billing.sql.backend import SqlBillingBackend
from bot.handoff.queue import TicketQueue

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
ROUNDS = 50
# (label, customer number, [(action, intent, text, entities)])
SCRIPTS: list[tuple[str, str, list[tuple[str, str, str, dict[str, str]]]]] = [
    ("change plan: list", "482130", [("action_change_plan", "change_plan", "changer d'offre", {})]),
    ("change plan: preview", "482130", [("action_change_plan", "change_plan", "la max", {"plan": "max"})]),
    ("due day: preview", "482130", [("action_change_due_date", "change_due_date", "le 10", {"date": "10"})]),
    ("missed payment", "517204", [("action_missed_payment", "missed_payment", "retard", {})]),
    (
        "pay by pix: amount",
        "845120",
        [("action_make_payment", "make_payment", "pix", {"payment_method": "pix"})],
    ),
    ("invoice list", "482130", [("action_invoice_copy", "invoice_copy", "facture", {})]),
    ("balance", "482130", [("action_show_balance", "check_balance", "solde", {})]),
]


def run(
    loop: asyncio.AbstractEventLoop,
    action: Action,
    slots: dict[str, Any],
    intent: str,
    text: str,
    entities: dict[str, str],
) -> float:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
    }
    tracker = Tracker("bench", dict(slots), message, [], False, None, {}, None)
    started = time.perf_counter()
    loop.run_until_complete(action.run(CollectingDispatcher(), tracker, {}))
    return time.perf_counter() - started


def report(label: str, timings: list[float]) -> None:
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{label:24} {statistics.median(timings) * 1000:10.1f} {p95 * 1000:8.1f}")


def main() -> None:
    logging.disable(logging.INFO)  # the actions' own log lines would drown the figures
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'billing.db'}"
        migrate(url)
        engine = make_engine(url)
        seed_demo(engine, TODAY)
        backend = SqlBillingBackend(
            engine,
            public_base_url="http://127.0.0.1:5080",
            clock=lambda: NOW,
            link_secret="bench",
            collection=Collection("bench-key", "Bench", "Sao Paulo", "999"),
        )
        setattr(flow_module, "backend", lambda: backend)  # noqa: B010  (the action server's one)
        setattr(flow_module, "today", lambda: TODAY)  # noqa: B010
        setattr(flow_module, "now", lambda: NOW)  # noqa: B010
        with engine.connect() as conn:
            rows = {
                number: queries.customer_row_by_number(conn, number) for number in {s[1] for s in SCRIPTS}
            }
        ids = {number: int(row.id) for number, row in rows.items() if row is not None}
        actions = {a.name(): a for a in (*registered_actions(), ActionFlowAnswer())}
        loop = asyncio.new_event_loop()  # one loop, as in the action server: not timed per message
        print(f"{'step':24} {'median ms':>10} {'p95 ms':>8}   ({ROUNDS} runs each, SQLite)")
        for label, number, steps in SCRIPTS:
            slots = {"verified": True, "customer_id": str(ids[number]), "language": "fr"}
            timings = [run(loop, actions[a], slots, i, t, e) for _ in range(ROUNDS) for a, i, t, e in steps]
            report(label, timings)
        os.environ["SUPPORT_HOURS"] = "1-7 00:00-24:00"  # in hours: the place in the queue is worked out
        setattr(handoff_module, "backend", lambda: backend)  # noqa: B010
        setattr(handoff_module, "ticket_queue", lambda: TicketQueue(engine, lambda: NOW))  # noqa: B010
        setattr(handoff_module, "now", lambda: NOW)  # noqa: B010
        slots = {"verified": True, "customer_id": str(ids["482130"]), "language": "fr"}
        handoffs, cancels = [], []
        for _ in range(ROUNDS):  # each ticket is called off, so the next handoff opens a new one
            handoffs.append(run(loop, ActionHandoff(), slots, "request_human", "un conseiller", {}))
            cancels.append(run(loop, ActionCancelHandoff(), slots, "cancel_handoff", "c'est bon", {}))
        report("handoff: ticket + place", handoffs)
        report("handoff: called off", cancels)
        loop.close()


if __name__ == "__main__":
    main()
