"""`GET /api/events`: server-sent events telling the console what changed, so it refetches only that.

`queue` when any ticket changed (a new handoff, a claim, a reply, a note...), `conversation` with the
ticket's reference when a conversation the agent follows got a message: the ones assigned to them (a
supervisor too: not every ticket in progress, which would cost one Rasa request per ticket per tick)
and the one open on screen (`?ticket=<reference>`). Each stream lasts a few minutes and the browser
reconnects on its own (EventSource), which also rechecks the session; a comment line every 15 s keeps
proxies from closing it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.billing.backend import BackendUnavailable, NotFound
from bot.console.auth import SESSION_COOKIE, api
from bot.console.context import Console
from bot.console.rasa_api import RasaUnavailable
from bot.handoff.sessions import AgentSession

log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 15.0
SESSION_CHECK_SECONDS = 60.0


def frame(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def blueprint(console: Console) -> Blueprint:
    bp = Blueprint("console_live", url_prefix="/api")

    async def conversations(session: AgentSession, shown: str | None) -> dict[str, str]:
        """reference → conversation id of what this agent sees live."""
        mine = await console.call(console.queue.mine, session.agent)
        watched = {ticket.reference: ticket.conversation_id for ticket in mine if ticket.conversation_id}
        if shown and shown not in watched:
            try:
                ticket = await console.call(console.queue.get, shown)
            except NotFound:
                ticket = None
            if ticket is not None and ticket.conversation_id:
                watched[ticket.reference] = ticket.conversation_id
        return watched

    @bp.get("/events")
    @api(console)
    async def events(request: Request, session: AgentSession) -> HTTPResponse | None:
        shown = request.args.get("ticket")
        response = await request.respond(
            content_type="text/event-stream; charset=utf-8",
            headers={"X-Accel-Buffering": "no"},  # Cache-Control: the console's security headers
        )
        token = request.cookies.get(SESSION_COOKIE) or ""
        started = last_sent = last_check = time.monotonic()
        last_change: int | None = None
        watched: dict[str, str] = {}
        seen: dict[str, Any] = {}
        await response.send(": connected\n\n")
        while time.monotonic() - started < console.live_stream_seconds:
            now = time.monotonic()
            try:
                if now - last_check >= SESSION_CHECK_SECONDS:
                    last_check = now
                    if await console.call(lambda: console.auth.session(token, touch=False)) is None:
                        await response.send(frame("logout", {}))
                        break
                change = await console.call(console.queue.last_change)
                if change != last_change:
                    # Read first: if it fails, the next look reads it again.
                    watched = await conversations(session, shown)
                    if last_change is not None:
                        await response.send(frame("queue", {}))
                        last_sent = now
                    last_change = change
                for reference, conversation_id in watched.items():
                    state = await console.rasa.tracker(conversation_id, with_events=False)
                    latest = state.get("latest_event_time")
                    if reference in seen and seen[reference] != latest:
                        await response.send(frame("conversation", {"reference": reference}))
                        last_sent = now
                    seen[reference] = latest
            except (BackendUnavailable, RasaUnavailable):
                log.warning("console.live_unavailable")
            if now - last_sent >= KEEP_ALIVE_SECONDS:
                await response.send(": keep-alive\n\n")
                last_sent = now
            await asyncio.sleep(console.live_interval_seconds)
        await response.eof()
        return None

    return bp
