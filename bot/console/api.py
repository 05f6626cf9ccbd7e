"""The console's JSON API (docs/console-api.md): the queue, one ticket with its conversation, and what an
agent does with it. Each change is made in the queue first (who may do what is decided there), then told
to the customer through the Rasa server on their own channel. The queue's refusals become JSON errors in
one place (`refusal`), whichever route they come from."""

from __future__ import annotations

import logging
from json import loads as json_loads
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from bot import i18n
from bot.billing.backend import BackendUnavailable, NotAllowed, NotFound
from bot.billing.models import Ticket, TicketEventKind
from bot.channels import delivery
from bot.console import shapes, transcript
from bot.console.auth import api
from bot.console.context import Console
from bot.console.rasa_api import DeliveryRefused, RasaUnavailable
from bot.handoff.agents import Agent
from bot.handoff.errors import Forbidden
from bot.handoff.sessions import AgentSession

log = logging.getLogger(__name__)
DELIVERY_FAILED = "delivery_failed"  # Rasa could not be reached or failed
REFUSED_BY_CHANNEL = frozenset({delivery.WINDOW_CLOSED, delivery.REJECTED})  # retrying will not help

HANDOFF_RESOLVED_ACTION = "action_handoff_resolved"
REFUSALS = (Forbidden, NotFound, NotAllowed, BackendUnavailable)


def refusal(error: Exception) -> HTTPResponse:
    if isinstance(error, Forbidden):
        return json({"error": "supervisor"}, status=403)
    if isinstance(error, NotFound):
        return json({"error": error.args[0] if error.args else "ticket"}, status=404)
    if isinstance(error, NotAllowed):
        return json({"error": error.reason}, status=409)
    return json({"error": "unavailable"}, status=503)  # BackendUnavailable


def body_text(request: Request, name: str) -> str | None:
    """A string field of the JSON body (its length is the queue's to judge); None when absent or when
    the body is not JSON."""
    try:
        body = json_loads(request.body) if request.body else None
    except ValueError:
        return None
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def bad_request() -> HTTPResponse:
    return json({"error": "bad_request"}, status=400)


def agent_says(agent: Agent, text: str, event: str) -> dict[str, Any]:
    """A bot event holding what the console says for the agent: channels show it as the agent's."""
    return {
        "event": "bot",
        "text": text,
        "data": {"custom": transcript.handoff_marker(event, agent.first_name)},
        "metadata": {"agent": agent.username},
    }


