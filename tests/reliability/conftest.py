"""The reliability and security suite (`make reliability`, part of `make test`). Each test is a row of the
summary table printed at the end (report.py); the running assistant comes from tests/stack.py."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.postgres import fresh_database
from tests.reliability.console_agent import ConsoleAgent, console_with_agent
from tests.reliability.report import figures, pytest_runtest_makereport, pytest_terminal_summary
from tests.stack import Layout, Stack, production_env, running_stack
from tests.unit.channels.conftest import telegram_api, telegram_server, twilio_api, twilio_server

__all__ = [
    "console",
    "figures",
    "model",
    "production_stack",
    "pytest_runtest_makereport",
    "pytest_terminal_summary",
    "sender",
    "telegram_api",
    "telegram_server",
    "twilio_api",
    "twilio_server",
]


@pytest.fixture(scope="session")
def model() -> str:
    """The trained model (`make reliability` passes RASA_MODEL)."""
    path = os.environ.get("RASA_MODEL")
    if not path:
        pytest.fail("RASA_MODEL is not set: run the suite with `make reliability`")
    return path


@pytest.fixture
def sender() -> str:
    return f"rel-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def production_stack(model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The production configuration, one instance: PostgreSQL billing database and tracker store (fresh
    databases on the real server), Redis lock store. Shared by the checks that do not break it."""
    with fresh_database("billing_rel") as billing_url, fresh_database("tracker_rel") as tracker_url:
        workdir = tmp_path_factory.mktemp("production")
        layout = Layout(endpoints="endpoints.production.yml")
        with running_stack(workdir, billing_url, model, layout, production_env(tracker_url)) as stack:
            stack.tracker_url = tracker_url
            yield stack


@pytest.fixture(scope="session")
def console(production_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleAgent]:
    """The agent console on the production stack, with an agent of the suite's own."""
    with console_with_agent(production_stack, tmp_path_factory.mktemp("console")) as running_console:
        yield running_console
