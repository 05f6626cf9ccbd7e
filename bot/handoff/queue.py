"""The queue of handed-off tickets and their handling by agents, with an audit trail (`ticket_events`).

Every change of a ticket's status or assignee is one conditional UPDATE on its expected state: of two
agents claiming the same ticket at once, exactly one changes a row; the other gets
NotAllowed("ticket_taken"). Refusals are `NotFound("ticket"|"agent")`, `NotAllowed(reason)` with a stable
reason, or `Forbidden("supervisor")`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection, Engine

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.clock import Clock, aware, utc_now
from bot.billing.models import Ticket, TicketEventKind, TicketStatus
from bot.billing.references import parse_reference
from bot.billing.sql import mappers
from bot.billing.sql.mappers import Row
from bot.billing.sql.schema import agents, ticket_events, tickets
from bot.billing.sql.tickets import add_event, conversation_key, ticket_row
from bot.billing.sql.transactions import read, write
from bot.billing.sql.writes import without_nul
from bot.handoff.agents import SUPERVISOR, Agent, agent_row
from bot.handoff.errors import Forbidden

MAX_TEXT = 4000
MAX_LIST = 200
MAX_SAMPLE = 5000
OPEN, IN_PROGRESS = TicketStatus.OPEN.value, TicketStatus.IN_PROGRESS.value


@dataclass(frozen=True)
class WaitingTicket:
    ticket: Ticket
    waiting: timedelta  # since the ticket was created

    @property
    def waiting_minutes(self) -> int:
        return int(self.waiting.total_seconds() // 60)


@dataclass(frozen=True)
class TicketEvent:
    kind: TicketEventKind
    agent_id: int | None  # who did it; None for the customer or the bot
    agent_username: str | None
    text: str | None  # the reply or note; the other agent's username for assigned/transferred; the score
    created_at: datetime


def _waiting_clause() -> Any:
    return and_(tickets.c.status == OPEN, tickets.c.assigned_agent_id.is_(None))


def _text(text: str) -> str:
    cleaned = without_nul(text).strip()
    if not cleaned:
        raise NotAllowed("empty_text")
    if len(cleaned) > MAX_TEXT:
        raise NotAllowed("text_too_long")
    return cleaned


class TicketQueue:
    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    # -- reading ----------------------------------------------------------------------------------
    def waiting(self, language: str | None = None) -> list[WaitingTicket]:
        """Open tickets nobody handles yet, oldest first (optionally of one conversation language)."""
        now = aware(self._clock())
        query = select(tickets).where(_waiting_clause())
        if language is not None:
            query = query.where(tickets.c.language == language)
        query = query.order_by(tickets.c.created_at, tickets.c.id).limit(MAX_LIST)

        def work(conn: Connection) -> list[WaitingTicket]:
            found = [mappers.ticket(row) for row in conn.execute(query)]
            return [WaitingTicket(ticket, max(now - ticket.created_at, timedelta(0))) for ticket in found]

        return read(self._engine, work)

    def position(self, reference: str) -> int | None:
        """1-based place of the ticket among all waiting tickets; None when it is not waiting."""

        def work(conn: Connection) -> int | None:
            row = ticket_row(conn, reference)
            if row.status != OPEN or row.assigned_agent_id is not None:
                return None
            ahead = conn.execute(
                select(func.count())
                .select_from(tickets)
                .where(
                    _waiting_clause(),
                    or_(
                        tickets.c.created_at < row.created_at,
                        and_(tickets.c.created_at == row.created_at, tickets.c.id < row.id),
                    ),
                )
            ).scalar_one()
            return int(ahead) + 1

        return read(self._engine, work)

    def for_conversation(
        self,
        conversation_id: str,
        statuses: tuple[TicketStatus, ...] = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS),
    ) -> Ticket | None:
        """The conversation's latest ticket in one of `statuses` (by default: waiting or with an agent)."""
        query = (
            select(tickets)
            .where(
                tickets.c.conversation_id == conversation_key(conversation_id),
                tickets.c.status.in_([status.value for status in statuses]),
            )
            .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
            .limit(1)
        )

        def work(conn: Connection) -> Ticket | None:
            row = conn.execute(query).first()
            return mappers.ticket(row) if row is not None else None

        return read(self._engine, work)

    def typical_wait_minutes(self, days: int = 7) -> float | None:
        """Median minutes from handoff to an agent taking it, over the tickets claimed in the last days."""
        since = aware(self._clock()) - timedelta(days=days)
        query = (
            select(tickets.c.created_at, tickets.c.claimed_at)
            .where(tickets.c.claimed_at >= since)
            .limit(MAX_SAMPLE)
        )

        def work(conn: Connection) -> list[float]:
            return [
                max((aware(r.claimed_at) - aware(r.created_at)).total_seconds() / 60, 0.0)
                for r in conn.execute(query)
            ]

        waits = read(self._engine, work)
        return statistics.median(waits) if waits else None

    def last_change(self) -> int:
        """A number that grows with every change to any ticket (its latest audit event): cheap to poll."""
        query = select(func.coalesce(func.max(ticket_events.c.id), 0))
        return read(self._engine, lambda conn: int(conn.execute(query).scalar_one()))

    def get(self, reference: str) -> Ticket:
        return read(self._engine, lambda conn: mappers.ticket(ticket_row(conn, reference)))

    def events(self, reference: str) -> list[TicketEvent]:
        def work(conn: Connection) -> list[TicketEvent]:
            row = ticket_row(conn, reference)
            rows = conn.execute(
                select(ticket_events, agents.c.username)
                .outerjoin(agents, agents.c.id == ticket_events.c.agent_id)
                .where(ticket_events.c.ticket_id == row.id)
                .order_by(ticket_events.c.created_at, ticket_events.c.id)
            )
            return [
                TicketEvent(TicketEventKind(r.kind), r.agent_id, r.username, r.text, r.created_at)
                for r in rows
            ]

        return read(self._engine, work)

    def mine(self, agent: Agent) -> list[Ticket]:
        """The tickets the agent is handling, claimed first first."""
        return self._in_progress(tickets.c.assigned_agent_id == agent.id)

    def in_progress(self) -> list[Ticket]:
        """Every ticket an agent is handling (the supervisor's view), claimed first first."""
        return self._in_progress()

    def handled_by(self, agent: Agent) -> list[Ticket]:
        """What the agent follows: their tickets; for a supervisor, every ticket in progress."""
        return self.in_progress() if agent.is_supervisor else self.mine(agent)

    def _in_progress(self, *conditions: Any) -> list[Ticket]:
        query = (
            select(tickets)
            .where(tickets.c.status == IN_PROGRESS, *conditions)
            .order_by(tickets.c.claimed_at, tickets.c.id)
            .limit(MAX_LIST)
        )
        return read(self._engine, lambda conn: [mappers.ticket(row) for row in conn.execute(query)])

    # -- taking tickets ---------------------------------------------------------------------------
    def claim(self, reference: str, agent: Agent) -> Ticket:
        """The agent takes a waiting ticket; NotAllowed("ticket_taken") when someone else was first,
        NotAllowed("ticket_closed") when it is resolved or cancelled."""
        now = aware(self._clock())
        wanted = parse_reference(reference)
        if wanted is None:
            raise NotFound("ticket")

        def work(conn: Connection) -> Ticket:
            # The conditional UPDATE comes first: on SQLite it takes the write lock at once, so a
            # concurrent claim waits for this one and then finds the ticket taken.
            active_agent = select(agents.c.id).where(agents.c.id == agent.id, agents.c.active.is_(True))
            changed = conn.execute(
                update(tickets)
                .where(tickets.c.reference == wanted, _waiting_clause(), active_agent.exists())
                .values(status=IN_PROGRESS, assigned_agent_id=agent.id, claimed_at=now, updated_at=now)
            ).rowcount
            row = ticket_row(conn, wanted)
            if changed != 1:
                agent_row(conn, agent.id, active=True)
                _refuse_closed(row)
                raise NotAllowed("ticket_taken")
            add_event(conn, row.id, TicketEventKind.CLAIMED, now, agent_id=agent.id)
            return mappers.ticket(row)

        return write(self._engine, work)

    def assign(self, reference: str, to_agent: Agent, by_supervisor: Agent) -> Ticket:
        """A supervisor gives a waiting or handled ticket to an agent."""
        now = aware(self._clock())

        def work(conn: Connection) -> Ticket:
            supervisor = agent_row(conn, by_supervisor.id, active=True)
            if supervisor.role != SUPERVISOR:
                raise Forbidden(SUPERVISOR)
            target = agent_row(conn, to_agent.id, active=True)
            row = ticket_row(conn, reference, lock=True)
            _refuse_closed(row)
            return _move(conn, row, target, now, TicketEventKind.ASSIGNED, by=supervisor.id)

        return write(self._engine, work)

    def transfer(self, reference: str, from_agent: Agent, to_agent: Agent) -> Ticket:
        """The agent handling a ticket (or a supervisor) hands it to another agent."""
        now = aware(self._clock())

        def work(conn: Connection) -> Ticket:
            target = agent_row(conn, to_agent.id, active=True)
            actor, row = _handled(conn, reference, from_agent)
            return _move(conn, row, target, now, TicketEventKind.TRANSFERRED, by=actor.id)

        return write(self._engine, work)

    # -- working on a ticket ----------------------------------------------------------------------
    def add_note(self, reference: str, agent: Agent, text: str) -> None:
        """An internal note (never shown to the customer), by any active agent, on any ticket."""
        now = aware(self._clock())
        note = _text(text)

        def work(conn: Connection) -> None:
            actor = agent_row(conn, agent.id, active=True)
            row = ticket_row(conn, reference)
            add_event(conn, row.id, TicketEventKind.NOTE, now, agent_id=actor.id, text=note)

        write(self._engine, work)

    def check_reply(self, reference: str, agent: Agent, text: str) -> Ticket:
        """The ticket, if the agent may send this reply on it now (the checks of `record_reply`, nothing
        written): the console delivers the reply, then records it."""
        _text(text)
        return read(self._engine, lambda conn: mappers.ticket(_handled(conn, reference, agent)[1]))

    def record_reply(self, reference: str, agent: Agent, text: str) -> None:
        """What the handling agent (or a supervisor) answered the customer."""
        now = aware(self._clock())
        reply = _text(text)

        def work(conn: Connection) -> None:
            actor, row = _handled(conn, reference, agent)
            conn.execute(update(tickets).where(tickets.c.id == row.id).values(updated_at=now))
            add_event(conn, row.id, TicketEventKind.REPLY, now, agent_id=actor.id, text=reply)

        write(self._engine, work)

    def resolve(self, reference: str, agent: Agent) -> Ticket:
        now = aware(self._clock())

        def work(conn: Connection) -> Ticket:
            actor, row = _handled(conn, reference, agent)
            changed = conn.execute(
                update(tickets)
                .where(tickets.c.id == row.id, tickets.c.status == IN_PROGRESS)
                .values(status=TicketStatus.RESOLVED.value, resolved_at=now, updated_at=now)
            ).rowcount
            if changed != 1:
                raise NotAllowed("ticket_closed")
            add_event(conn, row.id, TicketEventKind.RESOLVED, now, agent_id=actor.id)
            return mappers.ticket(ticket_row(conn, reference))

        return write(self._engine, work)

    # -- the customer's side ----------------------------------------------------------------------
    def cancel(self, reference: str) -> Ticket:
        """The customer calls the handoff off, only while no agent has it (NotAllowed("ticket_not_open"))."""
        now = aware(self._clock())

        def work(conn: Connection) -> Ticket:
            row = ticket_row(conn, reference, lock=True)
            changed = conn.execute(
                update(tickets)
                .where(tickets.c.id == row.id, _waiting_clause())
                .values(status=TicketStatus.CANCELLED.value, updated_at=now)
            ).rowcount
            if changed != 1:
                raise NotAllowed("ticket_not_open")
            add_event(conn, row.id, TicketEventKind.CANCELLED, now)
            return mappers.ticket(ticket_row(conn, reference))

        return write(self._engine, work)

    def rate(self, reference: str, score: int) -> Ticket:
        """The customer's satisfaction, 1 to 5, once, on a resolved ticket: NotAllowed("invalid_score"),
        ("ticket_not_resolved") or ("already_rated")."""
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise NotAllowed("invalid_score")
        now = aware(self._clock())

        def work(conn: Connection) -> Ticket:
            row = ticket_row(conn, reference, lock=True)
            if row.status != TicketStatus.RESOLVED.value:
                raise NotAllowed("ticket_not_resolved")
            changed = conn.execute(
                update(tickets)
                .where(tickets.c.id == row.id, tickets.c.satisfaction.is_(None))
                .values(satisfaction=score, updated_at=now)
            ).rowcount
            if changed != 1:
                raise NotAllowed("already_rated")
            add_event(conn, row.id, TicketEventKind.RATED, now, text=str(score))
            return mappers.ticket(ticket_row(conn, reference))

        return write(self._engine, work)


