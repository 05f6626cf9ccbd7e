"""The queue's reads for the customer's side and the console: a conversation's ticket, the typical wait,
what an agent follows, and the change counter the console's event stream polls."""

from __future__ import annotations

import pytest

from bot.billing.database import migrate
from bot.billing.models import TicketStatus
from bot.handoff.agents import Agent
from bot.handoff.queue import TicketQueue
from tests.unit.billing.conftest import NOW

from .conftest import MovableClock, TicketMaker, migrated_to


def found(queue: TicketQueue, conversation_id: str, *statuses: TicketStatus) -> str | None:
    """The reference of the ticket `for_conversation` finds: with its default statuses unless given."""
    ticket = (
        queue.for_conversation(conversation_id, statuses)
        if statuses
        else queue.for_conversation(conversation_id)
    )
    return None if ticket is None else ticket.reference


def test_for_conversation_finds_the_waiting_or_handled_ticket_of_that_conversation_only(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    assert found(queue, "sender-1") is None
    mine = new_ticket(conversation_id="sender-1")
    theirs = new_ticket(conversation_id="sender-2")
    new_ticket(conversation_id=None)
    assert [found(queue, sender) for sender in ("sender-1", "sender-2", "sender-3", "")] == [
        mine.reference,
        theirs.reference,
        None,
        None,
    ]

    queue.claim(mine.reference, team["camille"])
    assert found(queue, "sender-1") == mine.reference  # with an agent: still found by default
    assert found(queue, "sender-1", TicketStatus.IN_PROGRESS) == mine.reference
    assert found(queue, "sender-1", TicketStatus.OPEN) is None


def test_for_conversation_leaves_closed_tickets_out_unless_asked_for(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    resolved = new_ticket(conversation_id="sender-1")
    queue.claim(resolved.reference, team["camille"])
    queue.resolve(resolved.reference, team["camille"])
    cancelled = new_ticket(conversation_id="sender-2")
    queue.cancel(cancelled.reference)

    assert found(queue, "sender-1") is None
    assert found(queue, "sender-2") is None
    assert found(queue, "sender-1", TicketStatus.RESOLVED) == resolved.reference
    assert found(queue, "sender-2", TicketStatus.CANCELLED) == cancelled.reference
    assert found(queue, "sender-2", TicketStatus.RESOLVED) is None


def test_for_conversation_gives_the_latest_of_several(
    queue: TicketQueue, new_ticket: TicketMaker, clock: MovableClock, team: dict[str, Agent]
) -> None:
    first = new_ticket(conversation_id="sender-1")
    queue.claim(first.reference, team["camille"])
    queue.resolve(first.reference, team["camille"])
    clock.advance(minutes=10)
    second = new_ticket(conversation_id="sender-1")
    queue.claim(second.reference, team["joana"])
    queue.resolve(second.reference, team["joana"])
    assert found(queue, "sender-1", TicketStatus.RESOLVED) == second.reference

    same_instant = [new_ticket(conversation_id="sender-2") for _ in range(3)]  # ties: the last inserted
    assert found(queue, "sender-2") == same_instant[-1].reference


def test_typical_wait_is_the_median_minutes_to_a_claim_over_the_last_days(
    queue: TicketQueue, new_ticket: TicketMaker, clock: MovableClock, team: dict[str, Agent]
) -> None:
    assert queue.typical_wait_minutes() is None
    never_claimed = new_ticket()
    for minutes in (4, 20, 10):
        ticket = new_ticket()
        clock.advance(minutes=minutes)
        queue.claim(ticket.reference, team["camille"])
    assert queue.typical_wait_minutes() == 10
    queue.cancel(never_claimed.reference)
    assert queue.typical_wait_minutes() == 10  # tickets nobody took do not count

    ticket = new_ticket()
    clock.advance(minutes=1, seconds=30)
    queue.claim(ticket.reference, team["joana"])
    assert queue.typical_wait_minutes() == pytest.approx((4 + 10) / 2)  # median of 1.5, 4, 10, 20

    clock.advance(days=6, hours=23)
    assert queue.typical_wait_minutes() == pytest.approx(7.0)
    assert queue.typical_wait_minutes(days=1) is None
    clock.advance(days=1)
    assert queue.typical_wait_minutes() is None  # claimed more than 7 days ago
    assert queue.typical_wait_minutes(days=30) == pytest.approx(7.0)


def test_in_progress_and_handled_by(
    queue: TicketQueue, new_ticket: TicketMaker, clock: MovableClock, team: dict[str, Agent]
) -> None:
    new_ticket()  # waiting: nobody's
    camille_later = new_ticket()
    joana_first = new_ticket()
    done = new_ticket()
    queue.claim(joana_first.reference, team["joana"])
    clock.advance(minutes=1)
    queue.claim(camille_later.reference, team["camille"])
    queue.claim(done.reference, team["camille"])
    queue.resolve(done.reference, team["camille"])

    in_progress = [ticket.reference for ticket in queue.in_progress()]
    assert in_progress == [joana_first.reference, camille_later.reference]  # claimed first, first
    assert [t.reference for t in queue.handled_by(team["camille"])] == [camille_later.reference]
    assert [t.reference for t in queue.handled_by(team["joana"])] == [joana_first.reference]
    assert [t.reference for t in queue.handled_by(team["sam"])] == in_progress  # a supervisor: all
    assert all(t.status is TicketStatus.IN_PROGRESS for t in queue.in_progress())


def test_last_change_grows_with_every_change_and_only_then(
    queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent]
) -> None:
    assert queue.last_change() == 0
    seen = [queue.last_change()]

    def changed() -> None:
        value = queue.last_change()
        assert value > seen[-1]
        seen.append(value)

    ticket = new_ticket(conversation_id="sender-1")
    changed()
    other = new_ticket(conversation_id="sender-2")
    changed()
    queue.claim(ticket.reference, team["camille"])
    changed()
    queue.add_note(ticket.reference, team["joana"], "to check")
    changed()
    queue.record_reply(ticket.reference, team["camille"], "Bonjour")
    changed()
    queue.transfer(ticket.reference, team["camille"], team["joana"])
    changed()
    queue.resolve(ticket.reference, team["joana"])
    changed()
    queue.rate(ticket.reference, 4)
    changed()
    queue.cancel(other.reference)
    changed()

    queue.waiting()
    queue.get(ticket.reference)
    queue.events(ticket.reference)
    queue.for_conversation("sender-1", (TicketStatus.RESOLVED,))
    queue.in_progress()
    queue.typical_wait_minutes()
    assert queue.last_change() == seen[-1]  # reading changes nothing


@pytest.mark.parametrize("length", [200, 255, 300])
def test_a_long_conversation_id_finds_its_own_ticket(
    queue: TicketQueue, new_ticket: TicketMaker, length: int
) -> None:
    long_id = "w" * (length - 1) + "1"
    other = "w" * (length - 1) + "2"  # differs only in its last character
    mine = new_ticket(conversation_id=long_id)
    assert found(queue, long_id) == mine.reference
    # Ids are compared as tickets store them: beyond 255 characters, only the first 255 count.
    assert found(queue, other) == (mine.reference if length > 255 else None)


def test_migration_0006_lets_tickets_keep_255_character_conversation_ids(blank_database: str) -> None:
    with migrated_to(blank_database, "0005") as engine:
        migrate(engine)
        queue = TicketQueue(engine, MovableClock(NOW))
        ticket = TicketMaker(engine, MovableClock(NOW))(conversation_id="c" * 255)
        assert found(queue, "c" * 255) == ticket.reference
