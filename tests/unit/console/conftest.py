"""Fixtures of the agent console's tests: the console's Sanic app driven in-process over ASGI (httpx), on the
billing database with the demo data (SQLite, and PostgreSQL with the `postgres` marker), three agents, a
movable clock shared by sign-in, the queue and the console, and a fake Rasa server that records every call.

A `Browser` is one agent's browser: its own cookies, signed in through the login form, and the page's
CSRF token for the API calls that change something.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.billing.models import NewTicket, Ticket
from bot.billing.sql.backend import SqlBillingBackend
from bot.channels.delivery import DeliveryFailed
from bot.console.app import create_console_app
from bot.console.context import Console
from bot.console.rasa_api import RasaApi
from bot.handoff.agents import AGENT, SUPERVISOR, Agent, AgentDirectory
from bot.handoff.queue import TicketQueue
from bot.handoff.sessions import ConsoleAuth
from bot.handoff.stats import HandoffStats
from tests.unit.billing.conftest import (  # noqa: F401 (fixtures)
    BASE_URL,
    NOW,
    TODAY,
    database_url,
    engine,
    postgres_url,
    reseed,
    sqlite_url,
)
from tests.unit.handoff.conftest import PASSWORD, MovableClock
from tests.unit.web.conftest import lifespan, untouched_after_the_test

CONSOLE_URL = "http://console.test"
RASA_URL = "http://rasa.test"
RASA_TOKEN = "rasa-test-token"
TIMEZONE = "Europe/Paris"
LIVE_STREAM_SECONDS = 1.5
LIVE_INTERVAL_SECONDS = 0.1
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
LOGIN_CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]*)">')

__all__ = ["NOW", "PASSWORD", "TODAY", "Browser", "FakeRasa", "RasaCall", "Team", "TicketDesk"]


# -- the Rasa server ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RasaCall:
    method: str
    path: str
    query: dict[str, str]
    body: Any  # the JSON sent, None without one

    @property
    def conversation_id(self) -> str | None:
        parts = self.path.strip("/").split("/")
        return parts[1] if len(parts) > 1 and parts[0] == "conversations" else None

    @property
    def what(self) -> str:
        """ "POST tracker/events", "POST execute", "GET tracker"."""
        return f"{self.method} {'/'.join(self.path.strip('/').split('/')[2:])}"


def rasa_refusal(error: Exception) -> dict[str, Any]:
    """Rasa's answer when sending the appended bot messages raised `error` (nothing was saved)."""
    return {
        "version": "3.6.21",
        "status": "failure",
        "message": f"An unexpected error occurred. Error: {error}",
        "reason": "ConversationError",
        "code": 500,
    }


