"""Who is calling: the agent's session from its cookie, checked on every page and API call, with the
CSRF token on every change and the role where one is needed."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse, json, redirect

from bot.console.context import Console
from bot.handoff.sessions import AgentSession, ConsoleAuth

SESSION_COOKIE = "console_session"
# Only digests of the CSRF token are stored: pages get it back from this cookie (HttpOnly, SameSite=Strict)
# to put it in the page, after checking it against the session.
CSRF_COOKIE = "console_csrf"
LOGIN_CSRF_COOKIE = "console_login_csrf"
CSRF_HEADER = "X-CSRF-Token"

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse | None]]


def set_cookie(response: HTTPResponse, console: Console, name: str, value: str, max_age: int) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if console.secure_cookies:
        cookie["secure"] = True


def clear_cookie(response: HTTPResponse, console: Console, name: str) -> None:
    set_cookie(response, console, name, "", 0)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def login_csrf_ok(request: Request, submitted: str | None) -> bool:
    """The sign-in form's double-submit token: the cookie set with the form must come back in it."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(expected and submitted) and secrets.compare_digest(str(expected), str(submitted))


async def current_session(request: Request, console: Console) -> AgentSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return await console.call(console.auth.session, token)


def page_csrf_token(request: Request, session: AgentSession) -> str:
    """The session's CSRF token for the page to send back; empty when the cookie does not match."""
    token = request.cookies.get(CSRF_COOKIE) or ""
    return token if ConsoleAuth.check_csrf(session, token) else ""


def page(console: Console, *, supervisor: bool = False) -> Callable[[Handler], Handler]:
    """A page for signed-in agents: `handler(request, session, ...)`; else to the sign-in page."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse | None:
            session = await current_session(request, console)
            if session is None:
                return redirect("/login")
            if supervisor and not session.agent.is_supervisor:
                return redirect("/")
            return await handler(request, session, *args, **kwargs)

        return wrapped

    return decorate


def api(console: Console, *, supervisor: bool = False) -> Callable[[Handler], Handler]:
    """A JSON API call for signed-in agents: `handler(request, session, ...)`. 401 without a session, 403
    without the session's CSRF token on a change (anything but GET), 403 for the wrong role."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse | None:
            session = await current_session(request, console)
            if session is None:
                return json({"error": "login_required"}, status=401)
            if request.method != "GET" and not ConsoleAuth.check_csrf(
                session, request.headers.get(CSRF_HEADER)
            ):
                return json({"error": "csrf"}, status=403)
            if supervisor and not session.agent.is_supervisor:
                return json({"error": "supervisor"}, status=403)
            return await handler(request, session, *args, **kwargs)

        return wrapped

    return decorate
