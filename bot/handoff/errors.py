"""Errors of the agent side besides the billing ones (`NotFound`, `NotAllowed` from `bot.billing.backend`)."""

from __future__ import annotations


class Forbidden(Exception):
    """The signed-in agent lacks the role this needs (`role` is the one required)."""

    def __init__(self, role: str) -> None:
        super().__init__(f"requires the {role} role")
        self.role = role