class FakeRasa:
    """Rasa's HTTP API as the console uses it, over `httpx.MockTransport`: each conversation's events in
    memory (what the console appends is added, so later reads see it), every request recorded. `failure`
    makes every call fail: an HTTP status (503) or "unreachable" (a connection error)."""

    def __init__(self) -> None:
        self.calls: list[RasaCall] = []
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.latest: dict[str, float] = {}
        self.failure: int | str | None = None
        # a reason of bot/channels/delivery.py: the customer's channel refuses the bot messages
        self.channel_refuses: str | None = None
        self._stamp = NOW.timestamp()

    def api(self) -> RasaApi:
        return RasaApi(RASA_URL, RASA_TOKEN, transport=httpx.MockTransport(self.handle))

    # -- what the customer and the bot say -------------------------------------------------------------
    def add(self, conversation_id: str, event: dict[str, Any]) -> dict[str, Any]:
        self._stamp += 1.0
        stored = {**event, "timestamp": event.get("timestamp", self._stamp)}
        self.events.setdefault(conversation_id, []).append(stored)
        self.latest[conversation_id] = float(stored["timestamp"])
        return stored

    def customer_says(self, conversation_id: str, text: str) -> None:
        self.add(conversation_id, {"event": "user", "text": text, "parse_data": {"intent": {"name": "x"}}})

    def bot_says(self, conversation_id: str, text: str) -> None:
        self.add(conversation_id, {"event": "bot", "text": text, "data": {}})

    # -- what the console did ---------------------------------------------------------------------------
    def calls_since(self, mark: int) -> list[RasaCall]:
        return self.calls[mark:]

    def changes(self, since: int = 0) -> list[RasaCall]:
        """The calls that change a conversation (anything but reading a tracker)."""
        return [call for call in self.calls[since:] if call.method != "GET"]

    def appended(self, conversation_id: str, since: int = 0) -> list[dict[str, Any]]:
        """The events the console appended to the conversation, in order."""
        return [
            event
            for call in self.changes(since)
            if call.what == "POST tracker/events" and call.conversation_id == conversation_id
            for event in call.body
        ]

    # -- the transport ------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        call = RasaCall(request.method, request.url.path, dict(request.url.params), body)
        self.calls.append(call)
        if self.failure == "unreachable":
            raise httpx.ConnectError("Rasa is down", request=request)
        if isinstance(self.failure, int):
            return httpx.Response(self.failure, json={"status": "failure"})
        if call.query.get("token") != RASA_TOKEN:
            return httpx.Response(401, json={"status": "failure", "reason": "NotAuthenticated"})
        conversation = call.conversation_id
        if conversation is None:
            return httpx.Response(404)
        if call.what == "GET tracker":
            return httpx.Response(200, json=self.tracker(conversation, call.query.get("include_events")))
        if call.what == "POST tracker/events" and isinstance(body, list):
            if self.channel_refuses and any(event.get("event") == "bot" for event in body):
                return httpx.Response(500, json=rasa_refusal(DeliveryFailed(self.channel_refuses)))
            for event in body:
                self.add(conversation, event)
            return httpx.Response(200, json=self.tracker(conversation, "ALL"))
        if call.what == "POST execute" and isinstance(body, dict):
            return httpx.Response(200, json={"tracker": self.tracker(conversation, "ALL"), "messages": []})
        return httpx.Response(404)

    def tracker(self, conversation_id: str, include_events: str | None) -> dict[str, Any]:
        state: dict[str, Any] = {
            "sender_id": conversation_id,
            "latest_event_time": self.latest.get(conversation_id),
        }
        if include_events != "NONE":
            state["events"] = list(self.events.get(conversation_id, []))
        return state


# -- the database, the agents, the tickets -------------------------------------------------------------
@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def console_db(engine: Engine) -> Engine:  # noqa: F811
    """The demo customers (for the customer summaries), no agent, no ticket."""
    return reseed(engine)


@dataclass(frozen=True)
class Team:
    camille: Agent  # agent, French console
    joana: Agent  # agent, Portuguese console
    sam: Agent  # supervisor, English console


@pytest.fixture
def team(console_db: Engine, clock: MovableClock) -> Team:
    directory = AgentDirectory(console_db, clock)
    return Team(
        camille=directory.create_agent("camille.agent", "Camille Durand", PASSWORD, AGENT, "fr"),
        joana=directory.create_agent("joana.agente", "Joana Silva", PASSWORD, AGENT, "pt"),
        sam=directory.create_agent("sam.supervisor", "Sam Taylor", PASSWORD, SUPERVISOR, "en"),
    )


class TicketDesk:
    """Hands conversations to the team as the bot does (a ticket with the conversation's id)."""

    def __init__(self, database: Engine, clock: MovableClock) -> None:
        self.backend = SqlBillingBackend(
            database, public_base_url=BASE_URL, clock=clock, link_secret="s" * 32
        )
        self._clock = clock

    def __call__(
        self,
        conversation_id: str | None = "conv-1",
        language: str = "fr",
        *,
        customer_id: int | None = None,
        summary: str = "Je ne comprends pas ma facture",
    ) -> Ticket:
        ticket = NewTicket(
            channel="socketio",
            language=language,
            topic="customer_request",
            summary=summary,
            customer_id=customer_id,
            conversation_id=conversation_id,
        )
        return self.backend.create_ticket(ticket, self._clock())


