"""Payments, payment methods and the secure link where payment details are entered."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.models import (
    InvoiceStatus,
    NewPaymentMethod,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    SecureLink,
)
from bot.billing.money import quantize
from bot.billing.policy import CountryPolicy, SecurityPolicy
from bot.billing.sql import accounts, mappers, queries
from bot.billing.sql.schema import installment_agreements, installments, invoices, payment_method_links
from bot.billing.sql.schema import payment_methods as methods
from bot.billing.sql.schema import payments as payments_table
from bot.billing.sql.writes import allocate, first_invoice_settled, insert_payment

AUTO_PAY_KINDS = (PaymentMethodKind.CARD, PaymentMethodKind.SEPA_DEBIT)
AGREEMENT_COMPLETED = "completed"
_TOKEN_BYTES = 32
_MAX_MASKED, _MAX_HOLDER = 40, 120  # the columns' sizes
_CARD_EXPIRY = re.compile(r"(0[1-9]|1[0-2])/\d{2}")
_DIGIT_RUN = re.compile(r"\d{5,}")  # a masked form shows at most 4 digits in a row


def record_payment(
    conn: Connection,
    customer_id: int,
    amount: Decimal,
    method: PaymentMethodKind,
    provider_reference: str,
    now: datetime,
) -> Payment:
    """Record a payment once per provider reference: the same reference again returns its payment."""
    existing = payment_with_provider_reference(conn, provider_reference)
    if existing is not None:
        if existing.customer_id != customer_id:
            raise NotAllowed("provider_reference_conflict")
        return mappers.payment(existing)
    return apply_new_payment(conn, customer_id, amount, method, provider_reference, now)


def payment_with_provider_reference(conn: Connection, provider_reference: str) -> queries.Row | None:
    return conn.execute(
        select(payments_table).where(payments_table.c.provider_reference == provider_reference)
    ).first()


def apply_new_payment(
    conn: Connection,
    customer_id: int,
    amount: Decimal,
    method: PaymentMethodKind,
    provider_reference: str,
    now: datetime,
) -> Payment:
    """Insert a payment whose provider reference is not on record yet and settle the oldest open
    invoices with it; lifts a suspension once nothing is overdue."""
    customer = queries.customer_row(conn, customer_id)
    amount = quantize(amount, customer.currency)
    if amount <= 0:
        raise NotAllowed("payment_amount_not_positive")
    open_invoices = queries.open_invoices(conn, customer_id, for_update=True)
    payment_id = insert_payment(
        conn,
        customer_id=customer_id,
        amount=amount,
        currency=customer.currency,
        method=method,
        paid_at=now,
        provider_reference=provider_reference,
        invoice_reference=first_invoice_settled(amount, open_invoices),
    )
    allocate(conn, payment_id, amount, open_invoices)
    _complete_paid_agreements(conn, customer_id)
    accounts.reactivate_if_settled(conn, customer, now.date())
    return payment_of(conn, payment_id)


def payment_of(conn: Connection, payment_id: int) -> Payment:
    row = conn.execute(select(payments_table).where(payments_table.c.id == payment_id)).one()
    return mappers.payment(row)


def list_payments(conn: Connection, customer_id: int, limit: int) -> list[Payment]:
    rows = conn.execute(
        select(payments_table)
        .where(payments_table.c.customer_id == customer_id)
        .order_by(payments_table.c.paid_at.desc(), payments_table.c.id.desc())
        .limit(limit)
    )
    return [mappers.payment(row) for row in rows]


def list_methods(conn: Connection, customer_id: int) -> list[PaymentMethod]:
    rows = conn.execute(
        select(methods)
        .where(methods.c.customer_id == customer_id)
        .order_by(methods.c.is_default.desc(), methods.c.id)
    )
    return [mappers.payment_method(row) for row in rows]


def default_method(conn: Connection, customer_id: int) -> PaymentMethod | None:
    return next((method for method in list_methods(conn, customer_id) if method.is_default), None)


def set_default_method(conn: Connection, customer_id: int, method_id: int) -> PaymentMethod:
    mine = (methods.c.customer_id == customer_id) & (methods.c.id == method_id)
    if conn.execute(select(methods.c.id).where(mine)).first() is None:
        raise NotFound("payment_method")
    conn.execute(update(methods).where(methods.c.customer_id == customer_id).values(is_default=False))
    conn.execute(update(methods).where(mine).values(is_default=True))
    return mappers.payment_method(conn.execute(select(methods).where(mine)).one())


def token_digest(token: str) -> str:
    """Our tokens are ASCII; anything else typed into the URL simply hashes to no known link."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_link(
    conn: Connection, customer_id: int, now: datetime, base_url: str, security: SecurityPolicy
) -> SecureLink:
    queries.customer_row(conn, customer_id)
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    expires_at = now + timedelta(minutes=security.payment_method_link_minutes)
    conn.execute(
        insert(payment_method_links).values(
            customer_id=customer_id, token_sha256=token_digest(token), created_at=now, expires_at=expires_at
        )
    )
    return SecureLink(url=f"{base_url}/secure/payment-method/{token}", expires_at=expires_at)


