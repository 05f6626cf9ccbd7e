"""The console's JSON API (docs/console-api.md): the queue, one ticket with its conversation, and what an
agent does with it. Each change is made in the queue first (who may do what is decided there), then told
to the customer through the Rasa server on their own channel."""

from __future__ import annotations

import logging
from json import loads as json_loads
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot import i18n
from bot.billing.backend import BackendUnavailable, NotAllowed, NotFound
from bot.billing.models import Ticket, TicketStatus
from bot.console import shapes, transcript
from bot.console.auth import api
from bot.console.context import Console
from bot.console.rasa_api import RasaUnavailable
from bot.handoff.agents import Agent
from bot.handoff.errors import Forbidden
from bot.handoff.sessions import AgentSession

log = logging.getLogger(__name__)

HANDOFF_RESOLVED_ACTION = "action_handoff_resolved"


def first_name(agent: Agent) -> str:
    return agent.display_name.split()[0] if agent.display_name.split() else agent.username


def refusal(error: Exception) -> HTTPResponse:
    if isinstance(error, Forbidden):
        return json({"error": "supervisor"}, status=403)
    if isinstance(error, NotFound):
        return json({"error": error.args[0] if error.args else "ticket"}, status=404)
    if isinstance(error, NotAllowed):
        return json({"error": error.reason}, status=409)
    if isinstance(error, (BackendUnavailable, RasaUnavailable)):
        return json({"error": "unavailable"}, status=503)
    raise error


