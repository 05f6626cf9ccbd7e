"""Support tickets handed to the human team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from bot.billing.backend import NotFound
from bot.billing.models import NewTicket, Ticket, TicketEventKind, TicketStatus
from bot.billing.references import parse_reference, ticket_reference
from bot.billing.sql import mappers, queries
from bot.billing.sql.mappers import Row
from bot.billing.sql.schema import ticket_events, tickets
from bot.billing.sql.writes import without_nul


def create_ticket(conn: Connection, ticket: NewTicket, now: datetime) -> Ticket:
    if ticket.customer_id is not None:
        queries.customer_row(conn, ticket.customer_id)
    reference = ticket_reference()
    conversation_id = ticket.conversation_id and conversation_key(ticket.conversation_id)
    inserted = conn.execute(
        insert(tickets).values(
            reference=reference,
            customer_id=ticket.customer_id,
            channel=_clip(ticket.channel, tickets.c.channel),
            language=_clip(ticket.language, tickets.c.language),
            topic=_clip(ticket.topic, tickets.c.topic),
            summary=without_nul(ticket.summary),
            priority=_clip(ticket.priority, tickets.c.priority),
            status=TicketStatus.OPEN.value,
            transcript=[without_nul(line) for line in ticket.transcript],
            created_at=now,
            updated_at=now,
            conversation_id=conversation_id or None,
        )
    )
    add_event(conn, inserted.inserted_primary_key[0], TicketEventKind.CREATED, now)
    return find_ticket(conn, reference, ticket.customer_id)


def find_ticket(conn: Connection, reference: str, customer_id: int | None) -> Ticket:
    """A customer's ticket is only found with that customer's id; an anonymous one by its reference."""
    row = ticket_row(conn, reference)
    if row.customer_id is not None and row.customer_id != customer_id:
        raise NotFound("ticket")
    return mappers.ticket(row)


def ticket_row(conn: Connection, reference: str, *, lock: bool = False) -> Row:
    """The ticket's row, whoever it belongs to (NotFound("ticket")); `lock` holds it until the transaction
    ends (PostgreSQL: concurrent changes wait; SQLite: ignored)."""
    wanted = parse_reference(reference)
    if wanted is None:
        raise NotFound("ticket")
    query = select(tickets).where(tickets.c.reference == wanted)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("ticket")
    return row


def list_tickets(conn: Connection, customer_id: int, limit: int) -> list[Ticket]:
    """The customer's tickets, most recent first."""
    queries.customer_row(conn, customer_id)
    rows = conn.execute(
        select(tickets)
        .where(tickets.c.customer_id == customer_id)
        .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
        .limit(limit)
    )
    return [mappers.ticket(row) for row in rows]


def add_event(
    conn: Connection,
    ticket_id: int,
    kind: TicketEventKind,
    now: datetime,
    *,
    agent_id: int | None = None,
    text: str | None = None,
) -> None:
    """One line of the ticket's audit trail; `agent_id` is who did it (None: the customer or the bot)."""
    conn.execute(
        insert(ticket_events).values(
            ticket_id=ticket_id,
            kind=kind.value,
            agent_id=agent_id,
            text=None if text is None else without_nul(text),
            created_at=now,
        )
    )


def conversation_key(conversation_id: str) -> str:
    """A conversation id as tickets store it (cut to the column): what lookups must compare with."""
    return _clip(conversation_id, tickets.c.conversation_id)


def _clip(value: str, column: object) -> str:
    length = getattr(getattr(column, "type", None), "length", None)
    value = without_nul(value)
    return value[:length] if length else value
