"""The Telegram channel's one `Bot` (python-telegram-bot), initialized on first use in the server's
event loop, and its Bot API calls retried: after a 429 in the time Telegram asks for (capped), after a
5xx or a network error with exponential backoff; a refusal (blocked bot, bad request, unknown chat) is
final. Each call is retried on its own, so a message part that went out is never sent again; nor is a
send whose request went out without an answer in time (a read timeout): Telegram may have delivered it,
and the Bot API has no idempotency key to make a second try safe."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import httpx
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.channels.delivery import REJECTED, UNREACHABLE
from bot.channels.retry import RetryPolicy

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class SendFailed(Exception):
    """A Bot API call that failed for good: `reason` is one of bot/channels/delivery.py's."""

    def __init__(self, reason: str, method: str, error: str) -> None:
        super().__init__(f"{method}: {reason}")
        self.reason = reason
        self.method = method
        self.error = error  # Telegram's description or the error's class, never the token


class TelegramClient:
    """The channel's one `Bot`, initialized on first use (in the server's event loop), and its calls
    retried: after a 429 in the time Telegram asks for (capped), after a 5xx or a network error with
    exponential backoff; a refusal (blocked bot, bad request, unknown chat) is final, and so is a send
    that went out and timed out waiting for its answer (perhaps delivered)."""

    def __init__(self, bot: Bot, retry: RetryPolicy, sleep: Sleep = asyncio.sleep) -> None:
        self.bot = bot
        self.retry = retry
        self._sleep = sleep
        self._initialized = False
        self._initializing: asyncio.Lock | None = None

    async def call(self, method: str, request: Callable[[Bot], Awaitable[T]]) -> T:
        failures = 0
        while True:
            requested = False
            try:
                await self._ready()
                requested = True
                return await request(self.bot)
            except TelegramError as error:
                failures += 1
                if requested and method.startswith("send") and perhaps_carried_out(error):
                    logger.warning(
                        "telegram.delivery_uncertain", extra={"method": method, "attempts": failures}
                    )
                    raise SendFailed(UNREACHABLE, method, self._describe(error)) from None
                delay = retry_delay_s(error, failures, self.retry)
                if delay is None:
                    raise SendFailed(REJECTED, method, self._describe(error)) from None
                if failures >= self.retry.attempts:
                    raise SendFailed(UNREACHABLE, method, self._describe(error)) from None
                logger.info(
                    "telegram.call_retried",
                    extra={
                        "method": method,
                        "failures": failures,
                        "delay_s": delay,
                        "error": type(error).__name__,
                    },
                )
                await self._sleep(delay)

    async def close(self) -> None:
        if self._initialized:
            self._initialized = False
            await self.bot.shutdown()

    async def _ready(self) -> None:
        if self._initialized:
            return
        if self._initializing is None:
            self._initializing = asyncio.Lock()
        async with self._initializing:
            if not self._initialized:
                await self.bot.initialize()
                self._initialized = True

    def _describe(self, error: TelegramError) -> str:
        # PTB puts the token in some messages (a token the server rejected).
        return f"{type(error).__name__}: {error.message}".replace(self.bot.token, "<token>")


def retry_delay_s(error: TelegramError, failures: int, policy: RetryPolicy) -> float | None:
    """How long to wait before trying a failed call again; None when trying again is pointless."""
    if isinstance(error, RetryAfter):
        return min(retry_after_s(error), policy.max_retry_after_s)
    if isinstance(error, BadRequest):  # a NetworkError subclass, but the request itself is wrong
        return None
    if isinstance(error, NetworkError):  # 5xx, connection refused or reset, timeouts
        return policy.backoff_s(failures)
    return None  # Forbidden (the user blocked the bot), InvalidToken, ChatMigrated...


def perhaps_carried_out(error: TelegramError) -> bool:
    """The request went out whole and its answer did not come in time: Telegram may have done it."""
    return isinstance(error, TimedOut) and isinstance(error.__cause__, httpx.ReadTimeout)


def retry_after_s(error: RetryAfter) -> float:
    """`retry_after` is an int of seconds, or a timedelta with PTB_TIMEDELTA set (PTB ≥ 22.2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # about the int form
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
