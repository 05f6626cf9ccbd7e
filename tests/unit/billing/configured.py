"""A backend with every setting given (no environment, no `var/link-secret`), for the new features."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot.billing.backend import NotAllowed
from bot.billing.payment_requests import Collection
from bot.billing.policy import CountryPolicy
from bot.billing.sql.backend import SqlBillingBackend

from .conftest import BASE_URL, NOW

LINK_SECRET = "test-link-secret"
LINK_MINUTES = 60
COLLECTION = Collection(
    pix_key="123e4567-e12b-12d1-a456-426655440000",
    merchant_name="Fibra Demonstração",
    merchant_city="São Paulo",
    boleto_bank_code="999",
)


def configured_backend(
    engine: Engine,
    now: datetime = NOW,
    *,
    link_secret: str = LINK_SECRET,
    policies: Mapping[str, CountryPolicy] | None = None,
) -> SqlBillingBackend:
    return SqlBillingBackend(
        engine,
        public_base_url=BASE_URL + "/",
        clock=lambda: now,
        link_secret=link_secret,
        link_minutes=LINK_MINUTES,
        collection=COLLECTION,
        policies=policies,
    )


def refusal(call: Callable[..., object], *args: object) -> str:
    """The reason code of the `NotAllowed` that `call(*args)` raises."""
    with pytest.raises(NotAllowed) as refused:
        call(*args)
    return refused.value.reason
