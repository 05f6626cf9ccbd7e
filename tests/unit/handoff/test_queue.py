from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.models import TicketEventKind, TicketStatus
from bot.handoff.agents import Agent, AgentDirectory
from bot.handoff.errors import Forbidden
from bot.handoff.queue import TicketQueue

from .conftest import MovableClock, TicketMaker


def test_create_ticket_stores_the_conversation_and_a_created_event(
    queue: TicketQueue, new_ticket: TicketMaker
) -> None:
    ticket = new_ticket(conversation_id="whatsapp:+5511999990000")
    assert ticket.conversation_id == "whatsapp:+5511999990000"
    assert (ticket.assigned_agent_id, ticket.claimed_at, ticket.resolved_at, ticket.satisfaction) == (
        None,
    ) * 4
    assert [event.kind for event in queue.events(ticket.reference)] == [TicketEventKind.CREATED]


def test_queue_order_position_and_waiting_time(
    queue: TicketQueue, new_ticket: TicketMaker, clock: MovableClock, team: dict[str, Agent]
) -> None:
    first = new_ticket("fr")
    clock.advance(minutes=5)
    second = new_ticket("pt")
    clock.advance(minutes=5)
    third = new_ticket("fr")
    clock.advance(minutes=2)
    waiting = queue.waiting()
    assert [w.ticket.reference for w in waiting] == [first.reference, second.reference, third.reference]
    assert [w.waiting_minutes for w in waiting] == [12, 7, 2]
    assert [w.ticket.reference for w in queue.waiting("pt")] == [second.reference]
    assert [queue.position(t.reference) for t in (first, second, third)] == [1, 2, 3]
    queue.claim(first.reference, team["camille"])
    assert queue.position(first.reference) is None
    assert [queue.position(t.reference) for t in (second, third)] == [1, 2]
    with pytest.raises(NotFound):
        queue.position("TK-ZZZZZZ")


