"""The agents of the console: who they are, their role and console language; never their password."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.clock import Clock, aware, utc_now
from bot.billing.sql.mappers import Row
from bot.billing.sql.schema import agent_sessions, agents
from bot.billing.sql.transactions import read, write
from bot.handoff.passwords import hash_password

AGENT = "agent"
SUPERVISOR = "supervisor"
ROLES = (AGENT, SUPERVISOR)
CONSOLE_LANGUAGES = ("fr", "pt", "en")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MAX_DISPLAY_NAME = 120


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    display_name: str
    role: str  # "agent" or "supervisor"
    language: str  # the console's language: "fr", "pt" or "en"
    active: bool
    created_at: datetime

    @property
    def is_supervisor(self) -> bool:
        return self.role == SUPERVISOR

    @property
    def first_name(self) -> str:
        """How the agent introduces themself to customers: "Camille", not the full name."""
        return self.display_name.split()[0]


def normalize_username(username: str) -> str:
    return username.strip().lower()


def agent_of(row: Row) -> Agent:
    return Agent(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        language=row.language,
        active=bool(row.active),
        created_at=row.created_at,
    )


def agent_row(conn: Connection, agent_id: int, *, active: bool = False) -> Row:
    """The agent's row; NotFound when there is none (or, with `active`, when it is deactivated)."""
    row = conn.execute(select(agents).where(agents.c.id == agent_id)).first()
    if row is None or (active and not row.active):
        raise NotFound("agent")
    return row


def agent_row_named(conn: Connection, username: str) -> Row | None:
    """The row of the agent of this (normalized) username, if any."""
    return conn.execute(select(agents).where(agents.c.username == username)).first()


def revoke_sessions(conn: Connection, agent_id: int, now: datetime) -> None:
    conn.execute(
        update(agent_sessions)
        .where(agent_sessions.c.agent_id == agent_id, agent_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


class AgentDirectory:
    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def create_agent(
        self, username: str, display_name: str, password: str, role: str, language: str
    ) -> Agent:
        """ValueError for an invalid field or a too-short password; NotAllowed("username_taken")."""
        name = normalize_username(username)
        if not USERNAME.fullmatch(name):
            raise ValueError("a username is 2 to 64 characters: lower-case letters, digits, '.', '_' or '-'")
        shown = " ".join(display_name.split())
        if not shown or len(shown) > MAX_DISPLAY_NAME:
            raise ValueError(f"a display name is 1 to {MAX_DISPLAY_NAME} characters")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if language not in CONSOLE_LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(CONSOLE_LANGUAGES)}")
        password_hash = hash_password(password)
        now = aware(self._clock())

        def work(conn: Connection) -> Agent:
            inserted = conn.execute(
                insert(agents).values(
                    username=name,
                    display_name=shown,
                    password_hash=password_hash,
                    role=role,
                    language=language,
                    active=True,
                    created_at=now,
                    failed_logins=0,
                    locked_until=None,
                )
            )
            return agent_of(agent_row(conn, inserted.inserted_primary_key[0]))

        try:
            return write(self._engine, work)
        except IntegrityError as error:  # the unique username: taken before, or concurrently
            raise NotAllowed("username_taken") from error

    def get_agent(self, agent_id: int) -> Agent:
        return read(self._engine, lambda conn: agent_of(agent_row(conn, agent_id)))

    def find_agent(self, username: str) -> Agent | None:
        def work(conn: Connection) -> Agent | None:
            row = agent_row_named(conn, normalize_username(username))
            return None if row is None else agent_of(row)

        return read(self._engine, work)

    def list_agents(self) -> list[Agent]:
        return read(
            self._engine,
            lambda conn: [agent_of(row) for row in conn.execute(select(agents).order_by(agents.c.username))],
        )

    def set_password(self, agent_id: int, password: str) -> None:
        """A new password (ValueError if too short) ends the agent's sessions and lifts a lock."""
        password_hash = hash_password(password)
        now = aware(self._clock())

        def work(conn: Connection) -> None:
            changed = conn.execute(
                update(agents)
                .where(agents.c.id == agent_id)
                .values(password_hash=password_hash, failed_logins=0, locked_until=None)
            ).rowcount
            if changed != 1:
                raise NotFound("agent")
            revoke_sessions(conn, agent_id, now)

        write(self._engine, work)

    def deactivate(self, agent_id: int) -> Agent:
        """The agent can no longer sign in and their sessions end; their tickets stay assigned (a supervisor
        transfers them)."""
        now = aware(self._clock())

        def work(conn: Connection) -> Agent:
            conn.execute(update(agents).where(agents.c.id == agent_id).values(active=False))
            revoke_sessions(conn, agent_id, now)
            return agent_of(agent_row(conn, agent_id))  # NotFound (nothing changed) for an unknown agent

        return write(self._engine, work)