def _usable_link(conn: Connection, token: str, now: datetime, *, for_update: bool) -> queries.Row:
    query = select(payment_method_links).where(payment_method_links.c.token_sha256 == token_digest(token))
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None or row.used_at is not None or now >= row.expires_at:
        raise NotFound("payment_method_link")
    return row


def check_link(conn: Connection, token: str, now: datetime) -> int:
    """The customer id of an unused, unexpired link, left usable."""
    return int(_usable_link(conn, token, now, for_update=False).customer_id)


def redeem_link(conn: Connection, token: str, now: datetime) -> int:
    """The customer id of an unused, unexpired link, which is then used up."""
    row = _usable_link(conn, token, now, for_update=True)
    used = conn.execute(
        update(payment_method_links)
        .where(payment_method_links.c.id == row.id, payment_method_links.c.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # used up by a concurrent request since it was read (SQLite locks no row)
        raise NotFound("payment_method_link")
    return int(row.customer_id)


def check_new_method(method: NewPaymentMethod, policy: CountryPolicy) -> None:
    """`NotAllowed("payment_method_unavailable")` for a kind the customer's country does not keep on
    file; `NotAllowed("payment_method_invalid")` unless the details look like what may be stored: a
    short masked form, a holder, an MM/YY expiry for a card only."""
    if method.kind not in policy.methods_on_file:
        raise NotAllowed("payment_method_unavailable")
    masked, holder = method.masked.strip(), method.holder.strip()
    card = method.kind is PaymentMethodKind.CARD
    if (
        not 0 < len(masked) <= _MAX_MASKED
        or "•" not in masked
        or _DIGIT_RUN.search(masked.replace(" ", ""))
        or not 0 < len(holder) <= _MAX_HOLDER
        or not (holder.isprintable() and masked.isprintable())
        or (card and (method.expires is None or not _CARD_EXPIRY.fullmatch(method.expires)))
        or (not card and method.expires is not None)
    ):
        raise NotAllowed("payment_method_invalid")


def add_method_with_link(
    conn: Connection,
    token: str,
    method: NewPaymentMethod,
    now: datetime,
    policy_of: Callable[[queries.Row], CountryPolicy],
) -> PaymentMethod:
    """Use up the link and add `method` as the customer's default (a newly added method becomes it).
    Refused in the same transaction, the link stays usable."""
    customer_id = redeem_link(conn, token, now)
    check_new_method(method, policy_of(queries.customer_row(conn, customer_id)))
    conn.execute(update(methods).where(methods.c.customer_id == customer_id).values(is_default=False))
    method_id = conn.execute(
        insert(methods).values(
            customer_id=customer_id,
            kind=method.kind.value,
            masked=method.masked.strip(),
            holder=method.holder.strip(),
            is_default=True,
            expires=method.expires,
        )
    ).inserted_primary_key[0]
    return mappers.payment_method(conn.execute(select(methods).where(methods.c.id == method_id)).one())


def check_auto_pay_possible(conn: Connection, customer_id: int) -> None:
    method = default_method(conn, customer_id)
    if method is None or method.kind not in AUTO_PAY_KINDS:
        raise NotAllowed("auto_pay_needs_card_or_direct_debit")


def _complete_paid_agreements(conn: Connection, customer_id: int) -> None:
    agreement = queries.active_agreement(conn, customer_id)
    if agreement is None:
        return
    statuses = conn.execute(
        select(invoices.c.status)
        .select_from(installments.join(invoices, installments.c.invoice_id == invoices.c.id))
        .where(installments.c.agreement_id == agreement.id)
    ).scalars()
    if all(status == InvoiceStatus.PAID.value for status in statuses):
        conn.execute(
            update(installment_agreements)
            .where(installment_agreements.c.id == agreement.id)
            .values(status=AGREEMENT_COMPLETED)
        )
