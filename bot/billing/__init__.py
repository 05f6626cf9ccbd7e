"""Billing: the domain model, the `BillingBackend` interface, pure billing rules and country policies.

The SQL implementation lives in `bot.billing.sql` and the database set-up in `bot.billing.database`;
they are not imported here so that reading the domain does not load SQLAlchemy.
"""

from bot.billing.backend import BackendUnavailable, BillingBackend, BillingError, NotAllowed, NotFound
from bot.billing.money import quantize, split_evenly
from bot.billing.policy import DEFAULT_POLICIES, DEFAULT_SECURITY, CountryPolicy, SecurityPolicy, policy_for

__all__ = [
    "DEFAULT_POLICIES",
    "DEFAULT_SECURITY",
    "BackendUnavailable",
    "BillingBackend",
    "BillingError",
    "CountryPolicy",
    "NotAllowed",
    "NotFound",
    "SecurityPolicy",
    "policy_for",
    "quantize",
    "split_evenly",
]