def body_text(request: Request, name: str) -> str | None:
    """A string field of the JSON body (its length is the queue's to judge); None when absent or when
    the body is not JSON."""
    try:
        body = json_loads(request.body) if request.body else None
    except ValueError:
        return None
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def blueprint(console: Console) -> Blueprint:
    bp = Blueprint("console_api", url_prefix="/api")

    async def agents_by_id() -> dict[int, Agent]:
        return {agent.id: agent for agent in await console.call(console.directory.list_agents)}

    async def summary_of(ticket: Ticket, session: AgentSession) -> dict[str, Any]:
        return shapes.ticket_summary(ticket, await agents_by_id(), session.agent.language, console.clock())

    async def tell_customer(ticket: Ticket, events: list[dict[str, Any]]) -> bool:
        """Sends `events` to the ticket's conversation; False when Rasa could not take them."""
        if not ticket.conversation_id:
            return False
        try:
            await console.rasa.append(ticket.conversation_id, events)
        except RasaUnavailable:
            log.warning("console.delivery_failed", extra={"ticket": ticket.reference})
            return False
        return True

    def agent_says(ticket: Ticket, agent: Agent, text: str, event: str) -> dict[str, Any]:
        return {
            "event": "bot",
            "text": text,
            "data": {"custom": transcript.handoff_marker(event, first_name(agent))},
            "metadata": {"agent": agent.username},
        }

    async def agent_joins(ticket: Ticket, agent: Agent) -> bool:
        """The customer is told who takes over, and the bot goes quiet in that conversation."""
        notice = i18n.text(ticket.language, "handoff.agent_joined", agent=first_name(agent))
        return await tell_customer(
            ticket, [agent_says(ticket, agent, notice, "agent_joined"), {"event": "pause"}]
        )

    async def changed(ticket: Ticket, session: AgentSession, delivered: bool) -> HTTPResponse:
        answer: dict[str, Any] = {"ticket": await summary_of(ticket, session)}
        if not delivered:
            answer["warning"] = "delivery_failed"
        return json(answer)

    @bp.get("/me")
    @api(console)
    async def me(request: Request, session: AgentSession) -> HTTPResponse:
        agent = session.agent
        return json(
            {
                "username": agent.username,
                "display_name": agent.display_name,
                "role": agent.role,
                "language": agent.language,
            }
        )

    @bp.get("/queue")
    @api(console)
    async def queue(request: Request, session: AgentSession) -> HTTPResponse:
        agents = await agents_by_id()
        now, language = console.clock(), session.agent.language
        waiting = await console.call(console.queue.waiting)
        mine = await console.call(console.queue.handled_by, session.agent)
        return json(
            {
                "waiting": [shapes.ticket_summary(item.ticket, agents, language, now) for item in waiting],
                "mine": [shapes.ticket_summary(ticket, agents, language, now) for ticket in mine],
                "agents": [shapes.agent_summary(agent) for agent in agents.values() if agent.active],
            }
        )

    @bp.get("/tickets/<reference>")
    @api(console)
    async def ticket(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        language = session.agent.language
        try:
            found = await console.call(console.queue.get, reference)
            events = await console.call(console.queue.events, found.reference)
        except (NotFound, BackendUnavailable) as error:
            return refusal(error)
        customer = await customer_of(found, language)
        messages: list[dict[str, Any]] = []
        if found.conversation_id:
            try:
                tracker = await console.rasa.tracker(found.conversation_id)
                messages = transcript.messages(list(tracker.get("events") or []))
            except RasaUnavailable:
                messages = []
        notes = [
            {"author": event.agent_username, "text": event.text, "at": event.created_at.isoformat()}
            for event in events
            if event.kind.value == "note"
        ]
        summary = shapes.ticket_summary(
            found, await agents_by_id(), language, console.clock(), customer["name"] if customer else None
        )
        return json(
            {
                "ticket": summary,
                "transcript": messages,
                "notes": notes,
                "customer": customer,
                "canned": canned_replies(found.language),
            }
        )

    async def customer_of(ticket: Ticket, language: str) -> dict[str, Any] | None:
        if ticket.customer_id is None:
            return None
        today = console.clock().date()
        try:
            account = await console.call(console.backend.get_account_summary, ticket.customer_id, today)
            subscription = await console.call(console.backend.get_subscription, ticket.customer_id)
        except (NotFound, BackendUnavailable):
            log.warning("console.customer_unavailable", extra={"ticket": ticket.reference})
            return None
        return shapes.customer_summary(account, subscription, language)

    @bp.post("/tickets/<reference>/claim")
    @api(console)
    async def claim(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        try:
            taken = await console.call(console.queue.claim, reference, session.agent)
        except (NotFound, NotAllowed, BackendUnavailable) as error:
            return refusal(error)
        return await changed(taken, session, await agent_joins(taken, session.agent))

    async def move(request: Request, session: AgentSession, reference: str, *, assign: bool) -> HTTPResponse:
        username = body_text(request, "to")
        if not username:
            return json({"error": "bad_request"}, status=400)
        try:
            target = await console.call(console.directory.find_agent, username)
            if target is None or not target.active:
                raise NotFound("agent")
            if assign:
                moved = await console.call(console.queue.assign, reference, target, session.agent)
            else:
                moved = await console.call(console.queue.transfer, reference, session.agent, target)
        except (NotFound, NotAllowed, Forbidden, BackendUnavailable) as error:
            return refusal(error)
        return await changed(moved, session, await agent_joins(moved, target))

    @bp.post("/tickets/<reference>/transfer")
    @api(console)
    async def transfer(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        return await move(request, session, reference, assign=False)

    @bp.post("/tickets/<reference>/assign")
    @api(console, supervisor=True)
    async def assign(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        return await move(request, session, reference, assign=True)

    @bp.post("/tickets/<reference>/reply")
    @api(console)
    async def reply(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        text = body_text(request, "text")
        if text is None:
            return json({"error": "bad_request"}, status=400)
        try:
            handled = await console.call(console.queue.check_reply, reference, session.agent, text)
        except (NotFound, NotAllowed, BackendUnavailable) as error:
            return refusal(error)
        message = agent_says(handled, session.agent, text.strip(), transcript.AGENT_MESSAGE)
        if not await tell_customer(handled, [message]):
            return json({"error": "delivery_failed"}, status=502)  # not recorded: it was not sent
        try:
            await console.call(console.queue.record_reply, reference, session.agent, text)
        except (NotFound, NotAllowed, BackendUnavailable) as error:
            log.warning("console.reply_sent_not_recorded", extra={"ticket": reference})
            return refusal(error)
        return json({"ok": True})

    @bp.post("/tickets/<reference>/note")
    @api(console)
    async def note(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        text = body_text(request, "text")
        if text is None:
            return json({"error": "bad_request"}, status=400)
        try:
            await console.call(console.queue.add_note, reference, session.agent, text)
        except (NotFound, NotAllowed, BackendUnavailable) as error:
            return refusal(error)
        return json({"ok": True})

    @bp.post("/tickets/<reference>/resolve")
    @api(console)
    async def resolve(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        try:
            resolved = await console.call(console.queue.resolve, reference, session.agent)
        except (NotFound, NotAllowed, BackendUnavailable) as error:
            return refusal(error)
        return await changed(resolved, session, await bot_takes_back(resolved, session.agent))

    async def bot_takes_back(ticket: Ticket, resolver: Agent) -> bool:
        """The agent leaves, the bot answers again, tells the customer and asks for a rating. The customer
        hears of the agent they talked to, even when a supervisor resolved it."""
        if ticket.status is not TicketStatus.RESOLVED or not ticket.conversation_id:
            return False
        agents = await agents_by_id()
        agent = agents.get(ticket.assigned_agent_id or -1, resolver)
        notice = i18n.text(ticket.language, "handoff.agent_left", agent=first_name(agent))
        if not await tell_customer(
            ticket, [agent_says(ticket, agent, notice, "agent_left"), {"event": "resume"}]
        ):
            return False
        try:
            await console.rasa.execute(ticket.conversation_id, HANDOFF_RESOLVED_ACTION)
        except RasaUnavailable:
            log.warning("console.resume_failed", extra={"ticket": ticket.reference})
            return False
        return True

    return bp


def canned_replies(language: str) -> list[dict[str, str]]:
    """Ready-made answers in the customer's language (`canned:` in locales/<lang>.yml)."""
    replies = i18n.catalogue(language).get("canned") or []
    return [{"title": str(item["title"]), "text": str(item["text"])} for item in replies]
