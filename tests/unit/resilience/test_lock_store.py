"""The ordered Redis lock store against the real Redis server: one conversation's messages one at a time
and in order of arrival, across two stores (two Rasa instances); a local lock when Redis is down."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rasa.utils.endpoints import EndpointConfig
from redis.connection import parse_url

from bot.resilience.lock_store import OrderedRedisLockStore
from tests.processes import free_port
from tests.stack import REDIS_URL, fail_unless_redis_answers

REDIS = parse_url(REDIS_URL)
GIVE_UP_S = 30  # a lock that never comes is a failure, not a hang


def store(port: int | None = None) -> OrderedRedisLockStore:
    config = EndpointConfig(
        url=REDIS.get("host", "127.0.0.1"),
        port=port or REDIS.get("port", 6379),
        db=REDIS.get("db", 1),
        key_prefix="locktest",
    )
    return OrderedRedisLockStore(config)


@contextmanager
def recorded_logs() -> Iterator[list[logging.LogRecord]]:
    """The lock store's records, whatever other tests did to the loggers' handlers and propagation."""
    records: list[logging.LogRecord] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Recorder(logging.WARNING)
    logger = logging.getLogger("bot.resilience.lock_store")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="module", autouse=True)
def redis_is_up() -> None:
    fail_unless_redis_answers()


async def served(
    instances: list[OrderedRedisLockStore],
    conversation: str,
    count: int,
    hold_s: float = 0.01,
    lifetime_s: float | None = None,
) -> list[str]:
    """`count` messages arriving 5 ms apart, in turn on each instance, each holding the lock `hold_s`:
    the timeline of their starts and ends."""
    timeline: list[str] = []
    options = {} if lifetime_s is None else {"lock_lifetime": lifetime_s}

    async def handle(number: int) -> None:
        await asyncio.sleep(number * 0.005)  # arrival order: 0, 1, 2, ...
        async with instances[number % len(instances)].lock(conversation, **options):
            timeline.append(f"start {number}")
            await asyncio.sleep(hold_s)
            timeline.append(f"end {number}")

    await asyncio.wait_for(asyncio.gather(*(handle(n) for n in range(count))), GIVE_UP_S)
    return timeline


def one_at_a_time_in_order(count: int) -> list[str]:
    return [f"{step} {n}" for n in range(count) for step in ("start", "end")]


async def test_two_instances_serve_one_conversation_one_message_at_a_time_in_order() -> None:
    instances = [store(), store()]
    conversation = f"c-{uuid.uuid4().hex}"
    assert await served(instances, conversation, 12) == one_at_a_time_in_order(12)
    assert instances[0].get_lock(conversation) is None  # cleaned up by the last one


async def test_a_message_handled_for_longer_than_the_lock_lifetime_keeps_the_next_ones_waiting() -> None:
    # The lifetime is how long a ticket outlives an instance that died, not a limit on a slow message.
    instances = [store(), store()]
    conversation = f"c-{uuid.uuid4().hex}"
    timeline = await served(instances, conversation, 3, hold_s=0.9, lifetime_s=0.3)
    assert timeline == one_at_a_time_in_order(3)
    assert instances[0].get_lock(conversation) is None


async def test_a_message_waiting_for_longer_than_the_lock_lifetime_keeps_its_place() -> None:
    instances = [store(), store()]
    conversation = f"c-{uuid.uuid4().hex}"
    timeline = await served(instances, conversation, 6, hold_s=0.15, lifetime_s=0.3)
    assert timeline == one_at_a_time_in_order(6)  # the last one waited 0.75 s


async def test_the_ticket_of_an_instance_that_died_expires_after_the_lock_lifetime() -> None:
    alive = store()
    conversation = f"c-{uuid.uuid4().hex}"
    store().issue_ticket(conversation, 0.3)  # its instance died before serving it
    started = time.monotonic()

    async def handle() -> None:
        async with alive.lock(conversation, lock_lifetime=0.3):
            pass

    await asyncio.wait_for(handle(), GIVE_UP_S)
    waited = time.monotonic() - started
    assert 0.2 < waited < 5
    assert alive.get_lock(conversation) is None


def test_instances_in_their_own_threads_never_serve_two_messages_at_once() -> None:
    """Each instance with its own event loop, as two processes: their Redis commands interleave."""
    conversation = f"c-{uuid.uuid4().hex}"
    guard = threading.Lock()
    inside: list[int] = []
    overlaps: list[tuple[int, ...]] = []
    served_numbers: list[int] = []

    async def instance(offset: int) -> None:
        lock_store = store()

        async def handle(number: int) -> None:
            await asyncio.sleep(number * 0.003)
            async with lock_store.lock(conversation, lock_lifetime=0.5):
                with guard:
                    inside.append(number)
                    if len(inside) > 1:
                        overlaps.append(tuple(inside))
                await asyncio.sleep(0.004)
                with guard:
                    inside.remove(number)
                    served_numbers.append(number)

        await asyncio.wait_for(asyncio.gather(*(handle(n) for n in range(offset, 60, 3))), GIVE_UP_S)

    threads = [threading.Thread(target=asyncio.run, args=(instance(k),)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not overlaps
    assert sorted(served_numbers) == list(range(60))
    assert store().get_lock(conversation) is None


async def test_the_same_ticket_is_never_issued_twice_under_contention() -> None:
    instances = [store() for _ in range(4)]
    conversation = f"c-{uuid.uuid4().hex}"
    tickets = await asyncio.gather(
        *(asyncio.to_thread(instances[n % 4].issue_ticket, conversation, 60) for n in range(40))
    )
    assert sorted(tickets) == list(range(40))
    instances[0].delete_lock(conversation)


async def test_without_redis_the_conversation_goes_on_with_a_local_lock(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = store(port=free_port())  # nothing listens there
    conversation = f"c-{uuid.uuid4().hex}"
    with recorded_logs() as records:
        timeline = await served([down], conversation, 4)
    assert timeline == one_at_a_time_in_order(4)
    assert [r.getMessage() for r in records].count("lock_store.unreachable") == 1


async def test_an_error_in_the_conversation_is_not_taken_for_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    up = store()
    conversation = f"c-{uuid.uuid4().hex}"
    with pytest.raises(ValueError), recorded_logs() as records:
        async with up.lock(conversation):
            raise ValueError("a bug in a message's handling")
    assert up.get_lock(conversation) is None
    assert not records