def blueprint(console: Console) -> Blueprint:
    bp = Blueprint("console_api", url_prefix="/api")

    @bp.exception(*REFUSALS)
    async def refused(_: Request, error: Exception) -> HTTPResponse:
        return refusal(error)

    async def agents_by_id() -> dict[int, Agent]:
        return {agent.id: agent for agent in await console.call(console.directory.list_agents)}

    async def changed(ticket: Ticket, session: AgentSession, problem: str | None) -> HTTPResponse:
        """The answer to a change: the ticket as it is now, and a warning when the customer could not
        be told (`problem`: why)."""
        agents = await agents_by_id()
        answer: dict[str, Any] = {
            "ticket": shapes.ticket_summary(ticket, agents, session.agent.language, console.clock())
        }
        if problem:
            answer["warning"] = problem
        return json(answer)

    async def tell_customer(ticket: Ticket, events: list[dict[str, Any]]) -> str | None:
        """Sends `events` to the ticket's conversation; None when done, else why not: `delivery_failed`
        (Rasa could not take them) or the reason the customer's channel gave (bot/channels/delivery.py)."""
        if not ticket.conversation_id:
            return DELIVERY_FAILED
        try:
            await console.rasa.append(ticket.conversation_id, events)
        except DeliveryRefused as refused:
            log.warning(
                "console.delivery_refused", extra={"ticket": ticket.reference, "reason": refused.reason}
            )
            return refused.reason
        except RasaUnavailable:
            log.warning("console.delivery_failed", extra={"ticket": ticket.reference})
            return DELIVERY_FAILED
        return None

    async def agent_joins(ticket: Ticket, agent: Agent) -> str | None:
        """The bot goes quiet in that conversation, and the customer is told who takes over. The bot is
        paused first and on its own: a channel that cannot take the notice (WhatsApp after 24 hours)
        must not leave the bot answering beside the agent."""
        problem = await tell_customer(ticket, [{"event": "pause"}])
        if problem:
            return problem
        notice = i18n.text(ticket.language, "handoff.agent_joined", agent=agent.first_name)
        return await tell_customer(ticket, [agent_says(agent, notice, "agent_joined")])

    async def bot_takes_back(ticket: Ticket, resolver: Agent) -> str | None:
        """The agent leaves, the bot answers again, tells the customer and asks for a rating. The customer
        hears of the agent they talked to, even when a supervisor resolved it. The bot resumes even when
        the notice could not be delivered."""
        if not ticket.conversation_id:
            return DELIVERY_FAILED
        agent = resolver
        if ticket.assigned_agent_id not in (None, resolver.id):
            agent = await console.call(console.directory.get_agent, ticket.assigned_agent_id)
        notice = i18n.text(ticket.language, "handoff.agent_left", agent=agent.first_name)
        told = await tell_customer(ticket, [agent_says(agent, notice, "agent_left")])
        resumed = await tell_customer(ticket, [{"event": "resume"}])
        if resumed:
            return resumed
        try:
            await console.rasa.execute(ticket.conversation_id, HANDOFF_RESOLVED_ACTION)
        except RasaUnavailable:
            log.warning("console.resume_failed", extra={"ticket": ticket.reference})
            return DELIVERY_FAILED
        return told

    async def conversation_of(ticket: Ticket) -> list[dict[str, Any]]:
        """The conversation as the console shows it; empty when Rasa cannot give it."""
        if not ticket.conversation_id:
            return []
        try:
            tracker = await console.rasa.tracker(ticket.conversation_id)
        except RasaUnavailable:
            return []
        return transcript.messages(list(tracker.get("events") or []))

    async def customer_of(ticket: Ticket, language: str) -> dict[str, Any] | None:
        if ticket.customer_id is None:
            return None
        try:
            account = await console.call(
                console.backend.get_account_summary, ticket.customer_id, console.clock().date()
            )
            subscription = await console.call(console.backend.get_subscription, ticket.customer_id)
        except (NotFound, BackendUnavailable):
            log.warning("console.customer_unavailable", extra={"ticket": ticket.reference})
            return None
        return shapes.customer_summary(account, subscription, language)

    @bp.get("/me")
    @api(console)
    async def me(request: Request, session: AgentSession) -> HTTPResponse:
        return json({**shapes.agent_summary(session.agent), "language": session.agent.language})

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
        found = await console.call(console.queue.get, reference)
        events = await console.call(console.queue.events, found.reference)
        customer = await customer_of(found, language)
        customer_name = customer["name"] if customer else None
        return json(
            {
                "ticket": shapes.ticket_summary(
                    found, await agents_by_id(), language, console.clock(), customer_name
                ),
                "transcript": await conversation_of(found),
                "notes": [
                    {"author": event.agent_username, "text": event.text, "at": event.created_at.isoformat()}
                    for event in events
                    if event.kind is TicketEventKind.NOTE
                ],
                "customer": customer,
                "canned": canned_replies(found.language),
            }
        )

    @bp.post("/tickets/<reference>/claim")
    @api(console)
    async def claim(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        taken = await console.call(console.queue.claim, reference, session.agent)
        return await changed(taken, session, await agent_joins(taken, session.agent))

    async def move(request: Request, session: AgentSession, reference: str, *, assign: bool) -> HTTPResponse:
        username = body_text(request, "to")
        if not username:
            return bad_request()
        target = await console.call(console.directory.find_agent, username)
        if target is None or not target.active:
            raise NotFound("agent")
        if assign:
            moved = await console.call(console.queue.assign, reference, target, session.agent)
        else:
            moved = await console.call(console.queue.transfer, reference, session.agent, target)
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
            return bad_request()
        handled = await console.call(console.queue.check_reply, reference, session.agent, text)
        problem = await tell_customer(
            handled, [agent_says(session.agent, text.strip(), transcript.AGENT_MESSAGE)]
        )
        if problem:  # not recorded: it was not sent
            return json({"error": problem}, status=409 if problem in REFUSED_BY_CHANNEL else 502)
        try:
            await console.call(console.queue.record_reply, reference, session.agent, text)
        except REFUSALS:
            log.warning("console.reply_sent_not_recorded", extra={"ticket": reference})
            raise
        return json({"ok": True})

    @bp.post("/tickets/<reference>/note")
    @api(console)
    async def note(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        text = body_text(request, "text")
        if text is None:
            return bad_request()
        await console.call(console.queue.add_note, reference, session.agent, text)
        return json({"ok": True})

    @bp.post("/tickets/<reference>/resolve")
    @api(console)
    async def resolve(request: Request, session: AgentSession, reference: str) -> HTTPResponse:
        resolved = await console.call(console.queue.resolve, reference, session.agent)
        return await changed(resolved, session, await bot_takes_back(resolved, session.agent))

    return bp


def canned_replies(language: str) -> list[dict[str, str]]:
    """Ready-made answers in the customer's language (`canned:` in locales/<lang>.yml)."""
    replies = i18n.catalogue(language).get("canned") or []
    return [{"title": str(item["title"]), "text": str(item["text"])} for item in replies]
