"""Remembers the ids of recent webhook deliveries (Telegram's update_id, Twilio's MessageSid), so that a
delivery the platform sends again (a retry after a timeout, a replayed request) is processed once.

In memory, per process: bounded in size and age. Several Rasa instances behind a load balancer each
keep their own (see issue 7 for shared storage).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_CAPACITY = 50_000
DEFAULT_TTL_S = 24 * 3600.0


class RecentIds:
    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        ttl_s: float = DEFAULT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1 or ttl_s <= 0:
            raise ValueError("capacity and ttl_s must be positive")
        self._capacity = capacity
        self._ttl_s = ttl_s
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # id -> when first seen, oldest first
        self._lock = threading.Lock()

    def first_time(self, delivery_id: str) -> bool:
        """True the first time `delivery_id` is seen (within the age limit), False afterwards."""
        now = self._clock()
        with self._lock:
            self._forget_old(now)
            if delivery_id in self._seen:
                return False
            self._seen[delivery_id] = now
            if len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._seen)

    def _forget_old(self, now: float) -> None:
        while self._seen:
            oldest, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self._ttl_s:
                return
            del self._seen[oldest]
