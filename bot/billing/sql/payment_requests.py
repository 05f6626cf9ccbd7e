"""Payment requests: created in the conversation, confirmed by the payment provider's webhook."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.models import Payment, PaymentMethodKind, PaymentRequest, PaymentRequestStatus
from bot.billing.payment_requests import Collection, checked_amount, instrument_for
from bot.billing.policy import CountryPolicy
from bot.billing.references import parse_reference, payment_request_reference
from bot.billing.sql import mappers, payments, queries
from bot.billing.sql.schema import payment_requests

ZERO = Decimal("0")
MAX_PROVIDER_REFERENCE = 64


def create_request(
    conn: Connection,
    customer_row: queries.Row,
    amount: Decimal,
    method: PaymentMethodKind,
    now: datetime,
    policy: CountryPolicy,
    collection: Collection,
    *,
    base_url: str,
    link_lifetime: timedelta,
) -> PaymentRequest:
    """A request for part or all of the open balance. Requests do not reserve the balance: a second
    one paid as well leaves the surplus unallocated on the account, as any overpayment."""
    balance = sum((invoice.balance for invoice in queries.open_invoices(conn, customer_row.id)), ZERO)
    exact = checked_amount(amount, method, balance, policy)
    reference = payment_request_reference()
    instrument = instrument_for(
        method, reference, exact, now, policy, collection, base_url=base_url, link_lifetime=link_lifetime
    )
    conn.execute(
        insert(payment_requests).values(
            reference=reference,
            customer_id=customer_row.id,
            amount=exact,
            currency=customer_row.currency,
            method=method.value,
            created_at=now,
            expires_at=instrument.expires_at,
            status=PaymentRequestStatus.PENDING.value,
            url=instrument.url,
            pix_code=instrument.pix_code,
            boleto_line=instrument.boleto_line,
            payable_from=instrument.payable_from,
            due_on=instrument.due_on,
        )
    )
    return find_request(conn, reference, customer_row.id, now)


def find_request(conn: Connection, reference: str, customer_id: int | None, now: datetime) -> PaymentRequest:
    """A request by reference as typed; with `customer_id`, only that customer's."""
    return mappers.payment_request(_request_row(conn, reference, customer_id), now)


def confirm_request(conn: Connection, reference: str, provider_reference: str, now: datetime) -> Payment:
    """Record the provider's confirmed payment of a request, once: the same confirmation again returns
    the same payment."""
    if not 0 < len(provider_reference) <= MAX_PROVIDER_REFERENCE or not provider_reference.isprintable():
        raise NotAllowed("provider_reference_invalid")
    row = _request_row(conn, reference, None, for_update=True)
    if row.status == PaymentRequestStatus.PAID.value:
        if row.provider_reference != provider_reference:
            raise NotAllowed("payment_request_already_paid")
        return payments.payment_of(conn, row.payment_id)
    if now >= row.expires_at:
        raise NotAllowed("payment_request_expired")
    # Any payment already on record with this reference, even the same customer's, is another payment.
    if payments.payment_with_provider_reference(conn, provider_reference) is not None:
        raise NotAllowed("provider_reference_conflict")
    payment = payments.apply_new_payment(
        conn, row.customer_id, row.amount, PaymentMethodKind(row.method), provider_reference, now
    )
    conn.execute(
        update(payment_requests)
        .where(payment_requests.c.id == row.id)
        .values(
            status=PaymentRequestStatus.PAID.value,
            provider_reference=provider_reference,
            payment_id=payment.id,
            paid_at=now,
        )
    )
    return payment


def _request_row(
    conn: Connection, reference: str, customer_id: int | None, *, for_update: bool = False
) -> queries.Row:
    wanted = parse_reference(reference)
    if wanted is None:
        raise NotFound("payment_request")
    query = select(payment_requests).where(payment_requests.c.reference == wanted)
    if customer_id is not None:
        query = query.where(payment_requests.c.customer_id == customer_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("payment_request")
    return row
