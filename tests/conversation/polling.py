"""Waiting for what a server does in the background (a reply reaching a fake API, a message reaching the
tracker), with a deadline that only ends a failing test: it is never what a test asserts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

DEADLINE_S = 60.0
T = TypeVar("T")


def wait_for(read: Callable[[], list[T]], count: int, what: str = "item") -> list[T]:
    """The first `count` items `read()` gives, once it gives that many."""
    deadline = time.monotonic() + DEADLINE_S
    while len(items := read()) < count:
        assert time.monotonic() < deadline, f"{len(items)} {what}(s), {count} expected"
        time.sleep(0.1)
    return items[:count]
