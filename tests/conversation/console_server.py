"""The agent console as `make run` starts it (`python -m bot.cli console`), on a free port, against the
running assistant's billing database and Rasa server, with the demo agents; and `running`, how the
conversation tests run a server process of the project for as long as they need it."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.billing.references import ALPHABET, RANDOM_LENGTH, TICKET_PREFIX
from bot.handoff.demo_agents import seed_demo_agents
from tests.processes import free_port, running
from tests.stack import Assistant

DEMO_PASSWORD = "e2e-demo-password"
TICKET_REFERENCE = re.compile(rf"\b{TICKET_PREFIX}-[{ALPHABET}]{{{RANDOM_LENGTH}}}\b")


@dataclass(frozen=True)
class ConsoleServer:
    url: str
    password: str


@pytest.fixture(scope="session")
def console_server(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    seed_demo_agents(assistant.engine, password=DEMO_PASSWORD)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BILLING_DATABASE_URL": assistant.engine.url.render_as_string(hide_password=False),
        "RASA_URL": assistant.base_url,
        "RASA_API_TOKEN": assistant.token,
        "BILLING_TIMEZONE": "Europe/Paris",
    }
    command = [sys.executable, "-m", "bot.cli", "console", "--port", str(port)]
    with running(command, env, f"{url}/health", tmp_path_factory.mktemp("console") / "console.log"):
        yield ConsoleServer(url, DEMO_PASSWORD)
