"""An agent of the reliability suite's own on the running agent console: the console process, the agent's
credentials, and a client signed in through the login form."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.console.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from bot.handoff.agents import AgentDirectory
from tests.stack import Stack, running_console


@dataclass(frozen=True)
class ConsoleAgent:
    url: str
    username: str
    password: str
    log: Path


@contextmanager
def console_with_agent(stack: Stack, workdir: Path) -> Iterator[ConsoleAgent]:
    username, password = f"rel.{secrets.token_hex(4)}", secrets.token_urlsafe(18)
    AgentDirectory(stack.assistant.engine).create_agent(
        username, "Reliability Agent", password, "agent", "fr"
    )
    log = workdir / "console.log"
    with running_console(stack.assistant, log) as url:
        yield ConsoleAgent(url, username, password, log)


@contextmanager
def signed_in(console: ConsoleAgent) -> Iterator[httpx.Client]:
    """A client with the agent's session (cookies), signed in through the login form."""
    with httpx.Client(base_url=console.url, timeout=30) as client:
        client.get("/login").raise_for_status()
        form = {
            "username": console.username,
            "password": console.password,
            "csrf_token": client.cookies[LOGIN_CSRF_COOKIE],
        }
        response = client.post("/login", data=form)
        assert response.status_code in (302, 303), response.text[:500]
        assert client.cookies.get(SESSION_COOKIE)
        yield client
