"""What a channel remembers for a while, per key: the interfaces the channels use, and their implementation
in this process's memory, bounded in age (`ttl_s`) and in size (the least recently stored of more than
`capacity` keys goes first).

- `IdMemory` (`RecentIds`, over a value memory): the ids of recent webhook deliveries (Telegram's
  update_id, Twilio's MessageSid), so that a delivery the platform sends again (a retry after a
  timeout, a replayed request) is processed once.
- `ValueMemory` (`RecentValues`): a value per conversation (the WhatsApp options offered, when the
  customer last wrote).

The methods are coroutines because the memory shared by several Rasa instances is in Redis
(bot/channels/recent_redis.py); which one a channel gets is decided in bot/channels/memory.py.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

DEFAULT_CAPACITY = 50_000
DEFAULT_TTL_S = 24 * 3600.0
V = TypeVar("V")


class IdMemory(Protocol):
    async def first_time(self, delivery_id: str) -> bool:
        """True the first time `delivery_id` is seen (within the age limit), False afterwards."""


class ValueMemory(Protocol[V]):
    async def put(self, key: str, value: V) -> None: ...

    async def add(self, key: str, value: V) -> bool:
        """Stores `value` unless `key` has one still fresh; whether it was stored."""

    async def get(self, key: str) -> V | None: ...

    async def pop(self, key: str) -> None: ...


class RecentValues(Generic[V]):
    def __init__(
        self,
        ttl_s: float = DEFAULT_TTL_S,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1 or ttl_s <= 0:
            raise ValueError("capacity and ttl_s must be positive")
        self._ttl_s = ttl_s
        self._capacity = capacity
        self._clock = clock
        self._values: OrderedDict[str, tuple[float, V]] = OrderedDict()  # least recently stored first
        self._lock = threading.Lock()

    async def put(self, key: str, value: V) -> None:
        with self._lock:
            self._store(key, value)

    async def add(self, key: str, value: V) -> bool:
        with self._lock:
            if self._fresh(key) is not None:
                return False
            self._store(key, value)
            return True

    async def get(self, key: str) -> V | None:
        with self._lock:
            return self._fresh(key)

    async def pop(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)

    def __len__(self) -> int:
        return len(self._values)

    def _fresh(self, key: str) -> V | None:
        found = self._values.get(key)
        if found is None or self._clock() - found[0] >= self._ttl_s:
            return None
        return found[1]

    def _store(self, key: str, value: V) -> None:
        self._values[key] = (self._clock(), value)
        self._values.move_to_end(key)
        while len(self._values) > self._capacity:
            self._values.popitem(last=False)


class RecentIds:
    """An `IdMemory` over a value memory (this process's, or Redis's): an id is new when it can be added."""

    def __init__(self, seen: ValueMemory[bool] | None = None) -> None:
        self._seen: ValueMemory[bool] = seen if seen is not None else RecentValues()

    async def first_time(self, delivery_id: str) -> bool:
        return await self._seen.add(delivery_id, True)
