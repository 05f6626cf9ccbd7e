from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.sql.schema import agent_sessions, agents
from bot.handoff.agents import Agent, AgentDirectory
from bot.handoff.errors import Forbidden
from bot.handoff.passwords import MAX_LENGTH, dummy_hash
from bot.handoff.passwords import _scrypt as scrypt
from bot.handoff.sessions import FAILED, ConsoleAuth, token_digest

from .conftest import PASSWORD, MovableClock


def test_login_opens_a_session_storing_only_digests(
    auth: ConsoleAuth, team: dict[str, Agent], clean: Engine
) -> None:
    result = auth.login("  Camille.Agent ", PASSWORD)
    assert result.ok and result.agent == team["camille"]
    assert result.token and result.csrf_token and result.token != result.csrf_token
    session = auth.session(result.token)
    assert session is not None and session.agent.username == "camille.agent"
    with clean.connect() as conn:
        stored = conn.execute(select(agent_sessions)).one()
    assert result.token not in stored and result.csrf_token not in stored
    assert (stored.token_sha256, stored.csrf_token_sha256) == (
        token_digest(result.token),
        token_digest(result.csrf_token),
    )


def test_wrong_password_and_unknown_user_get_the_same_answer(
    auth: ConsoleAuth, team: dict[str, Agent]
) -> None:
    wrong = auth.login("camille.agent", "not the password")
    unknown = auth.login("nobody.here", PASSWORD)
    assert wrong == unknown == FAILED
    assert wrong.token is None and wrong.agent is None