@pytest.fixture
def new_ticket(console_db: Engine, clock: MovableClock) -> TicketDesk:
    return TicketDesk(console_db, clock)


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
async def console(console_db: Engine, clock: MovableClock, rasa: FakeRasa) -> AsyncIterator[Console]:
    api = rasa.api()
    yield Console(
        auth=ConsoleAuth(console_db, clock),
        queue=TicketQueue(console_db, clock),
        directory=AgentDirectory(console_db, clock),
        stats=HandoffStats(console_db, clock, TIMEZONE),
        backend=SqlBillingBackend(console_db, public_base_url=BASE_URL, clock=clock, link_secret="s" * 32),
        rasa=api,
        live_interval_seconds=LIVE_INTERVAL_SECONDS,
        live_stream_seconds=LIVE_STREAM_SECONDS,
        clock=clock,
    )
    await api.close()


# -- the console and the agents' browsers --------------------------------------------------------------
class Browser:
    """One agent's browser on the console: its own cookie jar."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""  # the page's CSRF token, once signed in

    async def login_form(self) -> str:
        """The sign-in form's CSRF token (its `console_login_csrf` cookie is now in the jar)."""
        form = await self.http.get("/login")
        assert form.status_code == 200
        found = LOGIN_CSRF_FIELD.search(form.text)
        assert found is not None, "no csrf_token field in the sign-in form"
        return found.group(1)

    async def submit_login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        token = await self.login_form()
        return await self.http.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    async def sign_in(self, agent: Agent, password: str = PASSWORD) -> Browser:
        signed = await self.submit_login(agent.username, password)
        assert signed.status_code == 302 and signed.headers["location"] == "/", signed.text
        self.csrf = await self.page_csrf()
        assert self.csrf
        return self

    async def page_csrf(self) -> str:
        page = await self.http.get("/")
        assert page.status_code == 200, page.status_code
        found = CSRF_META.search(page.text)
        assert found is not None, "no csrf-token meta in the console page"
        return found.group(1)

    async def get(self, path: str, **options: Any) -> httpx.Response:
        return await self.http.get(path, **options)

    async def post(self, path: str, body: Any = None, *, csrf: str | None = None) -> httpx.Response:
        """An API change, with the page's CSRF token unless another one (or "" for none) is given."""
        token = self.csrf if csrf is None else csrf
        headers = {"X-CSRF-Token": token} if token else {}
        return await self.http.post(path, json=body, headers=headers)


@pytest.fixture
async def console_app(console: Console, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sanic]:
    untouched_after_the_test(monkeypatch)
    app = create_console_app(console)
    async with lifespan(app):
        yield app


OpenBrowser = Callable[[], Awaitable[Browser]]


@pytest.fixture
async def open_browser(console_app: Sanic) -> AsyncIterator[OpenBrowser]:
    """`await open_browser()`: a new browser (no cookie) on the console."""
    async with AsyncExitStack() as stack:

        async def open_one() -> Browser:
            transport = httpx.ASGITransport(app=console_app)
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=CONSOLE_URL)
            )
            return Browser(http)

        yield open_one


@pytest.fixture
async def browser(open_browser: OpenBrowser) -> Browser:
    """A browser nobody signed in with."""
    return await open_browser()


@pytest.fixture
async def camille(open_browser: OpenBrowser, team: Team) -> Browser:
    return await (await open_browser()).sign_in(team.camille)


@pytest.fixture
async def joana(open_browser: OpenBrowser, team: Team) -> Browser:
    return await (await open_browser()).sign_in(team.joana)


@pytest.fixture
async def sam(open_browser: OpenBrowser, team: Team) -> Browser:
    return await (await open_browser()).sign_in(team.sam)