def test_a_claimed_ticket_is_the_claimers_and_a_later_claim_is_refused(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    ticket = new_ticket()
    claimed = queue.claim(ticket.reference, team["camille"])
    assert claimed.status is TicketStatus.IN_PROGRESS
    assert claimed.assigned_agent_id == team["camille"].id and claimed.claimed_at is not None
    with pytest.raises(NotAllowed, match="ticket_taken"):
        queue.claim(ticket.reference, team["joana"])
    assert queue.get(ticket.reference).assigned_agent_id == team["camille"].id
    assert queue.mine(team["camille"]) == [queue.get(ticket.reference)]
    assert queue.mine(team["joana"]) == []
    kinds = [(e.kind, e.agent_username) for e in queue.events(ticket.reference)]
    assert kinds == [(TicketEventKind.CREATED, None), (TicketEventKind.CLAIMED, "camille.agent")]


def test_transfer_by_a_non_assignee_is_refused(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    ticket = new_ticket()
    with pytest.raises(NotAllowed, match="ticket_not_claimed"):
        queue.transfer(ticket.reference, team["camille"], team["joana"])
    queue.claim(ticket.reference, team["camille"])
    with pytest.raises(NotAllowed, match="not_assignee"):
        queue.transfer(ticket.reference, team["joana"], team["joana"])
    moved = queue.transfer(ticket.reference, team["camille"], team["joana"])
    assert moved.assigned_agent_id == team["joana"].id
    assert (
        queue.transfer(ticket.reference, team["sam"], team["camille"]).assigned_agent_id == team["camille"].id
    )
    transfers = [e for e in queue.events(ticket.reference) if e.kind is TicketEventKind.TRANSFERRED]
    assert [(e.agent_username, e.text) for e in transfers] == [
        ("camille.agent", "joana.agente"),
        ("sam.supervisor", "camille.agent"),
    ]


def test_assign_is_for_supervisors(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    ticket = new_ticket()
    with pytest.raises(Forbidden):
        queue.assign(ticket.reference, team["joana"], team["camille"])
    assigned = queue.assign(ticket.reference, team["joana"], team["sam"])
    assert assigned.status is TicketStatus.IN_PROGRESS and assigned.assigned_agent_id == team["joana"].id
    assert queue.waiting() == []
    with pytest.raises(NotAllowed, match="already_assigned"):
        queue.assign(ticket.reference, team["joana"], team["sam"])
    with pytest.raises(NotAllowed, match="already_assigned"):
        queue.transfer(ticket.reference, team["joana"], team["joana"])
    assert queue.assign(ticket.reference, team["camille"], team["sam"]).claimed_at == assigned.claimed_at
    assigns = [e for e in queue.events(ticket.reference) if e.kind is TicketEventKind.ASSIGNED]
    assert [(e.agent_username, e.text) for e in assigns] == [
        ("sam.supervisor", "joana.agente"),
        ("sam.supervisor", "camille.agent"),
    ]


def test_deactivated_agents_cannot_take_or_receive_tickets(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent], directory: AgentDirectory
) -> None:
    ticket = new_ticket()
    directory.deactivate(team["joana"].id)
    with pytest.raises(NotFound):
        queue.claim(ticket.reference, team["joana"])
    queue.claim(ticket.reference, team["camille"])
    with pytest.raises(NotFound):
        queue.transfer(ticket.reference, team["camille"], team["joana"])


def test_replies_and_notes(queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]) -> None:
    ticket = new_ticket()
    with pytest.raises(NotAllowed, match="ticket_not_claimed"):
        queue.record_reply(ticket.reference, team["camille"], "Bonjour")
    queue.claim(ticket.reference, team["camille"])
    queue.record_reply(ticket.reference, team["camille"], "  Bonjour, je regarde votre facture.  ")
    with pytest.raises(NotAllowed, match="not_assignee"):
        queue.record_reply(ticket.reference, team["joana"], "Olá")
    queue.add_note(ticket.reference, team["joana"], "client déjà appelé hier")
    for blank in ("   ", "\x00 \x00"):
        with pytest.raises(NotAllowed, match="empty_text"):
            queue.add_note(ticket.reference, team["joana"], blank)
    texts = [(e.kind, e.text) for e in queue.events(ticket.reference)][2:]
    assert texts == [
        (TicketEventKind.REPLY, "Bonjour, je regarde votre facture."),
        (TicketEventKind.NOTE, "client déjà appelé hier"),
    ]


def test_resolve_and_rate_rules(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent], clock: MovableClock
) -> None:
    ticket = new_ticket()
    with pytest.raises(NotAllowed, match="ticket_not_resolved"):
        queue.rate(ticket.reference, 5)
    with pytest.raises(NotAllowed, match="ticket_not_claimed"):
        queue.resolve(ticket.reference, team["camille"])
    queue.claim(ticket.reference, team["camille"])
    with pytest.raises(NotAllowed, match="not_assignee"):
        queue.resolve(ticket.reference, team["joana"])
    clock.advance(minutes=10)
    resolved = queue.resolve(ticket.reference, team["camille"])
    assert resolved.status is TicketStatus.RESOLVED and resolved.resolved_at == clock()
    with pytest.raises(NotAllowed, match="ticket_closed"):
        queue.resolve(ticket.reference, team["sam"])
    with pytest.raises(NotAllowed, match="ticket_closed"):
        queue.claim(ticket.reference, team["joana"])
    for bad in (0, 6, -1):
        with pytest.raises(NotAllowed, match="invalid_score"):
            queue.rate(ticket.reference, bad)
    assert queue.rate(ticket.reference, 4).satisfaction == 4
    with pytest.raises(NotAllowed, match="already_rated"):
        queue.rate(ticket.reference, 5)
    assert queue.get(ticket.reference).satisfaction == 4
    assert queue.events(ticket.reference)[-1].kind is TicketEventKind.RATED


def test_a_supervisor_can_resolve_someone_elses_ticket(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    ticket = new_ticket()
    queue.claim(ticket.reference, team["camille"])
    assert queue.resolve(ticket.reference, team["sam"]).status is TicketStatus.RESOLVED


def test_cancel_only_while_waiting(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    waiting, taken = new_ticket(), new_ticket()
    queue.claim(taken.reference, team["camille"])
    assert queue.cancel(waiting.reference).status is TicketStatus.CANCELLED
    assert queue.waiting() == []
    with pytest.raises(NotAllowed, match="ticket_not_open"):
        queue.cancel(waiting.reference)
    with pytest.raises(NotAllowed, match="ticket_not_open"):
        queue.cancel(taken.reference)
    with pytest.raises(NotAllowed, match="ticket_closed"):
        queue.claim(waiting.reference, team["joana"])
    assert queue.events(waiting.reference)[-1].kind is TicketEventKind.CANCELLED


def test_waiting_time_is_never_negative(
    queue: TicketQueue, new_ticket: TicketMaker, clock: MovableClock
) -> None:
    new_ticket()
    clock.advance(minutes=-1)  # a clock that went back a little
    assert queue.waiting()[0].waiting == timedelta(0)


def test_two_concurrent_claims_one_wins(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    ticket = new_ticket()
    start = threading.Barrier(2)

    def claim(agent: Agent) -> str:
        start.wait()
        try:
            queue.claim(ticket.reference, agent)
        except NotAllowed as refusal:
            return refusal.reason
        return "won"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(claim, [team["camille"], team["joana"]]))
    assert outcomes == ["ticket_taken", "won"]
    claims = [e for e in queue.events(ticket.reference) if e.kind is TicketEventKind.CLAIMED]
    assert len(claims) == 1 and claims[0].agent_id == queue.get(ticket.reference).assigned_agent_id