def _refuse_closed(row: Row) -> None:
    if row.status in (TicketStatus.RESOLVED.value, TicketStatus.CANCELLED.value):
        raise NotAllowed("ticket_closed")


def _handled(conn: Connection, reference: str, agent: Agent) -> tuple[Row, Row]:
    """The rows of the active agent and of the ticket, locked, that they may work on: claimed and theirs
    (a supervisor may work on anyone's)."""
    actor = agent_row(conn, agent.id, active=True)
    row = ticket_row(conn, reference, lock=True)
    _refuse_closed(row)
    if row.status != IN_PROGRESS:
        raise NotAllowed("ticket_not_claimed")
    if row.assigned_agent_id != actor.id and actor.role != SUPERVISOR:
        raise NotAllowed("not_assignee")
    return actor, row


def _move(
    conn: Connection, row: Row, target: Row, now: datetime, kind: TicketEventKind, *, by: int
) -> Ticket:
    """Gives the ticket to `target` if it is still as read (else NotAllowed("ticket_taken")), with the
    event `kind` by agent `by` naming the target."""
    if row.assigned_agent_id == target.id:
        raise NotAllowed("already_assigned")
    expected = (
        tickets.c.assigned_agent_id.is_(None)
        if row.assigned_agent_id is None
        else tickets.c.assigned_agent_id == row.assigned_agent_id
    )
    changed = conn.execute(
        update(tickets)
        .where(tickets.c.id == row.id, tickets.c.status == row.status, expected)
        .values(
            status=IN_PROGRESS, assigned_agent_id=target.id, claimed_at=row.claimed_at or now, updated_at=now
        )
    ).rowcount
    if changed != 1:
        raise NotAllowed("ticket_taken")
    add_event(conn, row.id, kind, now, agent_id=by, text=target.username)
    return mappers.ticket(ticket_row(conn, row.reference))
