"""Signing agents in to the console: login with lockout, sessions with idle and absolute expiry, CSRF.

Only SHA-256 digests of the session and CSRF tokens are stored. An unknown username, a wrong password,
a deactivated or a locked account all get the same answer after the same work (one scrypt check).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from bot.billing.clock import Clock, aware, utc_now
from bot.billing.sql.schema import agent_sessions, agents
from bot.billing.sql.transactions import read, write
from bot.handoff.agents import (
    ROLES,
    SUPERVISOR,
    Agent,
    agent_of,
    agent_row,
    agent_row_named,
    normalize_username,
)
from bot.handoff.errors import Forbidden
from bot.handoff.passwords import dummy_hash, hash_password, needs_rehash, verify_password

log = logging.getLogger(__name__)

TOKEN_BYTES = 32
_MAX_TOKEN = 128


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginResult:
    """`ok` with the two tokens to hand to the browser (session cookie, CSRF form field), or not ok with
    nothing: the caller shows one message for every failure."""

    ok: bool
    agent: Agent | None = None
    token: str | None = field(default=None, repr=False)
    csrf_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None


FAILED = LoginResult(ok=False)


@dataclass(frozen=True)
class AgentSession:
    id: int
    agent: Agent
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # absolute; idle expiry comes first when the agent stops using the console
    csrf_token_sha256: str = field(repr=False)


class ConsoleAuth:
    def __init__(
        self,
        engine: Engine,
        clock: Clock = utc_now,
        *,
        idle_minutes: int = 30,
        absolute_hours: int = 12,
        max_failures: int = 5,
        lock_minutes: int = 15,
    ) -> None:
        if min(idle_minutes, absolute_hours, max_failures, lock_minutes) < 1:
            raise ValueError("session and lockout settings must be positive")
        self._engine = engine
        self._clock = clock
        self._idle = timedelta(minutes=idle_minutes)
        self._absolute = timedelta(hours=absolute_hours)
        self._max_failures = max_failures
        self._lock = timedelta(minutes=lock_minutes)

    # -- login ------------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> LoginResult:
        now = aware(self._clock())
        name = normalize_username(username)[:64]
        row = read(self._engine, lambda conn: agent_row_named(conn, name))
        # Always one scrypt check, whether or not the agent exists, so both answers take the same time.
        matches = verify_password(password, row.password_hash if row is not None else dummy_hash())
        if row is None:
            log.info("console login refused", extra={"reason": "unknown_username"})
            return FAILED
        locked = row.locked_until is not None and row.locked_until > now
        if not row.active or locked:
            log.info("console login refused", extra={"agent_id": row.id, "reason": "inactive_or_locked"})
            return FAILED
        if not matches:
            write(self._engine, lambda conn: self._count_failure(conn, row.id, now))
            return FAILED
        rehash = hash_password(password) if needs_rehash(row.password_hash) else None
        token, csrf = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
        expires_at = now + self._absolute

        def work(conn: Connection) -> None:
            changes: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
            if rehash is not None:
                changes["password_hash"] = rehash
            conn.execute(update(agents).where(agents.c.id == row.id).values(**changes))
            conn.execute(
                insert(agent_sessions).values(
                    agent_id=row.id,
                    token_sha256=token_digest(token),
                    csrf_token_sha256=token_digest(csrf),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                    revoked_at=None,
                )
            )

        write(self._engine, work)
        agent = agent_of(row)  # the update changed none of an Agent's fields
        log.info("console login", extra={"agent_id": agent.id})
        return LoginResult(ok=True, agent=agent, token=token, csrf_token=csrf, expires_at=expires_at)

    def _count_failure(self, conn: Connection, agent_id: int, now: datetime) -> None:
        # Counted in the database (failed_logins + 1), so concurrent attempts all count.
        conn.execute(
            update(agents).where(agents.c.id == agent_id).values(failed_logins=agents.c.failed_logins + 1)
        )
        failures = conn.execute(select(agents.c.failed_logins).where(agents.c.id == agent_id)).scalar_one()
        if failures >= self._max_failures:
            conn.execute(
                update(agents)
                .where(agents.c.id == agent_id)
                .values(failed_logins=0, locked_until=now + self._lock)
            )
            log.warning("console account locked", extra={"agent_id": agent_id, "failures": failures})

    # -- sessions ---------------------------------------------------------------------------------
    def session(self, token: str, *, touch: bool = True) -> AgentSession | None:
        """The live session of this token, its idle timer restarted (unless `touch` is False: a check
        that is not the agent's own doing); None when unknown, revoked, expired (idle or absolute) or
        when the agent was deactivated."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        now = aware(self._clock())
        digest = token_digest(token)

        def work(conn: Connection) -> AgentSession | None:
            found = conn.execute(
                select(agent_sessions).where(agent_sessions.c.token_sha256 == digest)
            ).first()
            if found is None or found.revoked_at is not None:
                return None
            if now >= found.expires_at or now >= found.last_seen_at + self._idle:
                return None
            agent = agent_of(agent_row(conn, found.agent_id))
            if not agent.active:
                return None
            if touch:
                # Only moves forward: a slower concurrent request never shortens the session.
                conn.execute(
                    update(agent_sessions)
                    .where(agent_sessions.c.id == found.id, agent_sessions.c.last_seen_at < now)
                    .values(last_seen_at=now)
                )
            return AgentSession(
                id=found.id,
                agent=agent,
                created_at=found.created_at,
                last_seen_at=max(now, found.last_seen_at) if touch else found.last_seen_at,
                expires_at=found.expires_at,
                csrf_token_sha256=found.csrf_token_sha256,
            )

        return write(self._engine, work)

    @staticmethod
    def check_csrf(session: AgentSession, token: str | None) -> bool:
        """Whether the form's CSRF token is this session's; compared in constant time."""
        if not token or len(token) > _MAX_TOKEN:
            return False
        return hmac.compare_digest(token_digest(token), session.csrf_token_sha256)

    def logout(self, token: str) -> None:
        if not token or len(token) > _MAX_TOKEN:
            return
        now = aware(self._clock())
        write(
            self._engine,
            lambda conn: conn.execute(
                update(agent_sessions)
                .where(
                    agent_sessions.c.token_sha256 == token_digest(token),
                    agent_sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            ),
        )

    @staticmethod
    def require_role(session: AgentSession, role: str) -> None:
        """Raises Forbidden unless the agent has `role` (a supervisor can do what an agent can)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if session.agent.role != role and session.agent.role != SUPERVISOR:
            raise Forbidden(role)
