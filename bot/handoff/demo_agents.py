"""The demo agents of the console, created with the demo customers by `python -m bot.cli db-setup`."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.billing.backend import NotAllowed
from bot.billing.clock import Clock, utc_now
from bot.handoff.agents import AGENT, SUPERVISOR, AgentDirectory

log = logging.getLogger(__name__)

# A documented demo value (README): never use it outside a local demo.
DEFAULT_DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (the demo default, documented)
PASSWORD_VARIABLE = "DEMO_AGENT_PASSWORD"  # noqa: S105 (a variable name)


@dataclass(frozen=True)
class DemoAgent:
    username: str
    display_name: str
    role: str
    language: str


DEMO_AGENTS = (
    DemoAgent("camille.agent", "Camille Laurent", AGENT, "fr"),
    DemoAgent("joana.agente", "Joana Ribeiro", AGENT, "pt"),
    DemoAgent("sam.supervisor", "Sam Taylor", SUPERVISOR, "en"),
)


def demo_password() -> str:
    chosen = os.environ.get(PASSWORD_VARIABLE, "").strip()
    if chosen:
        return chosen
    log.warning(
        "demo agents use the documented demo password: set %s for anything but a local demo",
        PASSWORD_VARIABLE,
    )
    return DEFAULT_DEMO_PASSWORD


def seed_demo_agents(engine: Engine, clock: Clock = utc_now, password: str | None = None) -> list[str]:
    """Creates the demo agents that do not exist yet (idempotent); returns the usernames created."""
    directory = AgentDirectory(engine, clock)
    existing = {agent.username for agent in directory.list_agents()}
    missing = [agent for agent in DEMO_AGENTS if agent.username not in existing]
    if not missing:
        return []
    secret = password if password is not None else demo_password()
    created = []
    for agent in missing:
        try:
            directory.create_agent(agent.username, agent.display_name, secret, agent.role, agent.language)
        except NotAllowed:  # created by another process meanwhile
            continue
        created.append(agent.username)
    return created
