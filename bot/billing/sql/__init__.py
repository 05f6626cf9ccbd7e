"""The reference `BillingBackend` on SQLAlchemy Core: schema, queries and `SqlBillingBackend`."""

from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import metadata

__all__ = ["SqlBillingBackend", "metadata"]
