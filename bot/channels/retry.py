"""How a messaging channel retries a call to its platform (Telegram's Bot API, Twilio's REST API) that
failed in a way worth retrying: at most `attempts` tries in all, after `base_delay_s` then twice as long
each time; when the platform says how long to wait (a 429's retry_after), that long, at most
`max_retry_after_s`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 1.0
    max_retry_after_s: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay_s < 0 or self.max_retry_after_s < 0:
            raise ValueError("at least one attempt, and no negative delay")

    def backoff_s(self, failed_attempts: int) -> float:
        """The wait after the `failed_attempts`-th failure (1, 2, ...)."""
        return float(self.base_delay_s * 2 ** (failed_attempts - 1))
