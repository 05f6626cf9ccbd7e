from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy.engine import Engine

from bot.handoff.agents import AgentDirectory
from bot.handoff.demo_agents import DEFAULT_DEMO_PASSWORD, seed_demo_agents
from bot.handoff.sessions import ConsoleAuth

from .conftest import MovableClock


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_demo_agents_are_created_once_with_the_default_password_and_a_warning(
    clean: Engine, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    logger, collect = logging.getLogger("bot.handoff.demo_agents"), _Collect()
    logger.addHandler(collect)  # whatever `bot.logs.configure` did to propagation
    try:
        assert seed_demo_agents(clean, clock) == ["camille.agent", "joana.agente", "sam.supervisor"]
    finally:
        logger.removeHandler(collect)
    assert any("DEMO_AGENT_PASSWORD" in message for message in collect.messages)
    assert seed_demo_agents(clean, clock) == []
    agents = {a.username: (a.role, a.language) for a in AgentDirectory(clean, clock).list_agents()}
    assert agents == {
        "camille.agent": ("agent", "fr"),
        "joana.agente": ("agent", "pt"),
        "sam.supervisor": ("supervisor", "en"),
    }
    assert ConsoleAuth(clean, clock).login("sam.supervisor", DEFAULT_DEMO_PASSWORD).ok


def test_the_demo_password_comes_from_the_environment(
    clean: Engine, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_AGENT_PASSWORD", "a private demo password")
    seed_demo_agents(clean, clock)
    auth = ConsoleAuth(clean, clock)
    assert auth.login("joana.agente", "a private demo password").ok
    assert not auth.login("joana.agente", DEFAULT_DEMO_PASSWORD).ok


def test_agents_cli_add_list_passwd(
    clean: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a cli password 1\n"))
    assert (
        main(
            ["agents", "--url", database_url, "add", "Lea.Agent", "--display-name", "Léa", "--password-stdin"]
        )
        == 0
    )
    assert main(["agents", "--url", database_url, "list"]) == 0
    assert "lea.agent" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["agents", "--url", database_url, "passwd", "lea.agent", "--password-stdin"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("another cli password\n"))
    assert main(["agents", "--url", database_url, "passwd", "lea.agent", "--password-stdin"]) == 0
    assert ConsoleAuth(clean).login("lea.agent", "another cli password").ok
