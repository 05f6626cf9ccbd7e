"""What a channel remembers (bot/channels/recent.py) kept in Redis, so that every Rasa instance behind
the load balancer shares it: a delivery Telegram or Twilio sends again to another instance is still
processed once, a customer's "2" is read against the options another instance offered, and WhatsApp's
24-hour window is known to all.

One key per remembered thing, `<prefix>:<channel>:<memory>:<key>` (`billing:channel:telegram:update:42`),
expiring with the memory's age limit: Redis, not a clock, forgets it. Values are JSON (`SET key <json> EX
ttl`) through a `Codec`; "add unless there" (an id's "first time", bot/channels/recent.py `RecentIds`) is
one atomic `SET key <json> NX EX ttl`.

When Redis cannot be reached (or answers too slowly), the call uses a memory in this process instead, so
that a webhook never fails for it; the outage and the recovery are logged once each, per channel. While
Redis is down, it is tried again at most every `retry_after_s`, so that an outage where connections hang
does not slow every message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from redis.asyncio import Redis
from redis.asyncio.connection import parse_url
from redis.exceptions import RedisError

from bot.channels.recent import RecentValues

logger = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")
KEY_PREFIX = "billing:channel"
TIMEOUT_S = 0.5  # a Redis that does not answer (or accept a connection) in time counts as down
RETRY_AFTER_S = 1.0
_OUTAGE_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


@dataclass(frozen=True)
class Codec(Generic[V]):
    """How a value is written as JSON and read back."""

    encode: Callable[[V], Any]
    decode: Callable[[Any], V]


def _same(value: Any) -> Any:
    return value


JSON_VALUE: Codec[Any] = Codec(_same, _same)  # str, float, bool, lists and dicts of them


class RedisLink:
    """The Redis connection one channel's memories share (made in the running event loop, at the first
    call), and whether Redis answered last time."""

    def __init__(
        self,
        url: str,
        channel: str,
        prefix: str = KEY_PREFIX,
        timeout_s: float = TIMEOUT_S,
        retry_after_s: float = RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parse_url(url)  # a malformed URL is a configuration error, refused at the start (ValueError)
        self.channel = channel
        self._url = url
        self._prefix = prefix
        self._timeout_s = timeout_s
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._client: Redis | None = None
        self._down_since: float | None = None  # when the last failed call was made, while down

    def key(self, memory: str, key: str) -> str:
        return f"{self._prefix}:{self.channel}:{memory}:{key}"

    async def run(self, command: Callable[[Redis], Awaitable[T]], fallback: Callable[[], Awaitable[T]]) -> T:
        """`command` against Redis; `fallback` (the local memory) when Redis is down."""
        if self._down_since is not None and self._clock() - self._down_since < self._retry_after_s:
            return await fallback()
        try:
            result = await command(self._redis())
        except _OUTAGE_ERRORS as error:
            self._note_outage(error)
            return await fallback()
        self._note_recovery()
        return result

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    def _redis(self) -> Redis:
        if self._client is None:
            self._client = Redis.from_url(
                self._url, socket_timeout=self._timeout_s, socket_connect_timeout=self._timeout_s
            )
        return self._client

    def _note_outage(self, error: Exception) -> None:
        if self._down_since is None:
            extra = {"channel": self.channel, "error": type(error).__name__, "fallback": "local"}
            logger.error("channel_memory.unreachable", extra=extra)
        self._down_since = self._clock()

    def _note_recovery(self) -> None:
        if self._down_since is not None:
            self._down_since = None
            logger.warning("channel_memory.recovered", extra={"channel": self.channel})


def _expiry(ttl_s: float) -> int:
    """Redis's EX: whole seconds, at least one."""
    return max(1, math.ceil(ttl_s))


class RedisRecentValues(Generic[V]):
    def __init__(
        self, link: RedisLink, memory: str, ttl_s: float, codec: Codec[V], local: RecentValues[V]
    ) -> None:
        self._link = link
        self._memory = memory
        self._ex = _expiry(ttl_s)
        self._codec = codec
        self._local = local

    async def put(self, key: str, value: V) -> None:
        stored = self._encoded(value)

        async def put(redis: Redis) -> None:
            await redis.set(self._key(key), stored, ex=self._ex)

        await self._link.run(put, lambda: self._local.put(key, value))

    async def add(self, key: str, value: V) -> bool:
        stored = self._encoded(value)

        async def add(redis: Redis) -> bool:
            return bool(await redis.set(self._key(key), stored, nx=True, ex=self._ex))

        return await self._link.run(add, lambda: self._local.add(key, value))

    async def get(self, key: str) -> V | None:
        async def get(redis: Redis) -> V | None:
            return self._decoded(await redis.get(self._key(key)))

        return await self._link.run(get, lambda: self._local.get(key))

    async def pop(self, key: str) -> None:
        async def pop(redis: Redis) -> None:
            await redis.delete(self._key(key))

        await self._link.run(pop, lambda: self._local.pop(key))

    def _key(self, key: str) -> str:
        return self._link.key(self._memory, key)

    def _encoded(self, value: V) -> str:
        return json.dumps(self._codec.encode(value), ensure_ascii=False, separators=(",", ":"))

    def _decoded(self, stored: bytes | None) -> V | None:
        if stored is None:
            return None
        try:
            return self._codec.decode(json.loads(stored))
        except (ValueError, TypeError, KeyError):  # written by another version, or by hand: forgotten
            extra = {"channel": self._link.channel, "memory": self._memory}
            logger.warning("channel_memory.unreadable", extra=extra)
            return None
