"""The ordered Redis lock store against the real Redis server: one conversation's messages one at a time
and in order of arrival, across two stores (two Rasa instances); a local lock when Redis is down."""

from __future__ import annotations

import asyncio
import logging
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


async def test_two_instances_serve_one_conversation_one_message_at_a_time_in_order() -> None:
    instances = [store(), store()]
    conversation = f"c-{uuid.uuid4().hex}"
    timeline: list[str] = []

    async def handle(number: int) -> None:
        await asyncio.sleep(number * 0.005)  # arrival order: 0, 1, 2, ...
        async with instances[number % 2].lock(conversation):
            timeline.append(f"start {number}")
            await asyncio.sleep(0.01)
            timeline.append(f"end {number}")

    await asyncio.gather(*(handle(n) for n in range(12)))
    assert timeline == [f"{step} {n}" for n in range(12) for step in ("start", "end")]
    assert instances[0].get_lock(conversation) is None  # cleaned up by the last one


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
    timeline: list[str] = []

    async def handle(number: int) -> None:
        await asyncio.sleep(number * 0.005)
        async with down.lock(conversation):
            timeline.append(f"start {number}")
            await asyncio.sleep(0.01)
            timeline.append(f"end {number}")

    with recorded_logs() as records:
        await asyncio.gather(*(handle(n) for n in range(4)))
    assert timeline == [f"{step} {n}" for n in range(4) for step in ("start", "end")]
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
