"""The agent console as `make run` starts it (`python -m bot.cli console`), on a free port, against the
running assistant's billing database and Rasa server, with the demo agents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.billing.references import ALPHABET, RANDOM_LENGTH, TICKET_PREFIX
from bot.handoff.demo_agents import seed_demo_agents
from tests.stack import Assistant, running_console

DEMO_PASSWORD = "e2e-demo-password"
TICKET_REFERENCE = re.compile(rf"\b{TICKET_PREFIX}-[{ALPHABET}]{{{RANDOM_LENGTH}}}\b")


@dataclass(frozen=True)
class ConsoleServer:
    url: str
    password: str


@pytest.fixture(scope="session")
def console_server(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    seed_demo_agents(assistant.engine, password=DEMO_PASSWORD)
    with running_console(assistant, tmp_path_factory.mktemp("console") / "console.log") as url:
        yield ConsoleServer(url, DEMO_PASSWORD)
