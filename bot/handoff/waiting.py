"""What the customer is told after a handoff: how long until an agent takes the conversation.

The estimate is deliberately simple and on the safe side: each ticket ahead takes an agent
`minutes_per_ticket` (HANDOFF_MINUTES_PER_TICKET, 5 by default), and it is never shorter than the typical
wait of the last days. Rounded up to 5 minutes, capped: past the cap the customer is told "more than".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ROUNDING_MINUTES = 5
MAX_ESTIMATE_MINUTES = 240


@dataclass(frozen=True)
class WaitEstimate:
    minutes: int
    beyond_cap: bool  # the real figure may be well above `minutes`


def estimate_wait(position: int, typical_wait: float | None, minutes_per_ticket: int) -> WaitEstimate:
    """`position` is 1 for the next ticket to be taken."""
    if position < 1 or minutes_per_ticket < 1:
        raise ValueError("position and minutes per ticket must be positive")
    raw = max(position * minutes_per_ticket, typical_wait or 0.0)
    rounded = max(ROUNDING_MINUTES, math.ceil(raw / ROUNDING_MINUTES) * ROUNDING_MINUTES)
    if rounded > MAX_ESTIMATE_MINUTES:
        return WaitEstimate(MAX_ESTIMATE_MINUTES, beyond_cap=True)
    return WaitEstimate(rounded, beyond_cap=False)