def test_every_login_answer_costs_one_scrypt_computation(
    auth: ConsoleAuth, team: dict[str, Agent], directory: AgentDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    dummy_hash()  # made once per process, before any login of an unknown username
    checks: list[str] = []

    def counted(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
        checks.append(password)
        return scrypt(password, salt, n, r, p, length)

    monkeypatch.setattr("bot.handoff.passwords._scrypt", counted)
    directory.deactivate(team["joana"].id)
    attempts = [
        ("camille.agent", PASSWORD),  # right
        ("camille.agent", "not the password"),  # wrong
        ("nobody.here", PASSWORD),  # unknown
        ("joana.agente", PASSWORD),  # deactivated
        ("camille.agent", "x" * 5000),  # far too long
    ]
    for username, password in attempts:
        auth.login(username, password)
    assert checks == [password[:MAX_LENGTH] for _, password in attempts]


def test_five_failures_lock_the_account_until_the_lock_time_passes(
    auth: ConsoleAuth, team: dict[str, Agent], clock: MovableClock
) -> None:
    for _ in range(4):
        assert not auth.login("joana.agente", "wrong password").ok
    assert auth.login("joana.agente", PASSWORD).ok  # four failures: not locked; success resets the count
    for _ in range(5):
        assert not auth.login("joana.agente", "wrong password").ok
    assert auth.login("joana.agente", PASSWORD) == FAILED  # locked: the same answer as a wrong password
    clock.advance(minutes=14, seconds=59)
    assert not auth.login("joana.agente", PASSWORD).ok
    clock.advance(seconds=1)
    assert auth.login("joana.agente", PASSWORD).ok


def test_idle_expiry_refuses_the_session_and_use_slides_it(
    auth: ConsoleAuth, team: dict[str, Agent], clock: MovableClock
) -> None:
    token = auth.login("camille.agent", PASSWORD).token
    assert token is not None
    clock.advance(minutes=29)
    assert auth.session(token) is not None  # restarts the idle timer
    clock.advance(minutes=29)
    assert auth.session(token) is not None
    clock.advance(minutes=30)
    assert auth.session(token) is None


def test_absolute_expiry_refuses_an_active_session(
    auth: ConsoleAuth, team: dict[str, Agent], clock: MovableClock
) -> None:
    token = auth.login("camille.agent", PASSWORD).token
    assert token is not None
    for _ in range(12 * 3 - 1):  # used every 20 minutes for almost 12 hours
        clock.advance(minutes=20)
        assert auth.session(token) is not None
    clock.advance(minutes=20)
    assert auth.session(token) is None


def test_logout_revokes_and_other_sessions_stay(auth: ConsoleAuth, team: dict[str, Agent]) -> None:
    first, second = auth.login("camille.agent", PASSWORD), auth.login("camille.agent", PASSWORD)
    assert first.token and second.token
    auth.logout(first.token)
    assert auth.session(first.token) is None
    assert auth.session(second.token) is not None
    assert auth.session("") is None and auth.session("made-up-token") is None


def test_deactivation_and_password_change_end_sessions(
    auth: ConsoleAuth, directory: AgentDirectory, team: dict[str, Agent], clean: Engine
) -> None:
    token = auth.login("camille.agent", PASSWORD).token
    assert token is not None
    directory.set_password(team["camille"].id, "another long password")
    assert auth.session(token) is None
    assert not auth.login("camille.agent", PASSWORD).ok
    token = auth.login("camille.agent", "another long password").token
    assert token is not None
    directory.deactivate(team["camille"].id)
    assert auth.session(token) is None
    assert auth.login("camille.agent", "another long password") == FAILED
    with clean.connect() as conn:
        assert (
            conn.execute(select(agents.c.active).where(agents.c.id == team["camille"].id)).scalar_one()
            is False
        )


def test_csrf_check(auth: ConsoleAuth, team: dict[str, Agent]) -> None:
    result = auth.login("camille.agent", PASSWORD)
    other = auth.login("joana.agente", PASSWORD)
    assert result.token and result.csrf_token and other.csrf_token
    session = auth.session(result.token)
    assert session is not None
    assert auth.check_csrf(session, result.csrf_token)
    assert not auth.check_csrf(session, other.csrf_token)
    assert not auth.check_csrf(session, result.token)
    assert not auth.check_csrf(session, None)
    assert not auth.check_csrf(session, "")


def test_role_check(auth: ConsoleAuth, team: dict[str, Agent]) -> None:
    agent_token = auth.login("camille.agent", PASSWORD).token
    supervisor_token = auth.login("sam.supervisor", PASSWORD).token
    assert agent_token and supervisor_token
    agent_session, supervisor_session = auth.session(agent_token), auth.session(supervisor_token)
    assert agent_session is not None and supervisor_session is not None
    with pytest.raises(Forbidden):
        auth.require_role(agent_session, "supervisor")
    auth.require_role(agent_session, "agent")
    auth.require_role(supervisor_session, "supervisor")
    auth.require_role(supervisor_session, "agent")


def test_directory_rules(directory: AgentDirectory, team: dict[str, Agent]) -> None:
    assert [agent.username for agent in directory.list_agents()] == [
        "camille.agent",
        "joana.agente",
        "sam.supervisor",
    ]
    assert directory.get_agent(team["sam"].id).is_supervisor
    with pytest.raises(NotAllowed, match="username_taken"):
        directory.create_agent("CAMILLE.agent", "Other", PASSWORD, "agent", "fr")
    with pytest.raises(ValueError, match="at least 10"):
        directory.create_agent("new.agent", "New", "short", "agent", "fr")
    with pytest.raises(ValueError, match="role"):
        directory.create_agent("new.agent", "New", PASSWORD, "admin", "fr")
    with pytest.raises(ValueError, match="language"):
        directory.create_agent("new.agent", "New", PASSWORD, "agent", "de")
    with pytest.raises(ValueError, match="username"):
        directory.create_agent("new agent!", "New", PASSWORD, "agent", "fr")
    with pytest.raises(NotFound, match="agent"):
        directory.set_password(10**9, PASSWORD)
    with pytest.raises(NotFound, match="agent"):
        directory.deactivate(10**9)
    assert "password" not in repr(team["camille"])


def test_a_password_longer_than_the_limit_never_signs_in(
    auth: ConsoleAuth, directory: AgentDirectory
) -> None:
    longest = "x" * MAX_LENGTH
    directory.create_agent("long.password", "Long", longest, "agent", "en")
    assert auth.login("long.password", longest).ok
    assert auth.login("long.password", longest + "y") == FAILED
