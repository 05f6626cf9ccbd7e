"""Which memory a channel's recent ids and values live in: this process's (one Rasa instance, the
default), or Redis, shared by every instance behind the load balancer, when CHANNEL_MEMORY_REDIS_URL is
set (read by each channel's settings, bot/channels/telegram_settings.py and whatsapp_settings.py).

A channel makes one `ChannelMemory` and asks it for each thing it remembers, by name: the names are part
of the Redis keys (`billing:channel:<channel>:<name>:<key>`), so two memories never share a key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from bot.channels.recent import (
    DEFAULT_CAPACITY,
    DEFAULT_TTL_S,
    IdMemory,
    RecentIds,
    RecentValues,
    ValueMemory,
)
from bot.channels.recent_redis import (
    JSON_VALUE,
    KEY_PREFIX,
    RETRY_AFTER_S,
    TIMEOUT_S,
    Codec,
    RedisLink,
    RedisRecentValues,
)

MEMORY_URL_ENV = "CHANNEL_MEMORY_REDIS_URL"
V = TypeVar("V")


class ChannelMemory:
    def __init__(
        self,
        channel: str,
        redis_url: str = "",
        prefix: str = KEY_PREFIX,
        timeout_s: float = TIMEOUT_S,
        retry_after_s: float = RETRY_AFTER_S,
    ) -> None:
        """In this process while `redis_url` is empty; else in Redis, under `<prefix>:<channel>:`."""
        self.channel = channel
        self._link: RedisLink | None = None
        if redis_url:
            try:
                self._link = RedisLink(redis_url, channel, prefix, timeout_s, retry_after_s)
            except ValueError as error:  # its message does not quote the URL (which may hold a password)
                raise ValueError(f"{MEMORY_URL_ENV}: {error}") from None

    def ids(
        self,
        name: str,
        ttl_s: float = DEFAULT_TTL_S,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> IdMemory:
        """An id is new when `values(name)` can add it: in Redis, one `SET key true NX EX ttl`."""
        return RecentIds(self.values(name, ttl_s, capacity, clock))

    def values(
        self,
        name: str,
        ttl_s: float = DEFAULT_TTL_S,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
        codec: Codec[V] = JSON_VALUE,
    ) -> ValueMemory[V]:
        """`capacity` and `clock` are the local memory's (in Redis, keys expire by themselves)."""
        local: RecentValues[V] = RecentValues(ttl_s, capacity, clock)
        return local if self._link is None else RedisRecentValues(self._link, name, ttl_s, codec, local)

    async def close(self) -> None:
        if self._link is not None:
            await self._link.close()
