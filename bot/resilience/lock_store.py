"""The Redis lock store of the production configuration (endpoints.production.yml): one conversation's
messages are handled one at a time, in order of arrival, across every Sanic worker and Rasa instance.

Rasa's own RedisLockStore reads a conversation's ticket lock, changes it and writes it back in separate
commands: two instances receiving messages of one conversation at the same moment can be given the same
ticket, and both go ahead. Here every change is one Redis transaction (WATCH/MULTI, retried on conflict).

Rasa's tickets also expire `lock_lifetime` (60 s) after they are issued, whether their message is still
being handled or still waiting: past that, the next message went ahead while one was being handled, or the
waiting ones failed with a LockError (which Rasa's REST channel answers with a 200 and an empty reply: the
message was lost). Here a ticket is a lease that its instance renews while the message waits and while it
is handled, so the lifetime only measures how long the ticket of an instance that died blocks the others.

When Redis cannot be reached, conversations go on with a lock held in this process (order is then kept
per instance only) rather than fail: the outage and the recovery are logged once each.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.client import Pipeline
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")
POLL_INTERVAL_S = 0.02  # how often a waiting message looks whether its turn has come (Rasa: 1 s)
RENEW_FRACTION = 3  # a ticket is renewed when a third of its lifetime has gone by
REDIS_TIMEOUT_S = 2.0  # a Redis that does not answer in time counts as down
KEY_TTL_FACTOR = 10  # a lock left behind by a crashed instance disappears after 10 lock lifetimes


class OrderedRedisLockStore(RedisLockStore):
    """`lock_store: {type: bot.resilience.lock_store.OrderedRedisLockStore, url, port, db, key_prefix}`."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        options: dict[str, Any] = {"socket_timeout": REDIS_TIMEOUT_S, **endpoint_config.kwargs}
        super().__init__(host=endpoint_config.url or "localhost", **options)
        self._local = InMemoryLockStore()
        self._redis_down = False

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_INTERVAL_S,
    ) -> AsyncIterator[TicketLock]:
        poll = min(wait_time_in_seconds, POLL_INTERVAL_S)
        try:
            issued, ticket = self._issue(conversation_id, lock_lifetime)
        except (RedisError, LockError) as error:
            self._note_outage(error)
            async with self._local.lock(conversation_id, lock_lifetime, poll) as local_lock:
                yield local_lock
            return
        self._note_recovery()
        try:
            lock, ticket = (
                (issued, ticket)
                if issued.now_serving == ticket  # as a conversation's messages mostly are: nobody before
                else await self._wait_for_turn(conversation_id, ticket, lock_lifetime, poll)
            )
        except RedisError as error:  # Redis went away while this message waited: go on
            self._note_outage(error)
            lock = TicketLock(conversation_id)
        lease = asyncio.create_task(self._keep_renewing(conversation_id, ticket, lock_lifetime))
        try:
            yield lock
        finally:
            lease.cancel()
            try:
                self.cleanup(conversation_id, ticket)
            except RedisError as error:
                self._note_outage(error)

    async def _wait_for_turn(
        self, conversation_id: str, ticket: int, lifetime: float, poll: float
    ) -> tuple[TicketLock, int]:
        """The lock once `ticket` is the first one, and the ticket (a new one, at the end of the queue, if
        this process was stalled for so long that its ticket expired)."""
        renewed = time.monotonic()
        while True:
            lock = self.get_lock(conversation_id)
            if lock is not None and lock.now_serving == ticket:
                return lock, ticket
            if lock is None or _ticket(lock, ticket) is None:
                logger.warning("lock_store.ticket_lost", extra={"ticket": ticket, "while": "waiting"})
                ticket = self.issue_ticket(conversation_id, lifetime)
                renewed = time.monotonic()
            elif time.monotonic() - renewed > lifetime / RENEW_FRACTION:
                self._renew(conversation_id, ticket, lifetime)
                renewed = time.monotonic()
            await asyncio.sleep(poll)

    async def _keep_renewing(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        """While the message is handled: its ticket stays valid, however long that takes."""
        while True:
            await asyncio.sleep(lifetime / RENEW_FRACTION)
            try:
                if not self._renew(conversation_id, ticket, lifetime):
                    logger.warning("lock_store.ticket_lost", extra={"ticket": ticket, "while": "serving"})
                    return
            except RedisError as error:
                self._note_outage(error)

    def _renew(self, conversation_id: str, ticket: int, lifetime: float) -> bool:
        """Pushes the ticket's expiry `lifetime` from now; False if it is no longer there."""

        def renew(lock: TicketLock | None) -> tuple[TicketLock | None, bool]:
            mine = _ticket(lock, ticket) if lock is not None else None
            if mine is not None:
                mine.expires = time.time() + lifetime
            return lock, mine is not None

        return self._change(conversation_id, renew, lifetime)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._issue(conversation_id, lock_lifetime)[1]

    def _issue(self, conversation_id: str, lifetime: float) -> tuple[TicketLock, int]:
        """The lock as the new ticket left it, and the ticket."""

        def issue(lock: TicketLock | None) -> tuple[TicketLock | None, tuple[TicketLock, int]]:
            lock = lock or TicketLock(conversation_id)
            return lock, (lock, lock.issue_ticket(lifetime))

        return self._change(conversation_id, issue, lifetime)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Gives up the ticket, and deletes the lock if nobody else holds one (in the same transaction)."""

        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, T]],
        lock_lifetime: float = LOCK_LIFETIME,
    ) -> T:
        key = self.key_prefix + conversation_id
        results: list[T] = []

        def apply(pipe: Pipeline) -> None:
            results.clear()
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else None
            changed, result = change(lock)
            pipe.multi()
            if changed is None:
                pipe.delete(key)
            else:
                pipe.set(key, changed.dumps(), ex=max(1, int(lock_lifetime * KEY_TTL_FACTOR)))
            results.append(result)

        self.red.transaction(apply, key)
        return results[-1]

    def _note_outage(self, error: Exception) -> None:
        if not self._redis_down:
            self._redis_down = True
            logger.error("lock_store.unreachable", extra={"error": type(error).__name__, "fallback": "local"})

    def _note_recovery(self) -> None:
        if self._redis_down:
            self._redis_down = False
            logger.warning("lock_store.recovered")


def _ticket(lock: TicketLock, number: int) -> Ticket | None:
    """The ticket `number` if it is still valid."""
    return next((t for t in lock.tickets if t.number == number and not t.has_expired()), None)
