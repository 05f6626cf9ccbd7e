"""`GET /api/events`: the console's event stream (server-sent events), over ASGI with a stream of
`LIVE_STREAM_SECONDS` polled every `LIVE_INTERVAL_SECONDS`: changes made while it runs come out as
`event: queue` and `event: conversation` frames."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable

import httpx
import pytest

from bot.billing.backend import BackendUnavailable
from bot.billing.models import Ticket
from bot.console.context import Console
from bot.handoff.agents import Agent

from .conftest import LIVE_STREAM_SECONDS, Browser, FakeRasa, Team, TicketDesk

pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")

FRAME = re.compile(r"event: (\w+)\ndata: (.*)\n\n")


def frames(body: str) -> list[tuple[str, dict[str, str]]]:
    return [(name, json.loads(data)) for name, data in FRAME.findall(body)]


Change = Callable[[], object]


async def stream_with_changes(
    browser: Browser, console: Console, path: str, changes: list[tuple[float, Change]]
) -> httpx.Response:
    """The whole stream of `path`, each change made `delay` seconds after the stream first looked at the
    queue (its starting point: what changes after it is news)."""
    polled = threading.Event()
    look = console.queue.last_change

    def first_look() -> int:
        value = look()
        polled.set()
        return value

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(console.queue, "last_change", first_look)
        streaming = asyncio.create_task(browser.get(path))
        for _ in range(200):
            if polled.is_set() or streaming.done():
                break
            await asyncio.sleep(0.01)
        assert polled.is_set(), "the stream never looked at the queue"
        waited = 0.0
        for delay, change in changes:
            await asyncio.sleep(delay - waited)
            waited = delay
            change()
        return await asyncio.wait_for(streaming, timeout=LIVE_STREAM_SECONDS + 10)


async def test_the_stream_tells_what_changed(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    mine = new_ticket("conv-mine").reference
    console.queue.claim(mine, team.camille)
    shown = new_ticket("conv-shown").reference  # waiting, open on Camille's screen
    unseen = new_ticket("conv-unseen").reference  # waiting, not open
    for conversation in ("conv-mine", "conv-shown", "conv-unseen"):
        rasa.customer_says(conversation, "Bonjour")

    answer = await stream_with_changes(
        camille,
        console,
        f"/api/events?ticket={shown}",
        [
            (0.3, lambda: rasa.customer_says("conv-mine", "Vous êtes là ?")),
            (0.35, lambda: rasa.customer_says("conv-unseen", "Allô ?")),
            (0.4, lambda: new_ticket("conv-new")),
            (0.6, lambda: rasa.customer_says("conv-shown", f"C'est pour {shown}")),
        ],
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.headers["cache-control"] == "no-store"
    body = answer.text
    assert body.startswith(": connected\n\n")
    assert "event: queue" in body
    assert "event: conversation" in body
    received = frames(body)
    assert ("queue", {}) in received
    conversations = [data["reference"] for name, data in received if name == "conversation"]
    assert sorted(conversations) == sorted([mine, shown])  # once each; nothing about the unseen one
    assert unseen not in body


async def test_a_quiet_stream_says_nothing_but_that_it_is_connected(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    console.queue.claim(new_ticket("conv-mine").reference, team.camille)
    rasa.customer_says("conv-mine", "Bonjour")
    answer = await camille.get("/api/events")
    assert answer.status_code == 200 and frames(answer.text) == []
    assert rasa.changes() == []  # watching reads trackers, never writes


async def test_the_stream_follows_what_the_agent_claims_meanwhile(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    reference = new_ticket("conv-1").reference
    rasa.customer_says("conv-1", "Bonjour")
    answer = await stream_with_changes(
        camille,
        console,
        "/api/events",
        [
            (0.2, lambda: console.queue.claim(reference, team.camille)),
            (0.6, lambda: rasa.customer_says("conv-1", "Merci de prendre ma demande")),
        ],
    )
    assert frames(answer.text) == [("queue", {}), ("conversation", {"reference": reference})]


async def test_the_stream_goes_on_while_rasa_is_down(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    reference = new_ticket("conv-1").reference
    console.queue.claim(reference, team.camille)
    rasa.failure = 503

    def back() -> None:
        rasa.failure = None

    answer = await stream_with_changes(
        camille,
        console,
        "/api/events",
        [
            (0.2, lambda: new_ticket("conv-2")),
            (0.4, back),
            (0.8, lambda: rasa.customer_says("conv-1", "Il y a quelqu'un ?")),
        ],
    )
    assert answer.status_code == 200
    assert frames(answer.text) == [("queue", {}), ("conversation", {"reference": reference})]


async def test_no_stream_without_signing_in(browser: Browser) -> None:
    answer = await browser.get("/api/events")
    assert (answer.status_code, answer.json()) == (401, {"error": "login_required"})
    assert "text/event-stream" not in answer.headers.get("content-type", "")


async def test_the_stream_catches_up_when_the_database_fails_once(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    """The agent's tickets could not be read after a change: they are read again on the next look, and
    the change is still told."""
    reference = new_ticket("conv-1").reference
    rasa.customer_says("conv-1", "Bonjour")
    mine = console.queue.mine
    reads: list[str] = []

    def failing_once(agent: Agent) -> list[Ticket]:
        reads.append(agent.username)
        if len(reads) == 2:  # the first read after the claim
            raise BackendUnavailable("could not connect to server")
        return mine(agent)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(console.queue, "mine", failing_once)
        answer = await stream_with_changes(
            camille,
            console,
            "/api/events",
            [
                (0.2, lambda: console.queue.claim(reference, team.camille)),
                (0.6, lambda: rasa.customer_says("conv-1", "Merci de prendre ma demande")),
            ],
        )
    assert len(reads) == 3
    assert frames(answer.text) == [("queue", {}), ("conversation", {"reference": reference})]


async def test_a_supervisor_follows_the_conversations_assigned_to_them_not_every_one(
    sam: Browser, camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    """One Rasa request per followed conversation per tick: a supervisor is not told of every message in
    the team's conversations, only of theirs and of the one open on screen."""
    others = new_ticket("conv-1").reference
    console.queue.claim(others, team.camille)
    rasa.customer_says("conv-1", "Bonjour")
    answer = await stream_with_changes(
        sam, console, "/api/events", [(0.3, lambda: rasa.customer_says("conv-1", "Vous êtes là ?"))]
    )
    assert ("conversation", {"reference": others}) not in frames(answer.text)
    shown = await stream_with_changes(
        sam, console, f"/api/events?ticket={others}", [(0.3, lambda: rasa.customer_says("conv-1", "Allô ?"))]
    )
    assert ("conversation", {"reference": others}) in frames(shown.text)
