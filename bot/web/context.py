"""What every route of the portal needs: the billing backend, the clock, the default language and the
webhook secret. Backend calls are blocking (SQLAlchemy): they run in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from bot.billing.backend import BillingBackend
from bot.billing.clock import utc_now

T = TypeVar("T")


async def off_the_loop(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a worker thread, so that a blocking call does not hold the event loop (the
    portal's and the agent console's)."""
    return await asyncio.to_thread(work, *args)


@dataclass(frozen=True)
class Portal:
    backend: BillingBackend
    default_language: str
    webhook_secret: str
    clock: Callable[[], datetime] = field(default=utc_now)

    def __post_init__(self) -> None:
        if not self.webhook_secret:
            raise ValueError("the payment webhook secret cannot be empty")

    def now(self) -> datetime:
        return self.clock()

    call = staticmethod(off_the_loop)
