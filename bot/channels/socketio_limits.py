"""What one web chat session may send: message size, and how many messages in a sliding window."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.settings import Settings, _env

ORIGINS_ENV = "WIDGET_ALLOWED_ORIGINS"


@dataclass(frozen=True)
class WidgetLimits:
    # Longer messages are refused whole (a `message_refused` event, reason "too_long"), not truncated: a
    # cut could change what the customer meant, or split a card number so that it is no longer masked.
    max_message_chars: int = 2000
    rate_messages: int = 10
    rate_window_s: float = 10.0

    def __post_init__(self) -> None:
        if self.max_message_chars < 1 or self.rate_messages < 1 or self.rate_window_s <= 0:
            raise ValueError("widget limits must be positive")


class RateLimiter:
    """At most `limit` events per key within any `window_s` seconds. Keys with no recent event are
    forgotten, so memory follows the active sessions."""

    _SWEEP_EVERY = 1000

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._calls = 0

    def allow(self, key: str) -> bool:
        """Records an event for `key` and tells whether it is within the limit (refused ones don't count)."""
        now = self._clock()
        self._calls += 1
        if self._calls % self._SWEEP_EVERY == 0:
            self._sweep(now)
        events = self._events.setdefault(key, deque())
        self._expire(events, now)
        if len(events) >= self._limit:
            return False
        events.append(now)
        return True

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may send again (0 when it may now)."""
        events = self._events.get(key)
        if not events or len(events) < self._limit:
            return 0.0
        return max(0.0, events[0] + self._window_s - self._clock())

    def __len__(self) -> int:
        return len(self._events)

    def _expire(self, events: deque[float], now: float) -> None:
        while events and events[0] <= now - self._window_s:
            events.popleft()

    def _sweep(self, now: float) -> None:
        for key in list(self._events):
            self._expire(self._events[key], now)
            if not self._events[key]:
                del self._events[key]


def allowed_origins() -> list[str]:
    """The page origins allowed to open a socket (`WIDGET_ALLOWED_ORIGINS`, comma-separated; "*" for any
    origin, not recommended: any site could then put a chat with your assistant on its pages). Default:
    the portal, whose demo support page carries the widget."""
    origins = [origin.strip().rstrip("/") for origin in _env(ORIGINS_ENV, "").split(",") if origin.strip()]
    return origins or portal_origins()


def portal_origins() -> list[str]:
    """http://127.0.0.1:5080 and http://localhost:5080 (the `WEB_PORT`), and `PUBLIC_BASE_URL`'s origin."""
    settings = Settings.from_env()
    origins = [f"http://127.0.0.1:{settings.web_port}", f"http://localhost:{settings.web_port}"]
    public = urlsplit(settings.public_base_url)
    public_origin = f"{public.scheme}://{public.netloc}"
    return origins if public_origin in origins else [*origins, public_origin]
