"""The agent console as `make run` starts it (`python -m bot.cli console`), on a free port, against the
running assistant's billing database and Rasa server, with the demo agents."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.handoff.demo_agents import seed_demo_agents
from tests.conversation.conftest import PROJECT_DIR, Assistant, free_port, wait_until_up

DEMO_PASSWORD = "e2e-demo-password"


@dataclass(frozen=True)
class ConsoleServer:
    url: str
    password: str


@pytest.fixture(scope="session")
def console_server(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    seed_demo_agents(assistant.engine, password=DEMO_PASSWORD)
    port = free_port()
    log: Path = tmp_path_factory.mktemp("console") / "console.log"
    env = {
        **os.environ,
        "BILLING_DATABASE_URL": assistant.engine.url.render_as_string(hide_password=False),
        "RASA_URL": assistant.base_url,
        "RASA_API_TOKEN": assistant.token,
        "BILLING_TIMEZONE": "Europe/Paris",
    }
    command = [sys.executable, "-m", "bot.cli", "console", "--port", str(port)]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, log)
        yield ConsoleServer(f"http://127.0.0.1:{port}", DEMO_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
