"""The wait told to a customer after a handoff (`estimate_wait`): per ticket ahead, never below the typical
wait, rounded up to 5 minutes, capped."""

from __future__ import annotations

import pytest

from bot.handoff.waiting import MAX_ESTIMATE_MINUTES, ROUNDING_MINUTES, WaitEstimate, estimate_wait


@pytest.mark.parametrize(
    ("position", "typical", "per_ticket", "minutes"),
    [
        (1, None, 5, 5),  # the next one: one agent's time
        (3, None, 5, 15),
        (2, None, 3, 10),  # 6 minutes, rounded up to 10
        (1, None, 1, 5),  # never less than the rounding step
        (1, 0.0, 5, 5),
        (1, 12.2, 5, 15),  # the typical wait of the last days comes first when longer
        (1, 15.0, 5, 15),  # already a multiple of 5: kept
        (4, 12.0, 5, 20),  # the queue comes first when longer
        (2, 0.4, 7, 15),
    ],
)
def test_estimate_is_per_ticket_ahead_or_the_typical_wait_rounded_up(
    position: int, typical: float | None, per_ticket: int, minutes: int
) -> None:
    assert estimate_wait(position, typical, per_ticket) == WaitEstimate(minutes, beyond_cap=False)


def test_estimates_are_multiples_of_the_rounding_step_and_never_shrink_with_the_position() -> None:
    previous = 0
    for position in range(1, 60):
        estimate = estimate_wait(position, 7.5, 4)
        assert estimate.minutes % ROUNDING_MINUTES == 0
        assert estimate.minutes >= min(position * 4, MAX_ESTIMATE_MINUTES)
        assert estimate.minutes >= previous
        previous = estimate.minutes


def test_the_cap_itself_is_an_estimate_past_it_the_customer_is_told_more_than() -> None:
    assert estimate_wait(48, None, 5) == WaitEstimate(240, beyond_cap=False)
    assert estimate_wait(49, None, 5) == WaitEstimate(MAX_ESTIMATE_MINUTES, beyond_cap=True)
    assert estimate_wait(1, 241.0, 5) == WaitEstimate(MAX_ESTIMATE_MINUTES, beyond_cap=True)
    assert estimate_wait(1, 236.0, 5) == WaitEstimate(240, beyond_cap=False)
    assert estimate_wait(1000, None, 30) == WaitEstimate(MAX_ESTIMATE_MINUTES, beyond_cap=True)


@pytest.mark.parametrize(("position", "per_ticket"), [(0, 5), (-1, 5), (1, 0), (1, -5)])
def test_positions_and_minutes_per_ticket_must_be_positive(position: int, per_ticket: int) -> None:
    with pytest.raises(ValueError):
        estimate_wait(position, None, per_ticket)
