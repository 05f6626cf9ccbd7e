"""Cancellation terms and requests, and the retention offer made instead."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from bot.billing import rules
from bot.billing.backend import NotAllowed
from bot.billing.models import AccountStatus, CancellationConfirmation, CancellationTerms, RetentionOffer
from bot.billing.policy import CountryPolicy
from bot.billing.references import cancellation_reference
from bot.billing.sql import accounts, queries
from bot.billing.sql.schema import cancellations, customers, subscriptions
from bot.billing.sql.writes import without_nul

ZERO = Decimal("0")
CANCELLATION_WITHDRAWN = "withdrawn"
REASON_MAX_LENGTH = 2000

_REFUSALS = {
    AccountStatus.CANCELLATION_PENDING.value: "cancellation_already_pending",
    AccountStatus.CANCELLED.value: "already_cancelled",
}


def cancellation_terms(
    conn: Connection, customer_row: queries.Row, today: date, policy: CountryPolicy
) -> CancellationTerms:
    if customer_row.status in _REFUSALS:
        raise NotAllowed(_REFUSALS[customer_row.status])
    subscription = queries.subscription_row(conn, customer_row.id)
    plan = queries.plan_of(conn, subscription.plan_code)
    open_balance = sum((invoice.balance for invoice in queries.open_invoices(conn, customer_row.id)), ZERO)
    return rules.cancellation_terms(
        accounts.base_price(subscription, plan),
        today,
        subscription.commitment_end,
        queries.billed_until(conn, customer_row.id) or today,
        open_balance,
        policy,
        _retention_offer(customer_row, subscription, policy),
    )


def request_cancellation(
    conn: Connection, customer_row: queries.Row, today: date, reason: str, policy: CountryPolicy
) -> CancellationConfirmation:
    terms = cancellation_terms(conn, customer_row, today, policy)
    reference = cancellation_reference()
    conn.execute(
        insert(cancellations).values(
            reference=reference,
            customer_id=customer_row.id,
            requested_on=today,
            effective_on=terms.effective_on,
            reason=without_nul(reason)[:REASON_MAX_LENGTH],
            early_termination_fee=terms.early_termination_fee,
            final_invoice_estimate=terms.final_invoice_estimate,
            currency=terms.currency,
            status=queries.CANCELLATION_PENDING,
        )
    )
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_row.id)
        .values(status=AccountStatus.CANCELLATION_PENDING.value)
    )
    conn.execute(
        update(subscriptions)
        .where(subscriptions.c.customer_id == customer_row.id)
        .values(cancel_effective_on=terms.effective_on)
    )
    return CancellationConfirmation(
        reference, terms.effective_on, terms.final_invoice_estimate, terms.currency
    )


def accept_retention_offer(
    conn: Connection, customer_row: queries.Row, offer_code: str, today: date, policy: CountryPolicy
) -> None:
    """Apply the discount; a pending cancellation is withdrawn, since the customer stays."""
    if customer_row.status == AccountStatus.CANCELLED.value:
        raise NotAllowed("already_cancelled")
    offer = policy.retention_offer
    if offer_code.strip().upper() != offer.code:
        raise NotAllowed("retention_offer_unknown")
    subscription = queries.subscription_row(conn, customer_row.id, for_update=True)
    if subscription.retention_accepted_on is not None:
        raise NotAllowed("retention_offer_already_used")
    conn.execute(
        update(subscriptions)
        .where(subscriptions.c.id == subscription.id)
        .values(
            discount_percent=offer.discount_percent,
            discount_until=rules.add_months(today, offer.months),
            retention_accepted_on=today,
            cancel_effective_on=None,
        )
    )
    if customer_row.status == AccountStatus.CANCELLATION_PENDING.value:
        conn.execute(
            update(cancellations)
            .where(
                cancellations.c.customer_id == customer_row.id,
                cancellations.c.status == queries.CANCELLATION_PENDING,
            )
            .values(status=CANCELLATION_WITHDRAWN)
        )
        conn.execute(
            update(customers)
            .where(customers.c.id == customer_row.id)
            .values(status=AccountStatus.ACTIVE.value)
        )


def _retention_offer(
    customer_row: queries.Row, subscription: queries.Row, policy: CountryPolicy
) -> RetentionOffer | None:
    if customer_row.status != AccountStatus.ACTIVE.value or subscription.retention_accepted_on is not None:
        return None
    return policy.retention_offer
